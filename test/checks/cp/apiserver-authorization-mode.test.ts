import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-authorization-mode.js';
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
  apiserver(replacing(APISERVER_FLAGS, 'authorization-mode', ...words));
const weak = (message: string): CheckOutcome => fail('WeakAuthorization', message);

const cases: Case[] = [
  { name: 'Node,RBAC', subject: apiserver(), expected: PASS },
  { name: 'Node,RBAC,Webhook', subject: flags('--authorization-mode=Node,RBAC,Webhook'), expected: PASS },
  { name: 'the --flag value form', subject: flags('--authorization-mode', 'RBAC,Node'), expected: PASS },
  {
    name: 'repeated occurrences accumulate, as for any list flag',
    subject: flags('--authorization-mode=Node', '--authorization-mode=RBAC'),
    expected: PASS,
  },
  {
    name: 'unset: the server defaults to AlwaysAllow',
    subject: flags(),
    expected: weak('--authorization-mode is not set, and kube-apiserver defaults it to AlwaysAllow'),
  },
  {
    name: 'AlwaysAllow',
    subject: flags('--authorization-mode=AlwaysAllow'),
    expected: weak(
      '--authorization-mode=AlwaysAllow allows every request (AlwaysAllow) and does not include Node or RBAC',
    ),
  },
  {
    name: 'AlwaysAllow next to Node and RBAC',
    subject: flags('--authorization-mode=Node,RBAC,AlwaysAllow'),
    expected: weak('--authorization-mode=Node,RBAC,AlwaysAllow allows every request (AlwaysAllow)'),
  },
  {
    name: 'RBAC without Node',
    subject: flags('--authorization-mode=RBAC'),
    expected: weak('--authorization-mode=RBAC does not include Node'),
  },
  {
    name: 'Node without RBAC',
    subject: flags('--authorization-mode=Node,Webhook'),
    expected: weak('--authorization-mode=Node,Webhook does not include RBAC'),
  },
  {
    name: 'mode names are case-sensitive, as the server reads them',
    subject: flags('--authorization-mode=node,rbac'),
    expected: weak('--authorization-mode=node,rbac does not include Node or RBAC'),
  },
  {
    name: 'a structured authorization configuration is skipped',
    subject: flags('--authorization-config=/etc/kubernetes/authz.yaml'),
    expected: skip(
      'authorizers are configured in the --authorization-config file, which the pod does not show',
    ),
  },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: args is an object',
    subject: apiserver(undefined, (pod) => (container(pod)['args'] = { 'authorization-mode': 'RBAC' })),
    expected: checkError('InvalidCommand', 'container "kube-apiserver": args is not a list'),
  },
];

describe('cp.apiserver-authorization-mode', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
