import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/default-deny-egress.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { fail, PASS } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { namespaceObject, policyObject } from '../../engine/network/objects.js';

const shopRef = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };

function withPolicy(spec: unknown): KubeObject[] {
  return [namespaceObject('shop'), policyObject('shop', 'default-deny', spec)];
}

const noDefaultDeny =
  'namespace "shop" has no NetworkPolicy that selects every pod (podSelector: {}) for Egress: pods that no other ' +
  'policy selects may connect to any pod and any address';

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'a default-deny egress policy',
    objects: withPolicy({ podSelector: {}, policyTypes: ['Egress'] }),
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'egress implied by egress rules (DNS only)',
    objects: withPolicy({ podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'no policyTypes and no egress rules: ingress only',
    objects: withPolicy({ podSelector: {} }),
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'no policyTypes and egress: []: still ingress only',
    objects: withPolicy({ podSelector: {}, egress: [] }),
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'an all-pods policy that allows all egress (egress: [{}])',
    objects: withPolicy({ podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'AllowAllNotDeny',
          'NetworkPolicy "default-deny" selects every pod for Egress, and its spec.egress[0] allows every destination ' +
            'on every port: the namespace has no default deny',
        ),
      },
    ],
  },
  {
    name: 'an all-pods policy with egress to 0.0.0.0/0 on every port',
    objects: withPolicy({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    }),
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'AllowAllNotDeny',
          'NetworkPolicy "default-deny" selects every pod for Egress, and its spec.egress[0] allows every destination ' +
            '(0.0.0.0/0) on every port: the namespace has no default deny',
        ),
      },
    ],
  },
  {
    name: 'no policy at all',
    objects: [namespaceObject('shop')],
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
];

describe('net.default-deny-egress', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
