import assert from 'node:assert/strict';
import { check } from '../../../src/checks/ns/psa-warn-audit.js';
import type { ScopedResult } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runNamespaceCheck } from '../../support/check-harness.js';
import { namespaceObject, podObject } from '../../engine/network/objects.js';

const ref = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
const WARN = 'pod-security.kubernetes.io/warn';
const AUDIT = 'pod-security.kubernetes.io/audit';
const compliant = {
  'pod-security.kubernetes.io/enforce': 'baseline',
  [WARN]: 'restricted',
  [AUDIT]: 'restricted',
};

function labelled(change: (labels: Record<string, string>) => void): KubeObject[] {
  const labels: Record<string, string> = { ...compliant };
  change(labels);
  return [namespaceObject('shop', labels)];
}

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly expected: readonly ScopedResult[];
}

const cases: readonly Case[] = [
  {
    name: 'warn and audit set',
    objects: labelled(() => undefined),
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'warn and audit privileged are still set',
    objects: labelled((l) => {
      l[WARN] = 'privileged';
      l[AUDIT] = 'privileged';
    }),
    expected: [{ resource: ref, outcome: PASS }],
  },
  {
    name: 'no warn label',
    objects: labelled((l) => delete l[WARN]),
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoWarnAuditLabels',
          `namespace "shop" has no ${WARN} label: violations are not warned about`,
        ),
      },
    ],
  },
  {
    name: 'no audit label',
    objects: labelled((l) => delete l[AUDIT]),
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoWarnAuditLabels',
          `namespace "shop" has no ${AUDIT} label: violations are not audited`,
        ),
      },
    ],
  },
  {
    name: 'neither',
    objects: [namespaceObject('shop')],
    expected: [
      {
        resource: ref,
        outcome: fail(
          'NoWarnAuditLabels',
          `namespace "shop" has no ${WARN} or ${AUDIT} label: violations are not warned about or audited`,
        ),
      },
    ],
  },
  {
    name: 'malformed: an unknown warn level',
    objects: labelled((l) => {
      l[WARN] = 'strict';
    }),
    expected: [
      {
        resource: ref,
        outcome: checkError(
          'InvalidLevel',
          `${WARN}="strict" is not a Pod Security level (privileged, baseline, restricted)`,
        ),
      },
    ],
  },
  {
    name: 'malformed: both levels unknown',
    objects: labelled((l) => {
      l[WARN] = 'strict';
      l[AUDIT] = '';
    }),
    expected: [
      {
        resource: ref,
        outcome: checkError(
          'InvalidLevel',
          `${WARN}="strict", ${AUDIT}="" are not Pod Security levels (privileged, baseline, restricted)`,
        ),
      },
    ],
  },
  {
    name: 'no Namespace object',
    objects: [podObject('shop', 'p')],
    expected: [
      {
        resource: ref,
        outcome: skip('the inventory has no Namespace object for "shop", so its labels are unknown'),
      },
    ],
  },
];

describe('ns.psa-warn-audit', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runNamespaceCheck(check, 'shop', { objects: c.objects }), c.expected);
    });
  }
});
