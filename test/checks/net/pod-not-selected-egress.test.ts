import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/pod-not-selected-egress.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { fail, PASS } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { deploymentObject, policyObject } from '../../engine/network/objects.js';

const webRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
const web = deploymentObject('shop', 'web', { app: 'web' });

const openWeb =
  'Deployment/web is selected by no NetworkPolicy for Egress: its pods may connect to any pod in any namespace, and ' +
  'any address, on every port';

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'selected by an Egress policy',
    objects: [
      web,
      policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
    ],
    expected: [{ resource: webRef, outcome: PASS, count: 1 }],
  },
  {
    name: 'selected by a policy with egress rules and no policyTypes',
    objects: [web, policyObject('shop', 'web', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] })],
    expected: [{ resource: webRef, outcome: PASS, count: 1 }],
  },
  {
    name: 'selected only for Ingress (policyTypes omitted, no egress rules)',
    objects: [web, policyObject('shop', 'web', { podSelector: {} })],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
  {
    name: 'no policy',
    objects: [web],
    expected: [{ resource: webRef, outcome: fail('NotIsolated', openWeb), count: 1 }],
  },
];

describe('net.pod-not-selected-egress', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
