/**
 * RBAC micro benchmark (issue 6): build the graph of a generated 20,000-object RBAC set,
 * then time `can-i` questions (the authorizer, as `bulwark can-i --from` runs them), `who-can`
 * queries, and the escalation analysis that `rbac.escalation-path` runs over every subject.
 * Targets: under 1 ms a can-i question, under 1 s a who-can query.
 *
 * The set is seeded, so runs compare like with like: per namespace ServiceAccounts, Roles and
 * RoleBindings (a third of them to ClusterRoles); cluster-wide ClusterRoles (some aggregated)
 * and ClusterRoleBindings to users, groups and ServiceAccounts. Half the questions are drawn
 * from the set's own rules and subjects, so that "yes" is common, as in the e2e agreement run.
 *
 * Call `runRbacBench()` from a bench runner, or run this file: `npx tsx bench/rbac.ts`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Inventory } from '../src/engine/inventory.js';
import type { KubeObject } from '../src/engine/objects.js';
import type { ResourceRequest } from '../src/engine/rbac/authorize.js';
import { authorize } from '../src/engine/rbac/authorize.js';
import { allEscalationPaths, ESCALATION_PATH_LIMIT } from '../src/engine/rbac/escalation.js';
import { buildRbacGraph } from '../src/engine/rbac/graph.js';
import type { ResourceQuery } from '../src/engine/rbac/permissions.js';
import { isSystemComponent, whoCan } from '../src/engine/rbac/permissions.js';
import { serviceAccountUser } from '../src/engine/rbac/subjects.js';
import { random } from './random.js';

export interface RbacBenchOptions {
  /** RBAC objects (Roles, ClusterRoles, bindings, ServiceAccounts) in the set; 20,000 by default. */
  readonly objects?: number;
  readonly namespaces?: number;
  /** can-i questions asked; 20,000 by default. */
  readonly questions?: number;
  /** who-can queries; 50 by default, every fifth across all namespaces. */
  readonly whoCanQueries?: number;
  /** Also time the escalation analysis over every subject (true by default). */
  readonly escalation?: boolean;
  readonly seed?: number;
}

/**
 * Wall-clock figures, and CPU time for the same work (`process.cpuUsage`, this thread and
 * GC helpers): on a shared 2-core machine the CPU figure is the steadier of the two.
 */
export interface RbacBenchResult {
  readonly objects: number;
  readonly namespaces: number;
  readonly graphBuildMs: number;
  readonly graphBuildCpuMs: number;
  readonly canI: {
    readonly questions: number;
    readonly allowed: number;
    readonly meanMicros: number;
    readonly p99Micros: number;
    readonly cpuMicrosPerQuestion: number;
  };
  readonly whoCan: {
    readonly queries: number;
    readonly meanMs: number;
    readonly maxMs: number;
    readonly cpuMsPerQuery: number;
    readonly subjectsFound: number;
  };
  readonly escalation?: {
    readonly subjects: number;
    readonly withPaths: number;
    readonly ms: number;
    readonly cpuMs: number;
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const RESOURCES: readonly (readonly [group: string, resource: string])[] = [
  ['', 'pods'],
  ['', 'pods/log'],
  ['', 'pods/exec'],
  ['', 'configmaps'],
  ['', 'secrets'],
  ['', 'services'],
  ['', 'serviceaccounts'],
  ['', 'events'],
  ['apps', 'deployments'],
  ['apps', 'statefulsets'],
  ['apps', 'deployments/scale'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['networking.k8s.io', 'ingresses'],
  ['networking.k8s.io', 'networkpolicies'],
  ['rbac.authorization.k8s.io', 'roles'],
  ['monitoring.example.com', 'servicemonitors'],
];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

/** A generated RBAC set of about `objects` objects over `namespaces` namespaces. */
export function generateRbacObjects(objects = 20_000, namespaces = 500, seed = 6): KubeObject[] {
  const rnd = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)] as T;
  const rules = (): Rule[] => {
    const out: Rule[] = [];
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const [group, resource] = pick(RESOURCES);
      const verbs = VERBS.filter(() => rnd() < 0.4);
      const rule: Rule = {
        verbs: rnd() < 0.03 ? ['*'] : verbs.length > 0 ? verbs : ['get'],
        apiGroups: [group],
        resources: [rnd() < 0.02 ? '*' : resource],
      };
      if (rnd() < 0.1) rule.resourceNames = [`obj-${Math.floor(rnd() * 20)}`];
      out.push(rule);
    }
    return out;
  };
  const subject = (ns: string): Record<string, string> => {
    const r = rnd();
    if (r < 0.5) return { kind: 'ServiceAccount', name: `sa-${Math.floor(rnd() * 10)}`, namespace: ns };
    if (r < 0.8)
      return {
        kind: 'User',
        apiGroup: 'rbac.authorization.k8s.io',
        name: `user-${Math.floor(rnd() * 2000)}`,
      };
    return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `group-${Math.floor(rnd() * 200)}` };
  };

  const out: KubeObject[] = [];
  // 15 % ClusterRoles and as many ClusterRoleBindings; the rest split evenly per namespace.
  const clusterRoles = Math.floor(objects * 0.075);
  for (let i = 0; i < clusterRoles; i++) {
    const aggregating = i < 20;
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: `cr-${i}`, labels: { [`agg-${i % 20}`]: 'true' } },
      ...(aggregating
        ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`agg-${i}`]: 'true' } }] } }
        : { rules: rules() }),
    });
  }
  for (let i = 0; i < clusterRoles; i++) {
    const ns = `ns-${Math.floor(rnd() * namespaces)}`;
    out.push({
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: `crb-${i}` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: `cr-${Math.floor(rnd() * clusterRoles)}`,
      },
      subjects: [subject(ns), ...(rnd() < 0.3 ? [subject(ns)] : [])],
    });
  }
  const perNamespace = Math.max(3, Math.floor((objects - out.length) / namespaces));
  const accounts = Math.max(1, Math.floor(perNamespace * 0.3));
  const roles = Math.max(1, Math.floor((perNamespace - accounts) / 2));
  for (let n = 0; n < namespaces; n++) {
    const ns = `ns-${n}`;
    for (let i = 0; i < accounts; i++)
      out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${i}`, namespace: ns } });
    for (let i = 0; i < roles; i++)
      out.push({
        apiVersion: RBAC,
        kind: 'Role',
        metadata: { name: `role-${i}`, namespace: ns },
        rules: rules(),
      });
    for (let i = 0; i < perNamespace - accounts - roles; i++) {
      const toCluster = rnd() < 0.33;
      out.push({
        apiVersion: RBAC,
        kind: 'RoleBinding',
        metadata: { name: `rb-${i}`, namespace: ns },
        roleRef: toCluster
          ? {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'ClusterRole',
              name: `cr-${Math.floor(rnd() * clusterRoles)}`,
            }
          : {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'Role',
              name: `role-${Math.floor(rnd() * roles)}`,
            },
        subjects: [subject(ns), ...(rnd() < 0.3 ? [subject(ns)] : [])],
      });
    }
  }
  return out;
}

/** Questions: half random, half drawn from a binding's own subject and role. */
function questionsFor(
  objects: readonly KubeObject[],
  count: number,
  namespaces: number,
  seed: number,
): ResourceRequest[] {
  const rnd = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)] as T;
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
  const roles = new Map(
    objects
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .map((o) => [`${String(o.kind)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o]),
  );
  const out: ResourceRequest[] = [];
  while (out.length < count) {
    if (rnd() < 0.5) {
      const [group, combined] = pick(RESOURCES);
      const [resource = '', subresource = ''] = combined.split('/');
      out.push({
        user:
          rnd() < 0.5
            ? `user-${Math.floor(rnd() * 2000)}`
            : serviceAccountUser(`ns-${Math.floor(rnd() * namespaces)}`, `sa-${Math.floor(rnd() * 10)}`),
        groups:
          rnd() < 0.5
            ? [`group-${Math.floor(rnd() * 200)}`, 'system:authenticated']
            : ['system:authenticated'],
        verb: pick(VERBS),
        apiGroup: group,
        resource,
        subresource,
        namespace: `ns-${Math.floor(rnd() * namespaces)}`,
      });
      continue;
    }
    const binding = pick(bindings);
    const ref = binding['roleRef'] as { kind: string; name: string };
    const ns = binding.metadata?.namespace ?? `ns-${Math.floor(rnd() * namespaces)}`;
    const role = roles.get(`${ref.kind}/${ref.kind === 'Role' ? ns : ''}/${ref.name}`);
    const rule = pick(
      (role?.['rules'] as Rule[] | undefined) ?? [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
    );
    const subject = pick(binding['subjects'] as Record<string, string>[]);
    const [resource = '', subresource = ''] = pick(rule.resources).replace('*', 'pods').split('/');
    out.push({
      user:
        subject['kind'] === 'ServiceAccount'
          ? serviceAccountUser(subject['namespace'] ?? ns, subject['name'] ?? '')
          : subject['kind'] === 'User'
            ? (subject['name'] ?? '')
            : 'someone',
      groups:
        subject['kind'] === 'Group'
          ? [subject['name'] ?? '', 'system:authenticated']
          : ['system:authenticated'],
      verb: pick(rule.verbs).replace('*', 'get'),
      apiGroup: pick(rule.apiGroups),
      resource,
      subresource,
      name: rule.resourceNames !== undefined && rnd() < 0.8 ? pick(rule.resourceNames) : '',
      namespace: ns,
    });
  }
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export function runRbacBench(options: RbacBenchOptions = {}): RbacBenchResult {
  const namespaces = options.namespaces ?? 500;
  const seed = options.seed ?? 6;
  const objects = generateRbacObjects(options.objects ?? 20_000, namespaces, seed);

  let start = performance.now();
  let cpu = process.cpuUsage();
  const graph = buildRbacGraph(new Inventory(objects));
  const graphBuildMs = performance.now() - start;
  const graphBuildCpuMs = cpuMs(cpu);

  const questions = questionsFor(objects, options.questions ?? 20_000, namespaces, seed + 1);
  const times: number[] = [];
  let allowed = 0;
  cpu = process.cpuUsage();
  for (const question of questions) {
    const t = performance.now();
    if (authorize(graph, question).allowed) allowed++;
    times.push((performance.now() - t) * 1000);
  }
  const canICpu = cpuMs(cpu);
  times.sort((a, b) => a - b);
  const canI = {
    questions: questions.length,
    allowed,
    meanMicros: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    p99Micros: percentile(times, 0.99),
    cpuMicrosPerQuestion: (canICpu * 1000) / Math.max(1, questions.length),
  };

  const rnd = random(seed + 2);
  const queryCount = options.whoCanQueries ?? 50;
  const whoTimes: number[] = [];
  let subjectsFound = 0;
  cpu = process.cpuUsage();
  for (let i = 0; i < queryCount; i++) {
    const [group, combined] = RESOURCES[Math.floor(rnd() * RESOURCES.length)] as readonly [string, string];
    const [resource = '', subresource = ''] = combined.split('/');
    const query: ResourceQuery = {
      verb: VERBS[Math.floor(rnd() * VERBS.length)] ?? 'get',
      apiGroup: group,
      resource,
      subresource,
      namespace: `ns-${Math.floor(rnd() * namespaces)}`,
    };
    const t = performance.now();
    subjectsFound += whoCan(graph, query, { allNamespaces: i % 5 === 0 }).length;
    whoTimes.push(performance.now() - t);
  }
  const whoCanResult = {
    queries: queryCount,
    meanMs: whoTimes.reduce((a, b) => a + b, 0) / Math.max(1, whoTimes.length),
    maxMs: Math.max(0, ...whoTimes),
    cpuMsPerQuery: cpuMs(cpu) / Math.max(1, queryCount),
    subjectsFound,
  };

  let escalation: RbacBenchResult['escalation'];
  if (options.escalation !== false) {
    start = performance.now();
    cpu = process.cpuUsage();
    const paths = allEscalationPaths(graph, {
      maxPaths: ESCALATION_PATH_LIMIT,
      include: (s) => !isSystemComponent(graph, s),
    });
    escalation = {
      subjects: graph.subjects.length,
      withPaths: paths.size,
      ms: performance.now() - start,
      cpuMs: cpuMs(cpu),
    };
  }

  return {
    objects: objects.length,
    namespaces,
    graphBuildMs,
    graphBuildCpuMs,
    canI,
    whoCan: whoCanResult,
    ...(escalation !== undefined ? { escalation } : {}),
  };
}

/** Human-readable lines for a bench runner's report. */
export function formatRbacBench(result: RbacBenchResult): string[] {
  const { canI, whoCan: who, escalation } = result;
  const lines = [
    `rbac: ${result.objects} objects in ${result.namespaces} namespaces, graph built in ${result.graphBuildMs.toFixed(0)} ms (${result.graphBuildCpuMs.toFixed(0)} ms CPU)`,
    `rbac can-i: ${canI.questions} questions (${canI.allowed} allowed), mean ${canI.meanMicros.toFixed(1)} µs, p99 ${canI.p99Micros.toFixed(1)} µs, ${canI.cpuMicrosPerQuestion.toFixed(1)} µs CPU each (target < 1000 µs)`,
    `rbac who-can: ${who.queries} queries, mean ${who.meanMs.toFixed(2)} ms, max ${who.maxMs.toFixed(2)} ms, ${who.cpuMsPerQuery.toFixed(2)} ms CPU each (target < 1000 ms)`,
  ];
  if (escalation !== undefined) {
    lines.push(
      `rbac escalation paths: ${escalation.subjects} subjects, ${escalation.withPaths} with paths, ${escalation.ms.toFixed(0)} ms (${escalation.cpuMs.toFixed(0)} ms CPU)`,
    );
  }
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of formatRbacBench(runRbacBench())) console.log(line);
}
