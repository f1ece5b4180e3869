/**
 * Property: no pss check and no whole-pod verdict throws, whatever a manifest holds where
 * the fields Pod Security reads should be, and every outcome is well-formed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pssChecks } from '../../../src/checks/pss/index.js';
import { evaluatePodSecurity } from '../../../src/checks/pss/upstream.js';
import type { PodCheck } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { podSubjectOf } from '../../../src/engine/pod-spec.js';
import { runPodCheck } from '../../support/check-harness.js';

// Mostly plausible values, sometimes anything at all, so both the rules and the readers are exercised.
const field = fc.oneof(
  { weight: 1, arbitrary: fc.anything() },
  {
    weight: 3,
    arbitrary: fc.constantFrom(true, false, null, 0, 1000, '', 'ALL', 'Unmasked', 'Unconfined', 'windows'),
  },
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof(fc.anything(), arbitrary);

const securityContext = maybe(
  fc.record(
    {
      privileged: field,
      allowPrivilegeEscalation: field,
      runAsNonRoot: field,
      runAsUser: field,
      procMount: field,
      capabilities: maybe(
        fc.record({ add: maybe(fc.array(field)), drop: maybe(fc.array(field)) }, { requiredKeys: [] }),
      ),
      seccompProfile: maybe(fc.record({ type: field }, { requiredKeys: [] })),
      appArmorProfile: maybe(fc.record({ type: field }, { requiredKeys: [] })),
      seLinuxOptions: maybe(fc.record({ type: field, user: field, role: field }, { requiredKeys: [] })),
      windowsOptions: maybe(fc.record({ hostProcess: field }, { requiredKeys: [] })),
      sysctls: maybe(fc.array(maybe(fc.record({ name: field, value: field })))),
    },
    { requiredKeys: [] },
  ),
);

const probe = maybe(
  fc.record(
    { httpGet: maybe(fc.record({ host: field })), tcpSocket: maybe(fc.record({ host: field })) },
    { requiredKeys: [] },
  ),
);

const container = maybe(
  fc.record(
    {
      name: field,
      securityContext,
      ports: maybe(
        fc.array(maybe(fc.record({ containerPort: field, hostPort: field }, { requiredKeys: [] }))),
      ),
      livenessProbe: probe,
      lifecycle: maybe(fc.record({ postStart: probe, preStop: probe }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
);
const containers = maybe(fc.array(container, { maxLength: 3 }));

const spec = fc.record(
  {
    containers,
    initContainers: containers,
    ephemeralContainers: containers,
    hostNetwork: field,
    hostPID: field,
    hostUsers: field,
    os: maybe(fc.record({ name: field })),
    securityContext,
    volumes: maybe(
      fc.array(maybe(fc.dictionary(fc.constantFrom('name', 'hostPath', 'nfs', 'secret', 'emptyDir'), field))),
    ),
  },
  { requiredKeys: [] },
);

const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record(
    { name: fc.constant('p'), namespace: fc.constant('ns'), annotations: field },
    { requiredKeys: ['name'] },
  ),
  spec,
});

const version = fc.oneof(
  fc.constant('latest'),
  fc.integer({ min: 0, max: 40 }).map((minor) => `v1.${minor}`),
);

describe('pss robustness', () => {
  it('no check throws on arbitrary pods at any version', () => {
    fc.assert(
      fc.property(pod, version, (subject, at) => {
        for (const check of pssChecks) {
          const outcome = runPodCheck(check as PodCheck, subject as KubeObject, { podSecurityVersion: at });
          assert.ok(['pass', 'fail', 'skip', 'error'].includes(outcome.status));
          if (outcome.status === 'fail' || outcome.status === 'error') assert.ok(outcome.message.length > 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('evaluatePodSecurity never throws on the pod, and denies whenever it lists a violation', () => {
    fc.assert(
      fc.property(
        pod,
        version,
        fc.constantFrom('baseline' as const, 'restricted' as const),
        (subject, at, level) => {
          const podSubject = podSubjectOf(subject as KubeObject);
          assert.ok(podSubject);
          const verdict = evaluatePodSecurity(level, at, podSubject);
          assert.equal(verdict.allowed, verdict.violations.length === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
