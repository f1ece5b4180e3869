import assert from 'node:assert/strict';
import { check } from '../../../src/checks/ns/psa-enforce.js';
import type { Params, ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { deploymentObject, namespaceObject } from '../../engine/network/objects.js';

const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
const ENFORCE = 'pod-security.kubernetes.io/enforce';

function labelled(labels: Record<string, string>): KubeObject[] {
  return [namespaceObject('shop', labels)];
}

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly params?: Params;
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'enforces baseline (the default minimum)',
    objects: labelled({ [ENFORCE]: 'baseline' }),
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'enforces restricted',
    objects: labelled({ [ENFORCE]: 'restricted' }),
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'no enforce label',
    objects: labelled({ 'pod-security.kubernetes.io/warn': 'restricted' }),
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoEnforceLabel',
          'namespace "shop" has no pod-security.kubernetes.io/enforce label: Pod Security admission enforces nothing ' +
            'there beyond the cluster-wide default',
        ),
      },
    ],
  },
  {
    name: 'enforces privileged, below baseline',
    objects: labelled({ [ENFORCE]: 'privileged' }),
    expected: [
      {
        resource: ref,
        outcome: fail(
          'EnforceBelowMinimum',
          'namespace "shop" enforces Pod Security level "privileged", below the required "baseline"',
        ),
      },
    ],
  },
  {
    name: 'baseline below a restricted minimum',
    objects: labelled({ [ENFORCE]: 'baseline' }),
    params: { minimumLevel: 'restricted' },
    expected: [
      {
        resource: ref,
        outcome: fail(
          'EnforceBelowMinimum',
          'namespace "shop" enforces Pod Security level "baseline", below the required "restricted"',
        ),
      },
    ],
  },
  {
    name: 'privileged accepted when the minimum is privileged',
    objects: labelled({ [ENFORCE]: 'privileged' }),
    params: { minimumLevel: 'privileged' },
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'malformed: an unknown level',
    objects: labelled({ [ENFORCE]: 'Restricted' }),
    expected: [
      {
        resource: ref,
        outcome: checkError(
          'InvalidLevel',
          'label pod-security.kubernetes.io/enforce="Restricted" is not a Pod Security level (privileged, baseline, restricted)',
        ),
      },
    ],
  },
  {
    name: 'no Namespace object: labels unknown',
    objects: [deploymentObject('shop', 'web')],
    expected: [
      {
        resource: ref,
        outcome: skip('the inventory has no Namespace object for "shop", so its labels are unknown'),
      },
    ],
  },
  {
    name: 'malformed: labels is not a map',
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: 'enforce=baseline' },
      } as unknown as KubeObject,
    ],
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoEnforceLabel',
          'namespace "shop" has no pod-security.kubernetes.io/enforce label: Pod Security admission enforces nothing ' +
            'there beyond the cluster-wide default',
        ),
      },
    ],
  },
];

describe('ns.psa-enforce', () => {
  for (const c of cases) {
    it(c.name, () => {
      const options = { objects: c.objects, ...(c.params !== undefined ? { params: c.params } : {}) };
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', options), c.expected);
    });
  }
});
