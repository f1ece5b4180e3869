import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-kubelet-ca.js';
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
  apiserver(replacing(APISERVER_FLAGS, 'kubelet-certificate-authority', ...words));
const unverified = fail(
  'KubeletNotVerified',
  '--kubelet-certificate-authority is not set, so kube-apiserver does not verify kubelet serving certificates',
);

const cases: Case[] = [
  { name: 'a kubelet CA', subject: apiserver(), expected: PASS },
  { name: 'unset (the kubeadm default)', subject: flags(), expected: unverified },
  { name: 'blank', subject: flags('--kubelet-certificate-authority= '), expected: unverified },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: containers is null',
    subject: apiserver(undefined, (pod) => (pod['spec'] = { containers: null })),
    expected: checkError('InvalidPodSpec', 'spec.containers is not a list'),
  },
];

describe('cp.apiserver-kubelet-ca', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
