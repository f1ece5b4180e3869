/**
 * `bulwark reach` at scale (issue 6: one workload among 5,000 NetworkPolicies in < 200 ms).
 * Builds an in-memory inventory shaped like the SPEC §10 cluster — namespaces with a
 * default deny, per-app allow rules by pod and namespace selector, named ports, ipBlocks
 * with excepts, some policies reaching across every namespace — then times building the
 * policy index, answering reach for one workload, and single-connection verdicts.
 * Deterministic (seeded), so runs compare like with like. Run alone with
 * `node --import tsx bench/network.ts`, or call `benchNetworkReach` from the bench runner.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Inventory } from '../src/engine/inventory.js';
import type { KubeObject } from '../src/engine/objects.js';
import { buildNetworkIndex, findWorkload } from '../src/engine/network/network-index.js';
import { reachOf } from '../src/engine/network/reach.js';
import type { Endpoint } from '../src/engine/network/verdict.js';
import { isAllowed } from '../src/engine/network/verdict.js';
import { random } from './random.js';

export interface NetworkBenchOptions {
  readonly namespaces: number;
  /** Deployments in total, spread over the namespaces. */
  readonly workloads: number;
  /** NetworkPolicies in total. */
  readonly policies: number;
  /** Single-connection verdicts to time. */
  readonly verdicts: number;
}

export interface NetworkBenchResult {
  readonly options: NetworkBenchOptions;
  readonly objects: number;
  /** Creating the index: the namespace list; the rest is compiled per namespace on use. */
  readonly indexMs: number;
  /** The first reach for one workload: compiles the namespaces it touches. */
  readonly firstReachMs: number;
  /** CPU time of index plus first reach (wall time misleads on a shared machine). */
  readonly firstReachCpuMs: number;
  /** Index plus first reach again on a fresh index, the code already compiled by the JIT. */
  readonly freshIndexReachMs: number;
  /** The same reach again on the warm index (median of several runs). */
  readonly warmReachMs: number;
  /** Index plus first reach: what `bulwark reach` costs after loading the objects. */
  readonly totalMs: number;
  /** Namespaces the first reach compiled, of all. */
  readonly namespacesTouched: number;
  /** Entries in the answer, to show it did real work. */
  readonly reachEntries: number;
  /** Every namespace's workloads and their selection: what a full scan's network checks pay. */
  readonly fullIndexMs: number;
  readonly verdictsPerSecond: number;
}

export const DEFAULT_NETWORK_BENCH: NetworkBenchOptions = {
  namespaces: 1000,
  workloads: 25000,
  policies: 5000,
  verdicts: 20000,
};

function nsName(i: number): string {
  return `team-${String(i).padStart(4, '0')}`;
}

function policy(namespace: string, name: string, spec: unknown): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** The objects of the benchmark cluster; the workload to ask about is `team-0000/app-0`. */
export function networkBenchObjects(options: NetworkBenchOptions): KubeObject[] {
  const rnd = random(0x0e7 ^ options.policies);
  const objects: KubeObject[] = [];
  for (let n = 0; n < options.namespaces; n++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: nsName(n),
        labels: { team: `team-${n % 20}`, tier: n % 3 === 0 ? 'frontend' : 'backend' },
      },
    });
  }
  for (let w = 0; w < options.workloads; w++) {
    const namespace = nsName(w % options.namespaces);
    const app = `app-${Math.floor(w / options.namespaces)}`;
    // The workload the benchmark asks about is a data tier, so the cross-namespace rules select it.
    const labels = {
      app,
      'app.kubernetes.io/part-of': 'shop',
      tier: w === 0 || rnd() < 0.5 ? 'data' : 'web',
    };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace },
      spec: {
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                ports: [
                  { name: 'http', containerPort: 8080 },
                  { name: 'metrics', containerPort: 9090 },
                ],
              },
            ],
          },
        },
      },
    });
  }
  // Every namespace gets a default deny while the budget lasts; the rest are allow rules.
  for (let p = 0; p < options.policies; p++) {
    const n = p % options.namespaces;
    const namespace = nsName(n);
    const round = Math.floor(p / options.namespaces);
    if (round === 0) {
      objects.push(
        policy(namespace, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      );
      continue;
    }
    // In the first namespace every rule is about app-0, so its reach meets every rule shape.
    const target =
      n === 0 ? 'app-0' : `app-${Math.floor(rnd() * Math.max(1, options.workloads / options.namespaces))}`;
    const kind = round % 4;
    const spec =
      kind === 1
        ? {
            podSelector: { matchLabels: { app: target } },
            ingress: [
              {
                from: [
                  { podSelector: { matchLabels: { tier: 'web' } } },
                  {
                    namespaceSelector: { matchLabels: { tier: 'frontend' } },
                    podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
                  },
                ],
                ports: [{ port: 'http' }, { port: 9090 }],
              },
            ],
          }
        : kind === 2
          ? {
              podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/part-of', operator: 'Exists' }] },
              ingress: [
                {
                  from: [{ namespaceSelector: { matchLabels: { team: `team-${Math.floor(rnd() * 20)}` } } }],
                  ports: [{ port: 'metrics' }],
                },
              ],
              egress: [
                {
                  to: [
                    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
                  ],
                  ports: [{ port: 53, protocol: 'UDP' }],
                },
              ],
            }
          : kind === 3
            ? {
                podSelector: { matchLabels: { app: target } },
                policyTypes: ['Egress'],
                egress: [
                  {
                    to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }],
                    ports: [{ port: 443 }, { port: 8000, endPort: 8100 }],
                  },
                ],
              }
            : {
                podSelector: { matchLabels: { tier: 'data' } },
                ingress: [
                  { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: target } } }] },
                ],
              };
    objects.push(policy(namespace, `allow-${round}`, spec));
  }
  return objects;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function benchNetworkReach(options: NetworkBenchOptions = DEFAULT_NETWORK_BENCH): NetworkBenchResult {
  const objects = networkBenchObjects(options);
  const inventory = new Inventory(objects);

  const cpuStart = process.cpuUsage();
  const indexStart = performance.now();
  const index = buildNetworkIndex(inventory);
  const indexMs = performance.now() - indexStart;

  const firstStart = performance.now();
  const workload = findWorkload(index, nsName(0), 'Deployment/app-0');
  if (workload === undefined) throw new Error('the benchmark workload team-0000/app-0 is missing');
  const first = reachOf(index, workload);
  const firstReachMs = performance.now() - firstStart;
  const cpu = process.cpuUsage(cpuStart);
  const reachEntries = first.ingress.entries.length + first.egress.entries.length;
  let namespacesTouched = 0;
  for (const ns of index.namespaces.keys()) if (index.isCompiled(ns)) namespacesTouched++;

  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    reachOf(index, workload);
    runs.push(performance.now() - start);
  }

  const freshStart = performance.now();
  const fresh = buildNetworkIndex(inventory);
  const again = findWorkload(fresh, nsName(0), 'Deployment/app-0');
  if (again !== undefined) reachOf(fresh, again);
  const freshIndexReachMs = performance.now() - freshStart;

  const fullStart = performance.now();
  const full = buildNetworkIndex(inventory);
  for (const ns of full.namespaces.keys()) {
    for (const w of full.workloads(ns)) for (const member of w.members) void member.selectedBy;
  }
  const fullIndexMs = performance.now() - fullStart;

  const rnd = random(42);
  const endpoint = (): Endpoint => ({
    kind: 'pod',
    namespace: nsName(Math.floor(rnd() * options.namespaces)),
    labels: {
      app: `app-${Math.floor(rnd() * 25)}`,
      tier: rnd() < 0.5 ? 'web' : 'data',
      'app.kubernetes.io/part-of': 'shop',
    },
    ip: `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  const queries = Array.from({ length: options.verdicts }, () => ({
    from: endpoint(),
    to: endpoint(),
    port: rnd() < 0.5 ? 8080 : 9090,
  }));
  const verdictStart = performance.now();
  for (const query of queries) isAllowed(full, query);
  const verdictMs = performance.now() - verdictStart;

  return {
    options,
    objects: objects.length,
    indexMs,
    firstReachMs,
    firstReachCpuMs: (cpu.user + cpu.system) / 1000,
    freshIndexReachMs,
    warmReachMs: median(runs),
    totalMs: indexMs + firstReachMs,
    namespacesTouched,
    reachEntries,
    fullIndexMs,
    verdictsPerSecond: Math.round((options.verdicts / verdictMs) * 1000),
  };
}

export function formatNetworkBench(result: NetworkBenchResult): string {
  const { options } = result;
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  return [
    `reach: ${options.policies} NetworkPolicies, ${options.workloads} workloads, ${options.namespaces} namespaces (${result.objects} objects)`,
    `  index (namespace list)     ${ms(result.indexMs)}`,
    `  first reach, 1 workload    ${ms(result.firstReachMs)} (${result.reachEntries} port entries, ${result.namespacesTouched} namespaces compiled)`,
    `  index + first reach        ${ms(result.totalMs)} wall, ${ms(result.firstReachCpuMs)} CPU (target < 200 ms)`,
    `  again, fresh index         ${ms(result.freshIndexReachMs)} (JIT warm)`,
    `  warm reach                 ${ms(result.warmReachMs)}`,
    `  full index, all selections ${ms(result.fullIndexMs)}`,
    `  verdicts                   ${result.verdictsPerSecond} /s`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatNetworkBench(benchNetworkReach()));
}
