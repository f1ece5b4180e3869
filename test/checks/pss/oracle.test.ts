/**
 * Parity with upstream Pod Security Admission on its own fixtures (k8s.io/pod-security-admission
 * v0.36.2, test/testdata). The folder is the verdict; a fail fixture's file stem names the one
 * upstream check it breaks (with the restricted-level substitutions the oracle README lists).
 * Every fixture is also judged wrapped in each pod-template kind, and v1.35 fixtures at
 * `latest` too. The fixtures live beside the checkout (`../shared/oracles/`) and are not
 * copied into the repository; without them this suite skips and says where it looked.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { PodSecurityLevel, PodSecurityVerdict } from '../../../src/checks/pss/upstream.js';
import { evaluatePodSecurity, UPSTREAM_CHECKS } from '../../../src/checks/pss/upstream.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { podSubjectOf } from '../../../src/engine/pod-spec.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TESTDATA = path.resolve(REPO_ROOT, '../shared/oracles/pod-security-admission-v0.36.2/test/testdata');

const LEVELS: readonly PodSecurityLevel[] = ['baseline', 'restricted'];

interface Fixture {
  readonly level: PodSecurityLevel;
  readonly minor: number;
  readonly verdict: 'pass' | 'fail';
  readonly file: string;
  readonly stem: string;
}

function listFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const level of LEVELS) {
    const versions = readdirSync(path.join(TESTDATA, level))
      .map((name) => /^v1\.(\d+)$/.exec(name))
      .flatMap((match) => (match === null ? [] : [Number(match[1])]))
      .sort((a, b) => a - b);
    for (const minor of versions) {
      for (const verdict of ['pass', 'fail'] as const) {
        const dir = path.join(TESTDATA, level, `v1.${minor}`, verdict);
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir).sort()) {
          if (name.endsWith('.yaml')) {
            fixtures.push({
              level,
              minor,
              verdict,
              file: path.join(dir, name),
              stem: name.slice(0, -'.yaml'.length),
            });
          }
        }
      }
    }
  }
  return fixtures;
}

const UPSTREAM_BY_LOWER: ReadonlyMap<string, string> = new Map(
  UPSTREAM_CHECKS.map((entry) => [entry.upstreamId.toLowerCase(), entry.upstreamId]),
);

/** The oracle README's substitutions: at restricted, these baseline checks are reported by their replacement. */
const RESTRICTED_SUBSTITUTES: readonly { from: string; to: string; since: number }[] = [
  { from: 'hostPathVolumes', to: 'restrictedVolumes', since: 0 },
  { from: 'capabilities_baseline', to: 'capabilities_restricted', since: 22 },
  { from: 'seccompProfile_baseline', to: 'seccompProfile_restricted', since: 19 },
  { from: 'procMount', to: 'procMount_restricted', since: 35 },
];

/**
 * Checks a fixture breaks besides the one its name gives. Upstream's generators change one
 * thing, but API validation sometimes forces a second change, and upstream's own suite
 * matches the denial only by substring; each extra check is listed here with that reason.
 */
const COMPANIONS: readonly {
  readonly stem: RegExp;
  readonly level: PodSecurityLevel;
  readonly since: number;
  readonly check: string;
}[] = [
  // A HostProcess pod must also use the host network, so the fixture sets hostNetwork.
  { stem: /^windowshostprocess\d+$/, level: 'baseline', since: 0, check: 'hostNamespaces' },
  { stem: /^windowshostprocess\d+$/, level: 'restricted', since: 0, check: 'hostNamespaces' },
  // privileged: true may not be combined with allowPrivilegeEscalation: false, so the fixture drops it.
  { stem: /^privileged\d+$/, level: 'restricted', since: 8, check: 'allowPrivilegeEscalation' },
  // This fixture removes the container's whole securityContext, its capabilities.drop included.
  { stem: /^allowprivilegeescalation3$/, level: 'restricted', since: 22, check: 'capabilities_restricted' },
];

function expectedChecks(fixture: Fixture): string[] {
  const named = UPSTREAM_BY_LOWER.get(fixture.stem.replace(/\d+$/, ''));
  if (named === undefined) throw new Error(`fixture ${fixture.stem} names no known upstream check`);
  const companions = COMPANIONS.filter(
    (c) => c.stem.test(fixture.stem) && c.level === fixture.level && fixture.minor >= c.since,
  ).map((c) => c.check);
  const expected = [named, ...companions].map((id) => {
    if (fixture.level !== 'restricted') return id;
    const substitute = RESTRICTED_SUBSTITUTES.find((s) => s.from === id && fixture.minor >= s.since);
    return substitute?.to ?? id;
  });
  const order = UPSTREAM_CHECKS.map((entry) => entry.upstreamId);
  return expected.sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

const TEMPLATE_KINDS: readonly { kind: string; apiVersion: string; wrap: (template: object) => object }[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', wrap: (template) => ({ spec: { template } }) },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', wrap: (template) => ({ spec: { template } }) },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', wrap: (template) => ({ spec: { template } }) },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', wrap: (template) => ({ spec: { template } }) },
  { kind: 'ReplicationController', apiVersion: 'v1', wrap: (template) => ({ spec: { template } }) },
  { kind: 'Job', apiVersion: 'batch/v1', wrap: (template) => ({ spec: { template } }) },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    wrap: (template) => ({ spec: { jobTemplate: { spec: { template } } } }),
  },
  { kind: 'PodTemplate', apiVersion: 'v1', wrap: (template) => ({ template }) },
];

function wrapPod(pod: KubeObject, kind: (typeof TEMPLATE_KINDS)[number]): KubeObject {
  const template = { metadata: pod.metadata ?? {}, spec: pod['spec'] };
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    metadata: { name: 'wrapped' },
    ...kind.wrap(template),
  };
}

function judge(level: PodSecurityLevel, version: string, holder: KubeObject): PodSecurityVerdict {
  const subject = podSubjectOf(holder);
  if (subject === undefined) throw new Error(`${String(holder.kind)} carries no pod spec`);
  return evaluatePodSecurity(level, version, subject);
}

function summary(verdict: PodSecurityVerdict): string {
  return verdict.allowed ? 'allowed' : `denied: ${verdict.violations.map((v) => v.message).join(', ')}`;
}

describe('pss parity with upstream Pod Security Admission fixtures', function () {
  const present = existsSync(TESTDATA);
  const fixtures = present ? listFixtures() : [];
  let agreeing = 0;

  before(function () {
    if (!present) {
      console.log(`PSS oracle: fixtures not found at ${TESTDATA}; skipping the parity suite`);
      this.skip();
    }
  });

  after(function () {
    if (present) {
      console.log(
        `PSS oracle: ${agreeing}/${fixtures.length} fixtures agree (x${TEMPLATE_KINDS.length + 1} pod kinds)`,
      );
    }
  });

  if (!present) {
    it('upstream fixtures (absent)', function () {
      this.skip();
    });
    return;
  }

  it('finds the fixtures of every level and version v1.0 to v1.35', function () {
    for (const level of LEVELS) {
      const minors = new Set(fixtures.filter((f) => f.level === level).map((f) => f.minor));
      assert.equal(minors.size, 36, `${level} has fixtures for ${minors.size} versions`);
    }
  });

  for (const fixture of fixtures) {
    const version = `v1.${fixture.minor}`;
    it(`${fixture.level} ${version} ${fixture.verdict}/${fixture.stem}`, function () {
      const pod = load(readFileSync(fixture.file, 'utf8')) as KubeObject;
      const versions = fixture.minor === 35 ? [version, 'latest'] : [version];
      for (const at of versions) {
        const verdict = judge(fixture.level, at, pod);
        if (fixture.verdict === 'pass') {
          assert.ok(verdict.allowed, `${fixture.level}:${at} must allow the pod, got ${summary(verdict)}`);
        } else {
          assert.ok(!verdict.allowed, `${fixture.level}:${at} must deny the pod`);
          assert.deepEqual(
            verdict.violations.map((v) => v.upstreamId),
            expectedChecks(fixture),
            `${fixture.level}:${at} violations: ${summary(verdict)}`,
          );
        }
        const podViolations = verdict.violations.map((v) => v.message);
        for (const kind of TEMPLATE_KINDS) {
          const wrapped = judge(fixture.level, at, wrapPod(pod, kind));
          assert.equal(wrapped.allowed, verdict.allowed, `${kind.kind} at ${at}: ${summary(wrapped)}`);
          assert.deepEqual(
            wrapped.violations.map((v) => v.message),
            podViolations,
            `${kind.kind} at ${at}`,
          );
        }
      }
      agreeing++;
    });
  }
});
