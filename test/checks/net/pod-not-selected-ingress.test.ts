import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/pod-not-selected-ingress.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { fail, PASS } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { deploymentObject, podObject, policyObject } from '../../engine/network/objects.js';

const webRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
const web = deploymentObject('shop', 'web', { app: 'web' });
const selectWeb = policyObject('shop', 'web', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
});

function replicaPod(name: string, labels: Record<string, string>): KubeObject {
  const pod = podObject('shop', name, labels);
  (pod.metadata as { ownerReferences?: unknown }).ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true },
  ];
  return pod;
}

const dbRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', namespace: 'shop' };

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const openWeb =
  'Deployment/web is selected by no NetworkPolicy for Ingress: its pods accept connections from any pod in any ' +
  'namespace, and any address, on every port';

const cases: readonly Case[] = [
  {
    name: 'selected by an ingress policy',
    objects: [web, selectWeb],
    expected: [{ resource: webRef, outcome: PASS, count: 1 }],
  },
  {
    name: 'selected by a default deny of its namespace',
    objects: [web, policyObject('shop', 'deny', { podSelector: {} })],
    expected: [{ resource: webRef, outcome: PASS, count: 1 }],
  },
  {
    name: 'no policy',
    objects: [web],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'selected only by an Egress policy',
    objects: [
      web,
      policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
    ],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'a policy whose selector misses the labels',
    objects: [web, policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'wbe' } } })],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'a policy in another namespace',
    objects: [web, policyObject('ops', 'deny', { podSelector: {} })],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'an invalid policy does not isolate',
    objects: [
      web,
      policyObject('shop', 'web', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{}] }],
      }),
    ],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'replicas selected one by one: the unselected ones are named and counted',
    objects: [
      replicaPod('db-0', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }),
      replicaPod('db-1', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-1' }),
      replicaPod('db-2', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-2' }),
      policyObject('shop', 'db-0', {
        podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } },
      }),
    ],
    expected: [
      {
        resource: dbRef,
        outcome: fail(
          'NotIsolated',
          '2 of 3 pods and templates of StatefulSet/db ("Pod/db-1", "Pod/db-2") are selected by no NetworkPolicy for ' +
            'Ingress: they accept connections from any pod in any namespace, and any address, on every port',
        ),
        count: 2,
      },
    ],
  },
  {
    name: 'one result per workload, sorted by kind and name',
    objects: [web, podObject('shop', 'debug', { run: 'debug' }), selectWeb],
    expected: [
      { resource: webRef, outcome: PASS, count: 1 },
      {
        resource: { apiVersion: 'v1', kind: 'Pod', name: 'debug', namespace: 'shop' },
        outcome: fail(
          'NotIsolated',
          'Pod/debug is selected by no NetworkPolicy for Ingress: its pods accept connections from any pod in any ' +
            'namespace, and any address, on every port',
        ),
        count: 1,
      },
    ],
  },
  { name: 'a namespace without workloads gives no results', objects: [selectWeb], expected: [] },
  {
    name: 'malformed: a pod template without labels is matched only by an empty selector',
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { template: { spec: { containers: [] } } },
      },
      selectWeb,
    ],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
];

describe('net.pod-not-selected-ingress', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
