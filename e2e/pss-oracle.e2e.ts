// The Pod Security live oracle (issue 3, item 3): kube-apiserver's built-in
// PodSecurity admission is upstream's own implementation, so its verdict on a
// server-side dry-run create is the ground truth our `pss.*` checks must match.
//
// - every upstream fixture (../shared/oracles) at its own version v1.0–v1.35,
//   and the v1.35 fixtures at `latest`, in namespaces enforcing that level and
//   version: the verdict must agree, and for a denial so must each violation;
// - thousands of generated pods at `latest`, both levels;
// - the v1.35 fixtures wrapped in Deployments, whose verdict arrives as a
//   `would violate PodSecurity` warning in a warn-mode namespace.
//
// A 422 means API validation refused the pod before admission saw it; only the
// fixtures the oracle README documents may do that, and they are counted apart.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import fc from 'fast-check';
import { load } from 'js-yaml';

import type { PodSecurityLevel, PodSecurityVerdict } from '../src/checks/pss/upstream.js';
import { evaluatePodSecurity, forbiddenDetail } from '../src/checks/pss/upstream.js';
import type { KubeObject } from '../src/engine/objects.js';
import { podSubjectOf } from '../src/engine/pod-spec.js';
import { getTestCluster, repoRoot } from './harness/cluster.js';
import { createTestNamespace, deleteTestNamespace } from './harness/namespace.js';
import type { DryRunResult, ServerDenial } from './support/pss-live.js';
import {
  DryRunClient,
  mapLimited,
  podSecurityDenial,
  podSecurityWarning,
  splitViolations,
  warningsOf,
} from './support/pss-live.js';
import { pssPod } from './support/pss-pods.js';

const TESTDATA = resolve(repoRoot, '../shared/oracles/pod-security-admission-v0.36.2/test/testdata');
const LEVELS: readonly PodSecurityLevel[] = ['baseline', 'restricted'];
const IN_FLIGHT = 16;
const GENERATED_PODS = Number(process.env['BULWARK_PSS_PODS'] ?? 3000);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const APPARMOR_REASON = /^forbidden AppArmor profiles?$/;

type Json = Record<string, unknown>;

interface Fixture {
  readonly level: PodSecurityLevel;
  /** The fixture's own version, v1.N. */
  readonly minor: number;
  readonly expected: 'pass' | 'fail';
  readonly stem: string;
  readonly pod: KubeObject;
}

/** A fixture judged at one enforce-version: its own v1.N, or `latest` for v1.35. */
interface Trial {
  readonly fixture: Fixture;
  readonly version: string;
}

function listFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const level of LEVELS) {
    for (const dir of readdirSync(join(TESTDATA, level))) {
      const match = /^v1\.(\d+)$/.exec(dir);
      if (match === null) continue;
      for (const expected of ['pass', 'fail'] as const) {
        const folder = join(TESTDATA, level, dir, expected);
        if (!existsSync(folder)) continue;
        for (const file of readdirSync(folder).sort()) {
          if (!file.endsWith('.yaml')) continue;
          fixtures.push({
            level,
            minor: Number(match[1]),
            expected,
            stem: file.slice(0, -'.yaml'.length),
            pod: load(readFileSync(join(folder, file), 'utf8')) as KubeObject,
          });
        }
      }
    }
  }
  return fixtures.sort((a, b) => a.level.localeCompare(b.level) || a.minor - b.minor);
}

/** What the API server said, reduced to the verdict. */
type LiveVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'denied'; readonly denial: ServerDenial }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'unexpected'; readonly status: number; readonly message: string };

function liveVerdict(result: DryRunResult): LiveVerdict {
  if (result.status === 201) return { kind: 'allowed' };
  if (result.status === 422) return { kind: 'invalid', message: result.message };
  const denial = result.status === 403 ? podSecurityDenial(result.message) : undefined;
  if (denial !== undefined) return { kind: 'denied', denial };
  return { kind: 'unexpected', status: result.status, message: result.message };
}

function ourVerdict(level: PodSecurityLevel, version: string, holder: KubeObject): PodSecurityVerdict {
  const subject = podSubjectOf(holder);
  if (subject === undefined) throw new Error(`${String(holder.kind)} carries no pod spec`);
  return evaluatePodSecurity(level, version, subject);
}

function usesAppArmor(holder: KubeObject): boolean {
  const text = JSON.stringify(podSubjectOf(holder)?.spec ?? {});
  const annotations = Object.keys(podSubjectOf(holder)?.metadata.annotations ?? {});
  return text.includes('"appArmorProfile"') || annotations.some((key) => key.startsWith(APPARMOR_ANNOTATION));
}

/** How a denial's wording compared: identical, or the documented AppArmor difference. */
type Wording = 'exact' | 'apparmor';

/**
 * Compares our verdict with the server's denial (or allowance). Verdicts must
 * agree, and so must the list of violation reasons; the full text must be
 * identical except in the AppArmor violation of a pod that uses AppArmor,
 * because the API server copies between the legacy annotations and the
 * appArmorProfile fields before admission runs, so its text names settings the
 * manifest never wrote. Returns the disagreement, or how the wording matched.
 */
function compare(
  ours: PodSecurityVerdict,
  live: ServerDenial | undefined,
  holder: KubeObject,
): { readonly problem: string } | { readonly wording: Wording | undefined } {
  if (live === undefined) {
    return ours.allowed
      ? { wording: undefined }
      : { problem: `server allowed it; we deny: ${forbiddenDetail(ours.violations)}` };
  }
  if (ours.allowed) return { problem: `server denies (${live.detail}); we allow it` };
  const ourText = forbiddenDetail(ours.violations);
  if (ourText === live.detail) return { wording: 'exact' };
  const theirs = splitViolations(live.detail);
  const appArmor = usesAppArmor(holder);
  // Copying an annotation into a field can turn `forbidden AppArmor profile` plural.
  const reasonKey = (reason: string): string =>
    appArmor && APPARMOR_REASON.test(reason) ? 'forbidden AppArmor profile(s)' : reason;
  const ourReasons = ours.violations.map((v) => reasonKey(v.reason));
  const theirReasons = theirs.map((v) => reasonKey(v.reason));
  if (JSON.stringify(ourReasons) !== JSON.stringify(theirReasons)) {
    return { problem: `violations differ:\n  server: ${live.detail}\n  ours:   ${ourText}` };
  }
  const differing = ours.violations.filter((v, i) => v.message !== theirs[i]?.text);
  if (!appArmor || differing.some((v) => v.checkId !== 'pss.apparmor-profile')) {
    return { problem: `wording differs:\n  server: ${live.detail}\n  ours:   ${ourText}` };
  }
  return { wording: 'apparmor' };
}

/** API validation refuses an Unmasked /proc outside a user namespace (hostUsers: false). */
function needsUserNamespace(pod: KubeObject): boolean {
  const spec = podSubjectOf(pod)?.spec;
  if (spec === undefined || spec.hostUsers === false) return false;
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  return all.some((c) => c.securityContext?.procMount === 'Unmasked');
}

function podPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/pods`;
}

/** The pod with the namespace's name in its metadata, as a client would send it. */
function inNamespace(pod: KubeObject, namespace: string): Json {
  return { ...pod, metadata: { ...pod.metadata, name: objectName(pod), namespace } };
}

/** Fixture stems have underscores (`capabilities_baseline0`), which object names may not. */
function objectName(pod: KubeObject): string {
  return String(pod.metadata?.name ?? 'oracle').replaceAll('_', '-');
}

interface Workload {
  readonly kind: string;
  /** The collection to POST to, under /api/v1 or /apis/<group>/<version>. */
  readonly path: (namespace: string) => string;
  readonly wrap: (template: Json, namespace: string, name: string) => Json;
}

const labels = { app: 'oracle' };
const selector = { matchLabels: labels };

/** Every kind whose pod template PodSecurity judges, with the fields API validation requires. */
const WORKLOADS: readonly Workload[] = [
  {
    kind: 'Deployment',
    path: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: { selector, template },
    }),
  },
  {
    kind: 'StatefulSet',
    path: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace },
      spec: { selector, serviceName: 'oracle', template },
    }),
  },
  {
    kind: 'DaemonSet',
    path: (ns) => `/apis/apps/v1/namespaces/${ns}/daemonsets`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace },
      spec: { selector, template },
    }),
  },
  {
    kind: 'ReplicaSet',
    path: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace },
      spec: { selector, template },
    }),
  },
  {
    kind: 'ReplicationController',
    path: (ns) => `/api/v1/namespaces/${ns}/replicationcontrollers`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name, namespace },
      spec: { selector: labels, template },
    }),
  },
  {
    kind: 'Job',
    path: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace },
      spec: { template: neverRestart(template) },
    }),
  },
  {
    kind: 'CronJob',
    path: (ns) => `/apis/batch/v1/namespaces/${ns}/cronjobs`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: neverRestart(template) } } },
    }),
  },
  {
    kind: 'PodTemplate',
    path: (ns) => `/api/v1/namespaces/${ns}/podtemplates`,
    wrap: (template, namespace, name) => ({
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name, namespace },
      template,
    }),
  },
];

/** Jobs may not restart pods `Always`; Pod Security does not read restartPolicy. */
function neverRestart(template: Json): Json {
  return { ...template, spec: { ...(template['spec'] as Json), restartPolicy: 'Never' } };
}

function templateOf(pod: KubeObject): Json {
  const annotations = pod.metadata?.annotations;
  return {
    metadata: { labels, ...(annotations === undefined ? {} : { annotations }) },
    spec: pod['spec'],
  };
}

describe('Pod Security live oracle (API server PodSecurity admission)', function () {
  this.timeout(600_000);
  const present = existsSync(TESTDATA);
  const fixtures = present ? listFixtures() : [];
  const minors = [...new Set(fixtures.map((f) => f.minor))].sort((a, b) => a - b);
  // One namespace per level and enforce-version; `latest` also warns, for the workload checks.
  const namespaces = new Map<string, string>();
  const nsFor = (level: PodSecurityLevel, version: string): string => {
    const name = namespaces.get(`${level}:${version}`);
    if (name === undefined) throw new Error(`no namespace for ${level}:${version}`);
    return name;
  };
  let client: DryRunClient;

  before(async function () {
    if (!present) {
      console.log(`      PSS live oracle: upstream fixtures not found at ${TESTDATA}; skipping`);
      this.skip();
    }
    client = new DryRunClient(getTestCluster().kubeConfig(), IN_FLIGHT);
    const wanted = LEVELS.flatMap((level) =>
      [...minors.map((m) => `v1.${m}`), 'latest'].map((version) => ({ level, version })),
    );
    await mapLimited(wanted, IN_FLIGHT, async ({ level, version }) => {
      const labels: Record<string, string> = {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': version,
      };
      if (version === 'latest') {
        labels['pod-security.kubernetes.io/warn'] = level;
        labels['pod-security.kubernetes.io/warn-version'] = version;
      }
      const name = await createTestNamespace({ prefix: `pss-${level}-${version.replace('.', '-')}`, labels });
      namespaces.set(`${level}:${version}`, name);
    });
  });

  after(async function () {
    client?.close();
    await mapLimited([...namespaces.values()], IN_FLIGHT, deleteTestNamespace);
  });

  describe('reading the server (no requests)', function () {
    // The comparisons below pass only if these parsers and compare() can tell a disagreement.
    const detail =
      'host namespaces (hostNetwork=true), unrestricted capabilities (containers "a", "b" must set ' +
      'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "a" must set x)';

    it('splits a denial at the separators outside parentheses and quotes', function () {
      assert.deepEqual(
        splitViolations(detail).map((v) => v.reason),
        ['host namespaces', 'unrestricted capabilities', 'runAsNonRoot != true'],
      );
      assert.deepEqual(splitViolations(''), []);
    });

    it('keeps repeated Warning headers apart and unquotes them', function () {
      const raw = [
        'Warning',
        '299 - "a, \\"b\\""',
        'Content-Type',
        'x',
        'warning',
        '299 - "would violate PodSecurity \\"baseline:latest\\": privileged"',
      ];
      assert.deepEqual(warningsOf(raw), [
        'a, "b"',
        'would violate PodSecurity "baseline:latest": privileged',
      ]);
      assert.deepEqual(podSecurityWarning(warningsOf(raw)), {
        policy: 'baseline:latest',
        detail: 'privileged',
      });
    });

    it('reports a flipped verdict and a different violation as disagreements', function () {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { hostNetwork: true, containers: [{ name: 'a', image: 'i' }] },
      } as KubeObject;
      const ours = ourVerdict('baseline', 'latest', pod);
      assert.ok(
        'wording' in
          compare(ours, { policy: 'baseline:latest', detail: 'host namespaces (hostNetwork=true)' }, pod),
      );
      assert.ok('problem' in compare(ours, undefined, pod));
      assert.ok(
        'problem' in
          compare(
            ours,
            { policy: 'baseline:latest', detail: 'privileged (container "a" must not set x)' },
            pod,
          ),
      );
      assert.ok(
        'problem' in
          compare(ours, { policy: 'baseline:latest', detail: 'host namespaces (hostPID=true)' }, pod),
      );
      const allowed = ourVerdict('baseline', 'latest', {
        ...pod,
        spec: { containers: [{ name: 'a', image: 'i' }] },
      } as KubeObject);
      assert.ok(
        'problem' in
          compare(allowed, { policy: 'baseline:latest', detail: 'host namespaces (hostNetwork=true)' }, pod),
      );
    });
  });

  describe('upstream fixtures at their own version and at latest', function () {
    const trials: Trial[] = fixtures.flatMap((fixture) =>
      fixture.minor === 35
        ? [
            { fixture, version: 'v1.35' },
            { fixture, version: 'latest' },
          ]
        : [{ fixture, version: `v1.${fixture.minor}` }],
    );
    let agreeing = 0;
    let judged = 0;
    let appArmorWording = 0;
    const invalid: string[] = [];

    after(function () {
      if (judged === 0) return;
      const versions = `v1.${minors[0]}–v1.${minors[minors.length - 1]} and latest`;
      console.log(
        `      PSS live oracle: ${agreeing}/${judged} fixtures agree at versions ${versions} ` +
          `(${trials.length} dry-runs; ${appArmorWording} denials worded differently only in the AppArmor ` +
          `violation; ${invalid.length} rejected by API validation: ${invalid.join(', ')})`,
      );
    });

    it('finds fixtures for every version v1.0 to v1.35 at both levels', function () {
      for (const level of LEVELS) {
        const found = new Set(fixtures.filter((f) => f.level === level).map((f) => f.minor));
        assert.deepEqual(
          [...found].sort((a, b) => a - b),
          Array.from({ length: 36 }, (_, i) => i),
          level,
        );
      }
    });

    for (const level of LEVELS) {
      for (const version of [...minors.map((m) => `v1.${m}`), 'latest']) {
        const group = trials.filter((t) => t.fixture.level === level && t.version === version);
        it(`${level}:${version} (${group.length} fixtures)`, async function () {
          const ns = nsFor(level, version);
          const results = await mapLimited(group, IN_FLIGHT, (t) =>
            client.create(podPath(ns), inNamespace(t.fixture.pod, ns)),
          );
          const problems: string[] = [];
          group.forEach((trial, i) => {
            const { fixture } = trial;
            const label = `${fixture.expected}/${fixture.stem}`;
            const live = liveVerdict(results[i] as DryRunResult);
            const ours = ourVerdict(level, version, fixture.pod);
            if (live.kind === 'unexpected') {
              problems.push(`${label}: HTTP ${live.status}: ${live.message}`);
              return;
            }
            if (live.kind === 'invalid') {
              // Documented: Unmasked /proc without a user namespace is invalid; such a fixture must be a fail.
              if (!needsUserNamespace(fixture.pod) || fixture.expected !== 'fail' || ours.allowed) {
                problems.push(`${label}: undocumented 422: ${live.message}`);
              } else {
                invalid.push(`${level}:${version} ${label}`);
              }
              return;
            }
            if (needsUserNamespace(fixture.pod)) {
              problems.push(`${label}: an Unmasked /proc without a user namespace passed validation`);
              return;
            }
            judged++;
            const outcome = compare(ours, live.kind === 'denied' ? live.denial : undefined, fixture.pod);
            if ('problem' in outcome) {
              problems.push(`${label}: ${outcome.problem}`);
              return;
            }
            if (live.kind === 'denied' && live.denial.policy !== `${level}:${version}`) {
              problems.push(`${label}: denied under "${live.denial.policy}", not "${level}:${version}"`);
              return;
            }
            // The folder is the verdict, and both oracles must also agree with it.
            if ((fixture.expected === 'pass') !== ours.allowed) {
              problems.push(
                `${label}: both oracles say ${ours.allowed ? 'allowed' : 'denied'}, against its folder`,
              );
              return;
            }
            if (outcome.wording === 'apparmor') appArmorWording++;
            agreeing++;
          });
          assert.deepEqual(problems, [], `${problems.length} of ${group.length} fixtures disagree`);
        });
      }
    }
  });

  describe('generated pods at latest', function () {
    const seed = Number(process.env['BULWARK_PSS_SEED'] ?? Math.floor(Math.random() * 0x7fffffff));

    for (const level of LEVELS) {
      it(`${level}: ${GENERATED_PODS} pods (seed ${seed}; BULWARK_PSS_SEED replays it)`, async function () {
        const pods = fc.sample(pssPod, {
          seed: seed + (level === 'baseline' ? 0 : 1),
          numRuns: GENERATED_PODS,
        });
        const ns = nsFor(level, 'latest');
        const results = await mapLimited(pods, IN_FLIGHT, (pod) => client.create(podPath(ns), pod));
        const problems: string[] = [];
        const counts = { allowed: 0, denied: 0, invalid: 0, apparmor: 0 };
        pods.forEach((pod, i) => {
          const live = liveVerdict(results[i] as DryRunResult);
          if (live.kind === 'unexpected') {
            problems.push(`HTTP ${live.status}: ${live.message}\n  pod: ${JSON.stringify(pod)}`);
            return;
          }
          if (live.kind === 'invalid') {
            // The generator means to avoid these; one that slips through tells nothing about admission.
            counts.invalid++;
            if (counts.invalid <= 3) console.log(`      skipped, API validation: ${live.message}`);
            return;
          }
          const holder = pod as KubeObject;
          const outcome = compare(
            ourVerdict(level, 'latest', holder),
            live.kind === 'denied' ? live.denial : undefined,
            holder,
          );
          if ('problem' in outcome) {
            problems.push(`${outcome.problem}\n  pod: ${JSON.stringify(pod)}`);
            return;
          }
          counts[live.kind]++;
          if (outcome.wording === 'apparmor') counts.apparmor++;
        });
        console.log(
          `      ${level}:latest: ${counts.allowed + counts.denied}/${pods.length - counts.invalid} generated pods agree ` +
            `(${counts.allowed} allowed, ${counts.denied} denied, ${counts.apparmor} with AppArmor wording; ` +
            `${counts.invalid} skipped as invalid; seed ${seed})`,
        );
        assert.deepEqual(
          problems.slice(0, 5),
          [],
          `${problems.length} generated pods disagree (seed ${seed})`,
        );
        // Guards against a generator that only ever makes one kind of pod, or mostly invalid ones.
        assert.ok(counts.allowed >= pods.length / 20, `only ${counts.allowed} allowed pods`);
        assert.ok(counts.denied >= pods.length / 20, `only ${counts.denied} denied pods`);
        assert.ok(counts.invalid <= pods.length / 100, `${counts.invalid} pods were invalid`);
      });
    }
  });

  describe('v1.35 fixtures as pod templates (warn mode)', function () {
    // Only pods are denied; a workload is admitted, with a warning when its template would be.
    for (const level of LEVELS) {
      it(`${level}:latest warns for every workload kind exactly when we deny`, async function () {
        const sample = fixtures.filter(
          (f) => f.level === level && f.minor === 35 && !needsUserNamespace(f.pod),
        );
        const requests = WORKLOADS.flatMap((workload) => sample.map((fixture) => ({ workload, fixture })));
        const ns = nsFor(level, 'latest');
        const bodies = requests.map(({ workload, fixture }) =>
          workload.wrap(templateOf(fixture.pod), ns, objectName(fixture.pod)),
        );
        const results = await mapLimited(requests, IN_FLIGHT, ({ workload }, i) =>
          client.create(workload.path(ns), bodies[i]),
        );
        const problems: string[] = [];
        const warned = new Map<string, number>();
        requests.forEach(({ workload, fixture }, i) => {
          const result = results[i] as DryRunResult;
          const label = `${workload.kind} ${fixture.expected}/${fixture.stem}`;
          if (result.status !== 201) {
            problems.push(`${label}: HTTP ${result.status}: ${result.message}`);
            return;
          }
          const warning = podSecurityWarning(result.warnings);
          const holder = bodies[i] as KubeObject;
          const outcome = compare(ourVerdict(level, 'latest', holder), warning, holder);
          if ('problem' in outcome) problems.push(`${label}: ${outcome.problem}`);
          else if (warning !== undefined) warned.set(workload.kind, (warned.get(workload.kind) ?? 0) + 1);
        });
        console.log(
          `      ${level}:latest: ${requests.length - problems.length}/${requests.length} workloads agree ` +
            `(${sample.length} fixtures × ${WORKLOADS.length} kinds; warned: ` +
            `${WORKLOADS.map((w) => `${w.kind} ${warned.get(w.kind) ?? 0}`).join(', ')})`,
        );
        assert.deepEqual(problems, [], `${problems.length} of ${requests.length} workloads disagree`);
        for (const workload of WORKLOADS) {
          const n = warned.get(workload.kind) ?? 0;
          assert.ok(
            n > 0 && n < sample.length,
            `${workload.kind}: ${n} of ${sample.length} warned; the sample has both verdicts`,
          );
        }
      });
    }
  });
});
