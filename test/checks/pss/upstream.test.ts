/**
 * The whole-pod verdict as upstream's registry computes it: which checks run at each level,
 * overrides by version, the order of violations, and the joined denial text.
 */
import assert from 'node:assert/strict';
import { pssChecks } from '../../../src/checks/pss/index.js';
import type { PodSecurityLevel } from '../../../src/checks/pss/upstream.js';
import {
  evaluatePodSecurity,
  forbiddenDetail,
  UPSTREAM_CHECKS,
  upstreamCheckOf,
} from '../../../src/checks/pss/upstream.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { podSubjectOf } from '../../../src/engine/pod-spec.js';
import { app, asDeployment, compliantPod, podWith, sc, setRaw } from './fixtures.js';

interface Row {
  readonly name: string;
  readonly level: PodSecurityLevel;
  readonly version: string;
  readonly subject: KubeObject;
  /** Upstream IDs of the violations, in order; empty means allowed. */
  readonly violations: readonly string[];
}

const addsSysAdmin = podWith((spec) => (sc(app(spec)).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] }));
const windowsAddsSysAdmin = podWith((spec) => {
  spec.os = { name: 'windows' };
  sc(app(spec)).capabilities = { add: ['SYS_ADMIN'] };
});
const hostPathVolume = podWith((spec) => (spec.volumes = [{ name: 'root', hostPath: { path: '/' } }]));
const unmaskedInUserNamespace = podWith((spec) => {
  spec.hostUsers = false;
  sc(app(spec)).procMount = 'Unmasked';
});
const bare = podWith((spec) => {
  delete spec.securityContext;
  delete app(spec).securityContext;
});

const rows: Row[] = [
  {
    name: 'the compliant pod at restricted',
    level: 'restricted',
    version: 'latest',
    subject: compliantPod(),
    violations: [],
  },
  { name: 'a bare pod passes baseline', level: 'baseline', version: 'v1.0', subject: bare, violations: [] },
  {
    name: 'a bare pod at restricted latest: restricted checks in sorted order',
    level: 'restricted',
    version: 'latest',
    subject: bare,
    violations: [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ],
  },
  {
    name: 'a bare pod at restricted v1.0 meets only the checks v1.0 has',
    level: 'restricted',
    version: 'v1.0',
    subject: bare,
    violations: ['runAsNonRoot'],
  },
  {
    name: 'baseline checks come first, then restricted ones',
    level: 'restricted',
    version: 'latest',
    subject: podWith((spec) => {
      spec.hostPID = true;
      delete spec.securityContext?.runAsNonRoot;
      sc(app(spec)).privileged = true;
    }),
    violations: ['hostNamespaces', 'privileged', 'runAsNonRoot'],
  },
  {
    name: 'SYS_ADMIN at baseline',
    level: 'baseline',
    version: 'latest',
    subject: addsSysAdmin,
    violations: ['capabilities_baseline'],
  },
  {
    name: 'SYS_ADMIN at restricted v1.22: capabilities_restricted overrides capabilities_baseline',
    level: 'restricted',
    version: 'v1.22',
    subject: addsSysAdmin,
    violations: ['capabilities_restricted'],
  },
  {
    name: 'SYS_ADMIN at restricted v1.21: no override before capabilities_restricted exists',
    level: 'restricted',
    version: 'v1.21',
    subject: addsSysAdmin,
    violations: ['capabilities_baseline'],
  },
  {
    name: 'a Windows pod adding SYS_ADMIN passes restricted v1.25, as upstream (the override holds though the check exempts it)',
    level: 'restricted',
    version: 'v1.25',
    subject: windowsAddsSysAdmin,
    violations: [],
  },
  {
    name: 'the same Windows pod fails baseline',
    level: 'baseline',
    version: 'v1.25',
    subject: windowsAddsSysAdmin,
    violations: ['capabilities_baseline'],
  },
  {
    name: 'hostPath at baseline',
    level: 'baseline',
    version: 'v1.10',
    subject: hostPathVolume,
    violations: ['hostPathVolumes'],
  },
  {
    name: 'hostPath at restricted is reported by restrictedVolumes alone',
    level: 'restricted',
    version: 'v1.10',
    subject: hostPathVolume,
    violations: ['restrictedVolumes'],
  },
  {
    name: 'unmasked /proc in a user namespace passes baseline v1.35',
    level: 'baseline',
    version: 'v1.35',
    subject: unmaskedInUserNamespace,
    violations: [],
  },
  {
    name: 'and fails restricted v1.35 through procMount_restricted',
    level: 'restricted',
    version: 'v1.35',
    subject: unmaskedInUserNamespace,
    violations: ['procMount_restricted'],
  },
  {
    name: 'and fails restricted v1.34 through the strict baseline procMount',
    level: 'restricted',
    version: 'v1.34',
    subject: unmaskedInUserNamespace,
    violations: ['procMount'],
  },
  {
    name: 'versions after the newest policy behave as latest',
    level: 'restricted',
    version: 'v1.40',
    subject: unmaskedInUserNamespace,
    violations: ['procMount_restricted'],
  },
  {
    name: 'a malformed field denies the pod, with an error violation',
    level: 'baseline',
    version: 'latest',
    subject: podWith((spec) => setRaw(spec, 'hostNetwork', 'true')),
    violations: ['hostNamespaces'],
  },
  {
    name: 'templates are judged like pods',
    level: 'restricted',
    version: 'latest',
    subject: asDeployment(addsSysAdmin),
    violations: ['capabilities_restricted'],
  },
];

function subjectOf(holder: KubeObject): NonNullable<ReturnType<typeof podSubjectOf>> {
  const subject = podSubjectOf(holder);
  if (subject === undefined) throw new Error('fixture carries no pod spec');
  return subject;
}

describe('evaluatePodSecurity', () => {
  for (const row of rows) {
    it(row.name, () => {
      const verdict = evaluatePodSecurity(row.level, row.version, subjectOf(row.subject));
      assert.deepEqual(
        verdict.violations.map((v) => v.upstreamId),
        row.violations,
      );
      assert.equal(verdict.allowed, row.violations.length === 0);
    });
  }

  it('words violations as upstream, joined as in its denial message', () => {
    const verdict = evaluatePodSecurity(
      'baseline',
      'latest',
      subjectOf(
        podWith((spec) => {
          spec.hostNetwork = true;
          sc(app(spec)).privileged = true;
        }),
      ),
    );
    assert.deepEqual(verdict.violations, [
      {
        checkId: 'pss.host-namespaces',
        upstreamId: 'hostNamespaces',
        reason: 'host namespaces',
        message: 'host namespaces (hostNetwork=true)',
        status: 'fail',
      },
      {
        checkId: 'pss.privileged',
        upstreamId: 'privileged',
        reason: 'privileged',
        message: 'privileged (container "app" must not set securityContext.privileged=true)',
        status: 'fail',
      },
    ]);
    assert.equal(
      forbiddenDetail(verdict.violations),
      'host namespaces (hostNetwork=true), privileged (container "app" must not set securityContext.privileged=true)',
    );
  });

  it('reports a malformed field as an error violation naming the field', () => {
    const verdict = evaluatePodSecurity(
      'baseline',
      'latest',
      subjectOf(podWith((spec) => setRaw(spec, 'hostPID', 1))),
    );
    assert.deepEqual(verdict.violations, [
      {
        checkId: 'pss.host-namespaces',
        upstreamId: 'hostNamespaces',
        reason: 'MalformedField',
        message: 'cannot evaluate hostNamespaces: spec.hostPID must be a boolean, not a number',
        status: 'error',
      },
    ]);
  });

  it('rejects a level or version upstream would not accept', () => {
    const pod = subjectOf(compliantPod());
    assert.throws(() => evaluatePodSecurity('privileged' as PodSecurityLevel, 'latest', pod), RangeError);
    assert.throws(() => evaluatePodSecurity('baseline', '1.30', pod), RangeError);
    assert.throws(() => evaluatePodSecurity('baseline', 'v2.0', pod), RangeError);
  });
});

describe('UPSTREAM_CHECKS', () => {
  it('maps every pss check exactly once', () => {
    assert.deepEqual(
      UPSTREAM_CHECKS.map((entry) => entry.checkId).sort(),
      pssChecks.map((check) => check.id).sort(),
    );
    assert.equal(new Set(UPSTREAM_CHECKS.map((entry) => entry.upstreamId)).size, UPSTREAM_CHECKS.length);
  });

  it('lists baseline IDs sorted, then restricted IDs sorted, as upstream orders violations', () => {
    for (const level of ['baseline', 'restricted'] as const) {
      const ids = UPSTREAM_CHECKS.filter((entry) => entry.level === level).map((entry) => entry.upstreamId);
      assert.deepEqual(ids, [...ids].sort());
    }
    const levels = UPSTREAM_CHECKS.map((entry) => entry.level);
    assert.equal(levels.lastIndexOf('baseline') < levels.indexOf('restricted'), true);
  });

  it("agrees with each check's profiles", () => {
    for (const check of pssChecks) {
      const entry = upstreamCheckOf(check.id);
      assert.ok(entry, check.id);
      const profiles = entry.level === 'baseline' ? ['pss-baseline', 'pss-restricted'] : ['pss-restricted'];
      assert.deepEqual(check.profiles, profiles, check.id);
    }
  });
});
