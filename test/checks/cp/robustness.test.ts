/**
 * Property: no cp check throws on arbitrary static pods, command lines included (flags in
 * every form, stray words, shell scripts, non-strings), and outcomes are well-formed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cpChecks } from '../../../src/checks/cp/index.js';
import type { ObjectCheck } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { runObjectCheck } from '../../support/check-harness.js';

const flagName = fc.constantFrom(
  'anonymous-auth',
  'authorization-mode',
  'profiling',
  'audit-log-maxage',
  'audit-log-path',
  'enable-admission-plugins',
  'client-cert-auth',
  'peer-auto-tls',
  'listen-client-urls',
  'config-file',
  'authentication-config',
);
const word = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.constantFrom('--', '-'), flagName, fc.constantFrom('', '='), fc.string())
    .map((parts) => parts.join('')),
  fc.constantFrom('--', 'true', 'false', 'http://x', 'kube-apiserver', 'etcd', '/bin/sh', '-c', '&&'),
);
const words = fc.oneof(
  fc.anything(),
  fc.array(fc.oneof(word, fc.anything()), { maxLength: 12 }),
  fc.array(word, { maxLength: 12 }),
);

const pod = fc.record({
  metadata: fc.record({
    name: fc.constantFrom('kube-apiserver-a', 'etcd-a', 'x'),
    namespace: fc.constantFrom('kube-system', 'default'),
    labels: fc.oneof(
      fc.anything(),
      fc.record({
        component: fc.constantFrom('kube-apiserver', 'etcd', 'x'),
        tier: fc.constantFrom('control-plane', 'x'),
      }),
    ),
  }),
  spec: fc.oneof(
    fc.anything(),
    fc.record({
      containers: fc.oneof(
        fc.anything(),
        fc.array(
          fc.record(
            {
              name: fc.oneof(fc.anything(), fc.constantFrom('kube-apiserver', 'etcd')),
              command: words,
              args: words,
              env: fc.oneof(
                fc.anything(),
                fc.array(fc.record({ name: fc.constantFrom('ETCD_AUTO_TLS', 'X'), value: fc.anything() })),
              ),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    }),
  ),
});

describe('cp checks on arbitrary input', () => {
  for (const check of cpChecks) {
    it(`${check.id} never throws`, () => {
      fc.assert(
        fc.property(pod, (p) => {
          const outcome = runObjectCheck(
            check as ObjectCheck,
            { apiVersion: 'v1', kind: 'Pod', ...p } as KubeObject,
          );
          assert.ok(['pass', 'fail', 'skip', 'error'].includes(outcome.status));
          if (outcome.status === 'fail' || outcome.status === 'error')
            assert.equal(typeof outcome.message, 'string');
        }),
        { numRuns: 300 },
      );
    });
  }
});
