import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/etcd-client-tls.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, container, etcd, ETCD_FLAGS, replacing, without } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const exposed = (...problems: string[]): CheckOutcome =>
  fail(
    'EtcdClientTlsIncomplete',
    `etcd client connections are not fully protected by TLS: ${problems.join('; ')}`,
  );

const cases: Case[] = [
  { name: 'kubeadm-style client TLS', subject: etcd(), expected: PASS },
  {
    name: 'no TLS flags at all',
    subject: etcd(without(ETCD_FLAGS, 'cert-file', 'key-file', 'client-cert-auth')),
    expected: exposed(
      '--cert-file is not set',
      '--key-file is not set',
      '--client-cert-auth is not set (etcd defaults it to false)',
    ),
  },
  {
    name: 'client certificates not required',
    subject: etcd(replacing(ETCD_FLAGS, 'client-cert-auth', '--client-cert-auth=false')),
    expected: exposed('--client-cert-auth=false'),
  },
  {
    name: 'a bare --client-cert-auth is true',
    subject: etcd(replacing(ETCD_FLAGS, 'client-cert-auth', '--client-cert-auth')),
    expected: PASS,
  },
  {
    name: 'self-signed auto TLS',
    subject: etcd([...ETCD_FLAGS, '--auto-tls=true']),
    expected: exposed('--auto-tls=true (self-signed certificates)'),
  },
  {
    name: 'a plain http client URL',
    subject: etcd(
      replacing(
        ETCD_FLAGS,
        'listen-client-urls',
        '--listen-client-urls=https://10.0.0.10:2379,http://127.0.0.1:2379',
      ),
    ),
    expected: exposed('--listen-client-urls serves plain http on http://127.0.0.1:2379'),
  },
  {
    name: 'a plain http metrics URL is not a client URL',
    subject: etcd(),
    expected: PASS,
  },
  {
    name: 'settings from ETCD_* variables count',
    subject: etcd(without(ETCD_FLAGS, 'client-cert-auth'), (pod) => {
      container(pod)['env'] = [{ name: 'ETCD_CLIENT_CERT_AUTH', value: 'true' }];
    }),
    expected: PASS,
  },
  {
    name: 'the flags as args in the --flag value form',
    subject: etcd([], (pod) => {
      container(pod)['command'] = ['etcd'];
      // Boolean flags only take the =value form; the others are split into two words.
      container(pod)['args'] = ETCD_FLAGS.flatMap((flag) =>
        flag.endsWith('=true') ? [flag] : flag.split(/=(.*)/s).slice(0, 2),
      );
    }),
    expected: PASS,
  },
  {
    name: 'a --config-file is not visible, so the check is skipped',
    subject: etcd(['--config-file=/etc/etcd/config.yaml']),
    expected: skip('etcd reads its settings from --config-file, which is not visible in the pod'),
  },
  {
    name: 'a kube-apiserver pod is skipped',
    subject: apiserver(),
    expected: skip('not a static pod of etcd'),
  },
  {
    name: 'malformed: client-cert-auth is not a boolean',
    subject: etcd(replacing(ETCD_FLAGS, 'client-cert-auth', '--client-cert-auth=required')),
    expected: checkError('InvalidFlag', '--client-cert-auth=required is not a boolean'),
  },
];

describe('cp.etcd-client-tls', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
