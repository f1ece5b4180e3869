import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-node-restriction.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, APISERVER_FLAGS, etcd, replacing } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const flags = (...words: string[]): KubeObject =>
  apiserver(replacing(APISERVER_FLAGS, 'enable-admission-plugins', ...words));
const off = (message: string): CheckOutcome => fail('NodeRestrictionDisabled', message);

const cases: Case[] = [
  { name: 'NodeRestriction enabled', subject: apiserver(), expected: PASS },
  {
    name: 'among other plugins, in the --flag value form',
    subject: flags('--enable-admission-plugins', 'PodSecurity,NodeRestriction,EventRateLimit'),
    expected: PASS,
  },
  {
    name: 'through the deprecated --admission-control',
    subject: flags('--admission-control=NamespaceLifecycle,NodeRestriction'),
    expected: PASS,
  },
  {
    name: 'unset',
    subject: flags(),
    expected: off('--enable-admission-plugins is not set, and NodeRestriction is not enabled by default'),
  },
  {
    name: 'other plugins only',
    subject: flags('--enable-admission-plugins=PodSecurity'),
    expected: off(
      '--enable-admission-plugins does not include NodeRestriction, which is not enabled by default',
    ),
  },
  {
    name: 'enabled and disabled',
    subject: flags(
      '--enable-admission-plugins=NodeRestriction',
      '--disable-admission-plugins=NodeRestriction',
    ),
    expected: off('--disable-admission-plugins includes NodeRestriction'),
  },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: no container runs kube-apiserver',
    subject: apiserver(undefined, (pod) => (pod['spec'] = { containers: ['kube-apiserver', 'x'] })),
    expected: checkError('ComponentNotFound', 'no container named kube-apiserver or running it'),
  },
];

describe('cp.apiserver-node-restriction', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
