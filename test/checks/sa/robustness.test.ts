/** Property: no sa check throws on arbitrary ServiceAccounts and Secrets, and outcomes are well-formed. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { saChecks } from '../../../src/checks/sa/index.js';
import type { ObjectCheck } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { runObjectCheck } from '../../support/check-harness.js';

const object = fc.record(
  {
    kind: fc.constantFrom('ServiceAccount', 'Secret'),
    metadata: fc.oneof(
      fc.anything(),
      fc.record(
        { name: fc.anything(), namespace: fc.anything(), annotations: fc.anything() },
        { requiredKeys: [] },
      ),
    ),
    automountServiceAccountToken: fc.anything(),
    secrets: fc.oneof(fc.anything(), fc.array(fc.oneof(fc.anything(), fc.record({ name: fc.anything() })))),
    type: fc.oneof(fc.anything(), fc.constant('kubernetes.io/service-account-token')),
  },
  { requiredKeys: ['kind'] },
);

describe('sa checks on arbitrary input', () => {
  for (const check of saChecks) {
    it(`${check.id} never throws`, () => {
      fc.assert(
        fc.property(object, fc.array(object, { maxLength: 3 }), (subject, others) => {
          const outcome = runObjectCheck(check as ObjectCheck, subject as KubeObject, {
            objects: others as KubeObject[],
          });
          assert.ok(['pass', 'fail', 'skip', 'error'].includes(outcome.status));
          if (outcome.status === 'fail' || outcome.status === 'error')
            assert.equal(typeof outcome.message, 'string');
        }),
        { numRuns: 300 },
      );
    });
  }
});
