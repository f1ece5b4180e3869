/**
 * Property: no workload check throws, whatever a manifest holds where a pod spec, a
 * container or a field should be, and every outcome is well-formed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { workloadChecks } from '../../../src/checks/workload/index.js';
import type { PodCheck } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';

const field = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom('nginx', 'a:b@sha256:x', 'localhost:5000/x', '', 'Always'),
);

const container = fc.oneof(
  fc.anything(),
  fc.record(
    {
      name: field,
      image: field,
      restartPolicy: field,
      env: fc.oneof(fc.anything(), fc.array(fc.record({ name: field, value: field }, { requiredKeys: [] }))),
      resources: fc.oneof(
        fc.anything(),
        fc.record({
          requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), field),
          limits: fc.anything(),
        }),
      ),
      securityContext: fc.oneof(fc.anything(), fc.record({ readOnlyRootFilesystem: field })),
    },
    { requiredKeys: [] },
  ),
);

const containers = fc.oneof(fc.anything(), fc.array(container, { maxLength: 4 }));

const spec = fc.record(
  {
    containers,
    initContainers: containers,
    ephemeralContainers: containers,
    serviceAccountName: field,
    serviceAccount: field,
    automountServiceAccountToken: field,
    os: fc.oneof(fc.anything(), fc.record({ name: field })),
  },
  { requiredKeys: [] },
);

const pod = fc.record({
  metadata: fc.oneof(
    fc.constant({ name: 'p', namespace: 'ns' }),
    fc.record({ name: field, namespace: field, annotations: fc.anything() }, { requiredKeys: [] }),
  ),
  spec,
});

const serviceAccount = fc.record({
  automountServiceAccountToken: field,
  secrets: fc.anything(),
});

// Parameters arrive validated by the policy compiler, so only their values vary.
const registryLists = fc.oneof(
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(['registry.example.com']),
);

function assertWellFormed(outcome: CheckOutcome): void {
  assert.ok(['pass', 'fail', 'skip', 'error'].includes(outcome.status));
  if (outcome.status === 'fail' || outcome.status === 'error') {
    assert.equal(typeof outcome.message, 'string');
    assert.ok(outcome.message.length < 4000, 'messages stay short');
  }
}

describe('workload checks on arbitrary input', () => {
  for (const check of workloadChecks) {
    it(`${check.id} never throws`, () => {
      fc.assert(
        fc.property(pod, serviceAccount, registryLists, (p, sa, registries) => {
          const subject = { apiVersion: 'v1', kind: 'Pod', ...p } as KubeObject;
          const account = {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { name: 'default', namespace: 'ns' },
            ...sa,
          };
          const outcome = runPodCheck(check as PodCheck, subject, {
            objects: [account as KubeObject],
            params: { registries },
          });
          assertWellFormed(outcome);
        }),
        { numRuns: 200 },
      );
    });
  }
});
