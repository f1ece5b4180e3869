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
import { reachCommand } from '../src/cli/reach/index.js';
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
  /** Reading and parsing the manifests alone (second run's share of the work). */
  readonly loadMs: number;
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

async function timeReach(dir: string): Promise<ReachCommandRun> {
  let out = '';
  const cpu = process.cpuUsage();
  const start = performance.now();
  const exitCode = await reachCommand(['team-0000/Deployment/app-0', dir], {
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
  });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, exitCode, outputLines: out.split('\n').length - 1 };
}

export async function benchReachCommand(options: NetworkBenchOptions = DEFAULT_NETWORK_BENCH): Promise<ReachCommandBenchResult> {
  const objects = networkBenchObjects(options);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-reach-bench-'));
  try {
    const written = writeManifests(dir, objects);
    const first = await timeReach(dir);
    const second = await timeReach(dir);
    const loadStart = performance.now();
    await loadManifests([dir]);
    const loadMs = performance.now() - loadStart;
    return { options, ...written, objects: objects.length, first, second, loadMs };
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
    `  of which reading and parsing the manifests: ${r.loadMs.toFixed(0)} ms wall`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchReachCommand();
  console.log(formatReachCommandBench(result));
}
