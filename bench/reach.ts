/**
 * `bulwark reach` as users run it over manifests (issue 6 item 7: one workload among 5,000
 * NetworkPolicies in < 200 ms). bench/network.ts times the engine on objects already in
 * memory; this writes the same seeded cluster (networkBenchObjects) as YAML, one file per
 * namespace, and times the whole command in-process: reading and parsing every manifest,
 * building the index, answering for `team-0000/app-0` and printing the table. Reported:
 * wall and CPU time of a first run and of a second run (the JIT warm), and the share spent
 * reading manifests. Run alone with `node --import tsx bench/reach.ts`, or call
 * `benchReachCommand` from the bench runner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { dump } from 'js-yaml';
import { reachCommand, renderTable } from '../src/cli/reach/index.js';
import { Inventory } from '../src/engine/inventory.js';
import { buildNetworkIndex, findWorkload } from '../src/engine/network/network-index.js';
import { reachOf } from '../src/engine/network/reach.js';
import type { KubeObject } from '../src/engine/objects.js';
import { loadManifests } from '../src/manifests/load.js';
import type { NetworkBenchOptions } from './network.js';
import { DEFAULT_NETWORK_BENCH, networkBenchObjects } from './network.js';

export interface ReachCommandRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly exitCode: number;
  readonly outputLines: number;
}

export interface ReachCommandBenchResult {
  readonly options: NetworkBenchOptions;
  readonly files: number;
  readonly bytes: number;
  readonly objects: number;
  /** The first `bulwark reach` in this process: module and JIT warm-up included. */
  readonly first: ReachCommandRun;
  /** The same command again. */
  readonly second: ReachCommandRun;
  /** Reading and parsing the manifests alone (a third time). */
  readonly loadMs: number;
  readonly loadCpuMs: number;
  /** From the loaded objects: inventory, index, reach and the table, JIT warm (the command minus reading). */
  readonly answerMs: number;
  readonly answerCpuMs: number;
}

function writeManifests(dir: string, objects: readonly KubeObject[]): { files: number; bytes: number } {
  const byNamespace = new Map<string, KubeObject[]>();
  for (const obj of objects) {
    const ns = obj.kind === 'Namespace' ? String(obj.metadata?.name) : String(obj.metadata?.namespace ?? 'default');
    const list = byNamespace.get(ns) ?? [];
    list.push(obj);
    byNamespace.set(ns, list);
  }
  let bytes = 0;
  for (const [ns, list] of byNamespace) {
    const text = list.map((obj) => dump(obj, { noRefs: true })).join('---\n');
    writeFileSync(join(dir, `${ns}.yaml`), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: byNamespace.size, bytes };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function timeReach(dir: string): Promise<ReachCommandRun> {
  let out = '';
  const cpu = process.cpuUsage();
  const start = performance.now();
  const exitCode = await reachCommand(['team-0000/Deployment/app-0', dir], {
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
  });
  const wallMs = performance.now() - start;
  return { wallMs, cpuMs: cpuMsSince(cpu), exitCode, outputLines: out.split('\n').length - 1 };
}

export async function benchReachCommand(options: NetworkBenchOptions = DEFAULT_NETWORK_BENCH): Promise<ReachCommandBenchResult> {
  const objects = networkBenchObjects(options);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-reach-bench-'));
  try {
    const written = writeManifests(dir, objects);
    const first = await timeReach(dir);
    const second = await timeReach(dir);
    const loadCpu = process.cpuUsage();
    const loadStart = performance.now();
    const loaded = await loadManifests([dir]);
    const loadMs = performance.now() - loadStart;
    const loadCpuMs = cpuMsSince(loadCpu);
    const answerCpu = process.cpuUsage();
    const answerStart = performance.now();
    const index = buildNetworkIndex(new Inventory(loaded.objects.map((o) => o.object)));
    const workload = findWorkload(index, 'team-0000', 'Deployment/app-0');
    if (workload === undefined) throw new Error('bench: team-0000/app-0 is missing from the generated set');
    renderTable(reachOf(index, workload), 'both');
    const answerMs = performance.now() - answerStart;
    const answerCpuMs = cpuMsSince(answerCpu);
    return { options, ...written, objects: objects.length, first, second, loadMs, loadCpuMs, answerMs, answerCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatReachCommandBench(r: ReachCommandBenchResult): string {
  const run = (label: string, x: ReachCommandRun): string =>
    `  ${label}: ${x.wallMs.toFixed(0)} ms wall, ${x.cpuMs.toFixed(0)} ms CPU (exit ${x.exitCode}, ${x.outputLines} lines)`;
  return [
    `bulwark reach over manifests: ${r.options.policies.toLocaleString('en-US')} NetworkPolicies, ` +
      `${r.options.workloads.toLocaleString('en-US')} Deployments, ${r.options.namespaces.toLocaleString('en-US')} namespaces ` +
      `(${r.objects.toLocaleString('en-US')} objects, ${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB of YAML)`,
    run('first run ', r.first),
    run('second run', r.second),
    `  reading and parsing the manifests: ${r.loadMs.toFixed(0)} ms wall, ${r.loadCpuMs.toFixed(0)} ms CPU`,
    `  the rest (index, reach, table):    ${r.answerMs.toFixed(0)} ms wall, ${r.answerCpuMs.toFixed(0)} ms CPU (target < 200 ms)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchReachCommand();
  console.log(formatReachCommandBench(result));
}
