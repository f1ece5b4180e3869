import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/default-deny-ingress.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { fail, PASS } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { deploymentObject, namespaceObject, policyObject } from '../../engine/network/objects.js';

const shopRef = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
const compliant: readonly KubeObject[] = [
  namespaceObject('shop'),
  deploymentObject('shop', 'web'),
  policyObject('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
];

function replacingPolicy(spec: unknown): KubeObject[] {
  return [
    namespaceObject('shop'),
    deploymentObject('shop', 'web'),
    policyObject('shop', 'default-deny', spec),
  ];
}

const noDefaultDeny =
  'namespace "shop" has no NetworkPolicy that selects every pod (podSelector: {}) for Ingress: pods that no other ' +
  'policy selects accept connections from any pod and any address';

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'a default-deny ingress policy',
    objects: compliant,
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'policyTypes omitted: Ingress is implied',
    objects: replacingPolicy({ podSelector: {} }),
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'podSelector omitted: every pod, still a default deny',
    objects: replacingPolicy({ policyTypes: ['Ingress', 'Egress'] }),
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'an all-pods policy with narrow rules still isolates every pod',
    objects: replacingPolicy({
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    }),
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'no policy at all',
    objects: [namespaceObject('shop')],
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'only an Egress default deny',
    objects: replacingPolicy({ podSelector: {}, policyTypes: ['Egress'] }),
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'a policy selecting some pods only',
    objects: replacingPolicy({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] }),
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'an all-pods policy that allows everything (ingress: [{}])',
    objects: replacingPolicy({ podSelector: {}, ingress: [{}] }),
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'AllowAllNotDeny',
          'NetworkPolicy "default-deny" selects every pod for Ingress, and its spec.ingress[0] allows every source on ' +
            'every port: the namespace has no default deny',
        ),
      },
    ],
  },
  {
    name: 'a deny beside an all-pods allow-all policy: the union allows everything',
    objects: [
      ...compliant,
      policyObject('shop', 'allow-all', {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      }),
    ],
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'AllowAllNotDeny',
          'NetworkPolicy "allow-all" selects every pod for Ingress, and its spec.ingress[0] allows every source ' +
            '(0.0.0.0/0) on every port: the namespace has no default deny',
        ),
      },
    ],
  },
  {
    name: 'an all-pods rule limited to some ports is still a deny elsewhere',
    objects: [
      ...compliant,
      policyObject('shop', 'https', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }),
    ],
    expected: [{ resource: shopRef, outcome: PASS }],
  },
  {
    name: 'a default deny the API server would reject does not count',
    objects: replacingPolicy({ podSelector: {}, policyTypes: ['Ingress', 'Sideways'] }),
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'NoDefaultDeny',
          'namespace "shop" has no NetworkPolicy that selects every pod (podSelector: {}) for Ingress (NetworkPolicy ' +
            '"default-deny" would, but the API server rejects it): pods that no other policy selects accept ' +
            'connections from any pod and any address',
        ),
      },
    ],
  },
  {
    name: 'a default deny in another namespace does not count',
    objects: [namespaceObject('shop'), policyObject('ops', 'default-deny', { podSelector: {} })],
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'a namespace known only from its objects is named without a Namespace object',
    objects: [deploymentObject('shop', 'web')],
    expected: [{ resource: shopRef, outcome: fail('NoDefaultDeny', noDefaultDeny) }],
  },
  {
    name: 'malformed: spec is a string (the policy is rejected, nothing isolates)',
    objects: replacingPolicy('deny-all'),
    expected: [
      {
        resource: shopRef,
        outcome: fail(
          'NoDefaultDeny',
          'namespace "shop" has no NetworkPolicy that selects every pod (podSelector: {}) for Ingress (NetworkPolicy ' +
            '"default-deny" would, but the API server rejects it): pods that no other policy selects accept ' +
            'connections from any pod and any address',
        ),
      },
    ],
  },
];

describe('net.default-deny-ingress', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
