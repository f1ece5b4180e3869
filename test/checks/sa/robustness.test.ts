/** Property: no sa check throws on arbitrary ServiceAccounts and Secrets, and outcomes are well-formed. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { saChecks } from '../../../src/checks/sa/index.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { runClusterCheck, runObjectCheck } from '../../support/check-harness.js';

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
          const objects = others as KubeObject[];
          // Object checks judge the subject; cluster checks (sa.privileged-unused) judge it among the others.
          const outcomes: CheckOutcome[] =
            check.scope === 'object'
              ? [runObjectCheck(check, subject as KubeObject, { objects })]
              : check.scope === 'cluster'
                ? runClusterCheck(check, { objects: [subject as KubeObject, ...objects] }).map(
                    (r) => r.outcome,
                  )
                : assert.fail(`unexpected scope ${check.scope}`);
          for (const outcome of outcomes) {
            assert.ok(['pass', 'fail', 'skip', 'error'].includes(outcome.status));
            if (outcome.status === 'fail' || outcome.status === 'error')
              assert.equal(typeof outcome.message, 'string');
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
