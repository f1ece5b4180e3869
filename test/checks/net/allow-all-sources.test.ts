import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/allow-all-sources.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { policyObject } from '../../engine/network/objects.js';

/** A compliant policy: web accepts db on 8080 only. Each case changes its ingress. */
function withIngress(ingress: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress, ...extra });
}

const narrow = [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 8080 }] }];

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const cases: readonly Case[] = [
  { name: 'sources named by pod selector', subject: withIngress(narrow), expected: PASS },
  {
    name: 'a default deny (no rules)',
    subject: withIngress(undefined, { policyTypes: ['Ingress'] }),
    expected: PASS,
  },
  {
    name: 'a namespace named by its name label together with a pod selector',
    subject: withIngress([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } },
            podSelector: { matchLabels: { app: 'prometheus' } },
          },
        ],
      },
    ]),
    expected: PASS,
  },
  {
    name: 'a narrow IP block',
    subject: withIngress([{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }]),
    expected: PASS,
  },
  {
    name: 'a rule without from',
    subject: withIngress([{ ports: [{ port: 443 }] }]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0] has no "from": every source, in the cluster and outside it, on 443/TCP',
    ),
  },
  {
    name: 'the allow-all rule ingress: [{}]',
    subject: withIngress([{}]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0] has no "from": every source, in the cluster and outside it, on every port',
    ),
  },
  {
    name: 'from: [] is every source too',
    subject: withIngress([{ from: [], ports: [{ port: 8080 }] }]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0] has no "from": every source, in the cluster and outside it, on 8080/TCP',
    ),
  },
  {
    name: 'an empty peer from: [{}]',
    subject: withIngress([{ from: [{}] }]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0].from[0] is an empty peer ({}): it reads as "every source", and the API server rejects it ("must specify a peer")',
    ),
  },
  {
    name: '0.0.0.0/0',
    subject: withIngress([{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }]),
    expected: fail('OpenToAllSources', 'spec.ingress[0] allows the internet (0.0.0.0/0) on 443/TCP'),
  },
  {
    name: '0.0.0.0/0 with the private ranges excepted is still the internet',
    subject: withIngress([
      {
        from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      },
    ]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0] allows the internet (0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) on every port',
    ),
  },
  {
    name: '::/0',
    subject: withIngress([{ from: [{ ipBlock: { cidr: '::/0' } }] }]),
    expected: fail('OpenToAllSources', 'spec.ingress[0] allows the internet (::/0) on every port'),
  },
  {
    name: 'namespaceSelector: {} alone',
    subject: withIngress([{ from: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] }]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0].from[0] (namespaceSelector: {}) allows every pod in every namespace on 8080/TCP',
    ),
  },
  {
    name: 'namespaceSelector: {} with a pod selector',
    subject: withIngress([
      { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] },
    ]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[0].from[0] (namespaceSelector: {}) allows pods app=prometheus in every namespace on every port',
    ),
  },
  {
    name: 'several problems are listed together',
    subject: withIngress([...narrow, { ports: [{ port: 80 }] }, { from: [{ namespaceSelector: {} }] }]),
    expected: fail(
      'OpenToAllSources',
      'spec.ingress[1] has no "from": every source, in the cluster and outside it, on 80/TCP; spec.ingress[2].from[0] ' +
        '(namespaceSelector: {}) allows every pod in every namespace on every port',
    ),
  },
  {
    name: 'ingress rules of an Egress-only policy are not in force',
    subject: withIngress([{}], { policyTypes: ['Egress'] }),
    expected: skip('the policy does not affect ingress'),
  },
  {
    name: 'invalid for another reason: left to net.policy-invalid',
    subject: withIngress([{ from: [{ ipBlock: { cidr: 'everywhere' } }] }]),
    expected: skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)'),
  },
  {
    name: 'malformed: ingress is not a list',
    subject: withIngress({ from: [] }),
    expected: skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)'),
  },
  {
    name: 'not a NetworkPolicy',
    subject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
    expected: skip('not a NetworkPolicy'),
  },
];

describe('net.allow-all-sources', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
