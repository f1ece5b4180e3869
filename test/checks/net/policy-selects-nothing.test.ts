import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/policy-selects-nothing.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { deploymentObject, podObject, policyObject } from '../../engine/network/objects.js';

const workloads = [
  deploymentObject('shop', 'web', { app: 'web' }),
  podObject('shop', 'debug', { run: 'debug' }),
];

function selecting(podSelector: unknown): KubeObject {
  return policyObject('shop', 'web', { podSelector, policyTypes: ['Ingress'] });
}

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly objects: readonly KubeObject[];
  readonly expected: CheckOutcome;
}

const cases: readonly Case[] = [
  {
    name: 'selects a Deployment template',
    subject: selecting({ matchLabels: { app: 'web' } }),
    objects: workloads,
    expected: PASS,
  },
  {
    name: 'selects a bare pod',
    subject: selecting({ matchExpressions: [{ key: 'run', operator: 'Exists' }] }),
    objects: workloads,
    expected: PASS,
  },
  { name: 'an empty selector selects every pod', subject: selecting({}), objects: workloads, expected: PASS },
  {
    name: 'a label typo selects nothing',
    subject: selecting({ matchLabels: { app: 'wbe' } }),
    objects: workloads,
    expected: fail(
      'SelectsNothing',
      'spec.podSelector "app=wbe" matches no pod or pod template in namespace "shop" (2 workloads there): the policy has no effect',
    ),
  },
  {
    name: 'pods of another namespace do not count',
    subject: selecting({ matchLabels: { app: 'web' } }),
    objects: [deploymentObject('ops', 'web', { app: 'web' }), podObject('shop', 'debug')],
    expected: fail(
      'SelectsNothing',
      'spec.podSelector "app=web" matches no pod or pod template in namespace "shop" (1 workload there): the policy has no effect',
    ),
  },
  {
    name: 'no workloads in the namespace: cannot be judged',
    subject: selecting({ matchLabels: { app: 'web' } }),
    objects: [deploymentObject('ops', 'web')],
    expected: skip(
      'the inventory holds no pod or workload in namespace "shop", so what the policy selects cannot be judged',
    ),
  },
  {
    name: 'malformed: an invalid selector is left to net.policy-invalid',
    subject: selecting({ matchExpressions: [{ key: 'app', operator: 'In' }] }),
    objects: workloads,
    expected: skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)'),
  },
];

describe('net.policy-selects-nothing', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject, { objects: c.objects }), c.expected);
    });
  }
});
