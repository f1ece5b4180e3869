import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-encryption-at-rest.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, APISERVER_FLAGS, container, etcd, replacing } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const flags = (...words: string[]): KubeObject =>
  apiserver(replacing(APISERVER_FLAGS, 'encryption-provider-config', ...words));
const unencrypted = fail(
  'NoEncryptionAtRest',
  '--encryption-provider-config is not set, so Secrets are stored in etcd unencrypted',
);

const cases: Case[] = [
  { name: 'an encryption configuration', subject: apiserver(), expected: PASS },
  {
    name: 'the --flag value form',
    subject: flags('--encryption-provider-config', '/etc/enc.yaml'),
    expected: PASS,
  },
  { name: 'unset', subject: flags(), expected: unencrypted },
  { name: 'empty', subject: flags('--encryption-provider-config='), expected: unencrypted },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: command entry is null',
    subject: apiserver(undefined, (pod) => (container(pod)['command'] = ['kube-apiserver', null])),
    expected: checkError('InvalidCommand', 'container "kube-apiserver": command[1] is not a string'),
  },
];

describe('cp.apiserver-encryption-at-rest', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
