import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/egress-internet.js';
import type { Params } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { policyObject } from '../../engine/network/objects.js';

/** A compliant policy: web may reach db and DNS. Each case changes its egress. */
function withEgress(egress: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return policyObject('shop', 'web', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress,
    ...extra,
  });
}

const dns = {
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};
const toDb = { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] };

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly params?: Params;
  readonly expected: CheckOutcome;
}

const cases: readonly Case[] = [
  { name: 'named destinations and DNS to anywhere', subject: withEgress([toDb, dns]), expected: PASS },
  { name: 'a default deny', subject: withEgress(undefined), expected: PASS },
  {
    name: 'a narrow external range',
    subject: withEgress([{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }]),
    expected: PASS,
  },
  {
    name: 'the private ranges only',
    subject: withEgress([
      { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '192.168.0.0/16' } }] },
    ]),
    expected: PASS,
  },
  {
    name: 'a rule without to on all ports',
    subject: withEgress([toDb, {}]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[1] has no "to": every destination, the internet included, on every port',
    ),
  },
  {
    name: 'a rule without to on HTTPS',
    subject: withEgress([{ ports: [{ port: 443 }] }]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[0] has no "to": every destination, the internet included, on 443/TCP',
    ),
  },
  {
    name: 'HTTPS anywhere accepted through the allowedPorts parameter',
    subject: withEgress([{ ports: [{ port: 443 }] }]),
    params: { allowedPorts: ['443/TCP'] },
    expected: PASS,
  },
  {
    name: 'a named port in allowedPorts',
    subject: withEgress([{ ports: [{ port: 'dns', protocol: 'UDP' }] }]),
    params: { allowedPorts: ['dns/UDP'] },
    expected: PASS,
  },
  {
    name: 'DNS and another port in one rule is not DNS only',
    subject: withEgress([{ ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] }]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[0] has no "to": every destination, the internet included, on 53/UDP, 80/TCP',
    ),
  },
  {
    name: 'a whole protocol is not DNS only',
    subject: withEgress([{ ports: [{ protocol: 'UDP' }] }]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[0] has no "to": every destination, the internet included, on every UDP port',
    ),
  },
  {
    name: '0.0.0.0/0 except the private ranges',
    subject: withEgress([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
        ports: [{ port: 443 }],
      },
    ]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[0] allows the internet (0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) on 443/TCP',
    ),
  },
  {
    name: 'the internet split into two halves is still the internet',
    subject: withEgress([{ to: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '128.0.0.0/1' } }] }]),
    expected: fail(
      'EgressToInternet',
      'spec.egress[0] allows the internet (0.0.0.0/1, 128.0.0.0/1) on every port',
    ),
  },
  {
    name: '::/0',
    subject: withEgress([{ to: [{ ipBlock: { cidr: '::/0' } }] }]),
    expected: fail('EgressToInternet', 'spec.egress[0] allows the internet (::/0) on every port'),
  },
  {
    name: '2000::/3 is the whole IPv6 internet',
    subject: withEgress([{ to: [{ ipBlock: { cidr: '2000::/3' } }] }]),
    expected: fail('EgressToInternet', 'spec.egress[0] allows the internet (2000::/3) on every port'),
  },
  {
    name: 'egress rules of a policy that does not affect egress',
    subject: withEgress([{}], { policyTypes: ['Ingress'] }),
    expected: skip('the policy does not affect egress'),
  },
  {
    name: 'egress: [] with no policyTypes does not affect egress',
    subject: policyObject('shop', 'web', { podSelector: {}, egress: [] }),
    expected: skip('the policy does not affect egress'),
  },
  {
    name: 'malformed: an egress rule that is not an object',
    subject: withEgress(['everything']),
    expected: skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)'),
  },
];

describe('net.egress-internet', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(
        runObjectCheck(check, c.subject, c.params !== undefined ? { params: c.params } : {}),
        c.expected,
      );
    });
  }
});
