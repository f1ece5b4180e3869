import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/etcd-peer-tls.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, etcd, ETCD_FLAGS, replacing, without } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const exposed = (...problems: string[]): CheckOutcome =>
  fail(
    'EtcdPeerTlsIncomplete',
    `etcd peer connections are not fully protected by TLS: ${problems.join('; ')}`,
  );

const cases: Case[] = [
  { name: 'kubeadm-style peer TLS', subject: etcd(), expected: PASS },
  {
    name: 'no peer TLS flags',
    subject: etcd(without(ETCD_FLAGS, 'peer-cert-file', 'peer-key-file', 'peer-client-cert-auth')),
    expected: exposed(
      '--peer-cert-file is not set',
      '--peer-key-file is not set',
      '--peer-client-cert-auth is not set (etcd defaults it to false)',
    ),
  },
  {
    name: 'peer certificates not required',
    subject: etcd(replacing(ETCD_FLAGS, 'peer-client-cert-auth', '--peer-client-cert-auth=false')),
    expected: exposed('--peer-client-cert-auth=false'),
  },
  {
    name: 'self-signed peer auto TLS',
    subject: etcd([...ETCD_FLAGS, '--peer-auto-tls']),
    expected: exposed('--peer-auto-tls=true (self-signed certificates)'),
  },
  {
    name: 'a plain http peer URL',
    subject: etcd(replacing(ETCD_FLAGS, 'listen-peer-urls', '--listen-peer-urls=http://10.0.0.10:2380')),
    expected: exposed('--listen-peer-urls serves plain http on http://10.0.0.10:2380'),
  },
  {
    name: 'client TLS problems do not count here',
    subject: etcd(without(ETCD_FLAGS, 'client-cert-auth')),
    expected: PASS,
  },
  {
    name: 'the last occurrence wins',
    subject: etcd([...ETCD_FLAGS, '--peer-client-cert-auth=false']),
    expected: exposed('--peer-client-cert-auth=false'),
  },
  {
    name: 'a kube-apiserver pod is skipped',
    subject: apiserver(),
    expected: skip('not a static pod of etcd'),
  },
  {
    name: 'malformed: peer-auto-tls is not a boolean',
    subject: etcd([...ETCD_FLAGS, '--peer-auto-tls=maybe']),
    expected: checkError('InvalidFlag', '--peer-auto-tls=maybe is not a boolean'),
  },
];

describe('cp.etcd-peer-tls', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
