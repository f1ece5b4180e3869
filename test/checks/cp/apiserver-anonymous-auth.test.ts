import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-anonymous-auth.js';
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
  apiserver(replacing(APISERVER_FLAGS, 'anonymous-auth', ...words));

const cases: Case[] = [
  { name: '--anonymous-auth=false', subject: apiserver(), expected: PASS },
  { name: '--anonymous-auth=0 (Go spelling)', subject: flags('--anonymous-auth=0'), expected: PASS },
  {
    name: 'unset: the server defaults to true',
    subject: flags(),
    expected: fail(
      'AnonymousAuthEnabled',
      '--anonymous-auth is not set, and kube-apiserver defaults it to true',
    ),
  },
  {
    name: '--anonymous-auth=true',
    subject: flags('--anonymous-auth=true'),
    expected: fail('AnonymousAuthEnabled', 'kube-apiserver runs with --anonymous-auth=true'),
  },
  {
    name: 'a bare --anonymous-auth is true',
    subject: flags('--anonymous-auth'),
    expected: fail('AnonymousAuthEnabled', 'kube-apiserver runs with --anonymous-auth=true'),
  },
  {
    name: 'the last occurrence wins',
    subject: flags('--anonymous-auth=false', '--anonymous-auth=true'),
    expected: fail('AnonymousAuthEnabled', 'kube-apiserver runs with --anonymous-auth=true'),
  },
  {
    name: 'unset with a structured authentication configuration is skipped',
    subject: flags('--authentication-config=/etc/kubernetes/authn.yaml'),
    expected: skip(
      'anonymous authentication is configured in the --authentication-config file, which the pod does not show',
    ),
  },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: a value that is not a boolean',
    subject: flags('--anonymous-auth=no'),
    expected: checkError('InvalidFlag', '--anonymous-auth=no is not a boolean'),
  },
  {
    name: 'malformed: spec is a string',
    subject: apiserver(undefined, (pod) => (pod['spec'] = 'x')),
    expected: checkError('InvalidPodSpec', 'spec is missing or not an object'),
  },
];

describe('cp.apiserver-anonymous-auth', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
