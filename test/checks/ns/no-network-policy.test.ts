import assert from 'node:assert/strict';
import { check } from '../../../src/checks/ns/no-network-policy.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { deploymentObject, namespaceObject, podObject, policyObject } from '../../engine/network/objects.js';

const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
const workloads = [namespaceObject('shop'), deploymentObject('shop', 'web'), podObject('shop', 'debug')];

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'one NetworkPolicy',
    objects: [...workloads, policyObject('shop', 'deny', { podSelector: {} })],
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'a policy that selects only some pods is still a policy',
    objects: [...workloads, policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'web' } } })],
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'no NetworkPolicy',
    objects: workloads,
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoNetworkPolicy',
          'namespace "shop" runs 2 workloads (1 pod) and has no NetworkPolicy: every pod accepts connections from ' +
            'anywhere and may connect anywhere',
        ),
      },
    ],
  },
  {
    name: 'policies elsewhere do not count',
    objects: [...workloads, policyObject('ops', 'deny', {})],
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoNetworkPolicy',
          'namespace "shop" runs 2 workloads (1 pod) and has no NetworkPolicy: every pod accepts connections from ' +
            'anywhere and may connect anywhere',
        ),
      },
    ],
  },
  {
    name: 'only a policy the API server would reject',
    objects: [
      namespaceObject('shop'),
      deploymentObject('shop', 'web'),
      policyObject('shop', 'bad', { ingress: [{ from: [{}] }] }),
    ],
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoNetworkPolicy',
          'namespace "shop" runs 1 workload and has no NetworkPolicy (1 NetworkPolicy the API server would reject does ' +
            'not count): every pod accepts connections from anywhere and may connect anywhere',
        ),
      },
    ],
  },
  {
    name: 'a namespace without workloads',
    objects: [namespaceObject('shop')],
    expected: [{ resource: ref, outcome: skip('namespace "shop" has no pods or workloads') }],
  },
  {
    name: 'malformed: a Deployment without a template is no workload',
    objects: [
      namespaceObject('shop'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'shop' }, spec: 7 },
    ],
    expected: [{ resource: ref, outcome: skip('namespace "shop" has no pods or workloads') }],
  },
];

describe('ns.no-network-policy', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
