import assert from 'node:assert/strict';
import { lastChangedBy } from '../../src/controller/changed-by.js';
import type { KubeObject } from '../../src/engine/objects.js';

function withManagedFields(managedFields: unknown): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', managedFields },
  } as KubeObject;
}

const cases: readonly { name: string; managedFields: unknown; expected: unknown }[] = [
  { name: 'no managedFields', managedFields: undefined, expected: undefined },
  {
    name: 'only controllers and the kubelet: nobody to name',
    managedFields: [
      { manager: 'kube-controller-manager', operation: 'Update', time: '2026-11-20T09:14:03Z' },
      { manager: 'kubelet', operation: 'Update', subresource: 'status', time: '2026-11-20T09:14:21Z' },
    ],
    expected: undefined,
  },
  {
    name: 'the latest change by a person or tool wins over earlier ones and over machines',
    managedFields: [
      { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-11-20T09:00:00Z' },
      { manager: 'helm', operation: 'Apply', time: '2026-11-21T10:00:00Z' },
      { manager: 'kubelet', operation: 'Update', time: '2026-11-22T10:00:00Z' },
      'not an entry',
    ],
    expected: { manager: 'helm', operation: 'Apply', time: '2026-11-21T10:00:00Z' },
  },
  {
    name: 'an entry with a time beats one without',
    managedFields: [{ manager: 'a' }, { manager: 'b', time: '2026-11-20T09:00:00Z' }],
    expected: { manager: 'b', time: '2026-11-20T09:00:00Z' },
  },
  {
    name: 'without any time, the first entry stands',
    managedFields: [{ manager: 'a', operation: 'Update' }, { manager: 'b' }],
    expected: { manager: 'a', operation: 'Update' },
  },
];

describe('lastChangedBy', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(lastChangedBy(withManagedFields(c.managedFields)), c.expected);
    });
  }
});
