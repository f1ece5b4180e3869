/**
 * `npm run bench`: the offline scanner against SPEC §10's bar — a set of 10,000 workloads
 * in 200 namespaces (about 13.5 MB of YAML, 11,400 documents) scanned with every profile
 * in at most 1.5 s wall and 300 MB peak RSS on a 2-core machine, growing linearly — and
 * a 50,000-workload set of the same shape to show the growth.
 *
 * The scan runs as users run it: bin/bulwark.js with the Node flags of its #! line, loading
 * the bundled CLI in dist/bundle/ (rebuilt here, as `npm run build` does, when src/ is newer),
 * in a child process, timed from spawn to
 * exit, with peak RSS and CPU time from /usr/bin/time -v (or, without it, from the child's
 * own process.resourceUsage()). Each set is scanned several times and the median and best
 * are printed, because a shared machine is noisy; CPU time is printed beside wall time for
 * the same reason. An in-process breakdown of the 10k scan by phase follows, then the
 * benchmarks of bench/rbac.ts and bench/network.ts when those modules exist.
 *
 * Options (environment): BENCH_RUNS (default 3), BENCH_SETS (e.g. "10000" or
 * "10000,50000"), BENCH_CLI=tsx to run src/ through tsx instead of building,
 * BENCH_KEEP=1 to keep the generated sets, BENCH_OTHERS=0 to skip rbac and network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateManifestSet } from './generate.js';
import type { ManifestSet } from './generate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// `npm run build`'s output, which bin/bulwark.js (the command users run) loads.
const BUILT_CLI = join(ROOT, 'dist', 'bundle', 'main.js');
const LAUNCHER = join(ROOT, 'bin', 'bulwark.js');
const TIME = '/usr/bin/time';

// SPEC §10 targets for the 10k set.
const TARGET_WALL_SECONDS = 1.5;
const TARGET_RSS_MB = 300;

interface Measurement {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly exitCode: number | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The command that runs the CLI: the bundled build (rebuilt when src/ changed) or tsx. */
function cliCommand(): { argv: string[]; label: string } {
  if (process.env['BENCH_CLI'] === 'tsx') {
    return {
      argv: [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')],
      label: 'src/cli/main.ts through tsx',
    };
  }
  if (!existsSync(BUILT_CLI) || statSync(BUILT_CLI).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    process.stdout.write('building the CLI (tsc and tools/build/bundle.mjs, as npm run build) ... ');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // tsc emits even when some file has type errors, and the bundle does not need tsc's output:
    // a type error elsewhere must not stop the scan from being measured.
    spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    spawnSync(process.execPath, [join(ROOT, 'tools', 'build', 'bundle.mjs')], { cwd: ROOT, stdio: 'ignore' });
    process.stdout.write(existsSync(BUILT_CLI) ? 'done\n' : 'failed; falling back to tsx\n');
  }
  if (!existsSync(BUILT_CLI)) {
    return {
      argv: [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')],
      label: 'src/cli/main.ts through tsx',
    };
  }
  // Run as users run it: bin/bulwark.js, with the Node flags of its #! line.
  const flags = launcherNodeFlags();
  return {
    argv: [process.execPath, ...flags, LAUNCHER],
    label: `bin/bulwark.js${flags.length > 0 ? ` (node ${flags.join(' ')})` : ''} loading ${relative(ROOT, BUILT_CLI)}`,
  };
}

/** The Node flags on bin/bulwark.js's `#!/usr/bin/env -S node ...` line, so the bench runs the CLI as users do. */
function launcherNodeFlags(): string[] {
  const first = readFileSync(join(ROOT, 'bin', 'bulwark.js'), 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?: --?[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  return (
    match?.[1]
      ?.trim()
      .split(/\s+/)
      .filter((flag) => flag !== '') ?? []
  );
}

// Without /usr/bin/time the child reports its own peak: resourceUsage().maxRSS is in kilobytes.
const RSS_REPORTER = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('bench-rusage '+u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;

/** Runs one scan in a child process and measures it. */
async function measureScan(cli: string[], set: ManifestSet, output: string): Promise<Measurement> {
  const scanArgs = ['scan', set.dir, '--format', 'json', '--output', output, '--fail-on', 'none'];
  const useTime = existsSync(TIME);
  const [node = process.execPath, ...rest] = cli;
  const argv = useTime
    ? [TIME, '-v', node, ...rest, ...scanArgs]
    : [node, '--import', RSS_REPORTER, ...rest, ...scanArgs];
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
    (resolvePromise, reject) => {
      const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('close', (exitCode) => resolvePromise({ code: exitCode, stderr: err }));
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  let peakKb = 0;
  let cpuSeconds = 0;
  if (useTime) {
    peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
    const user = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? 0);
    const system = Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? 0);
    cpuSeconds = user + system;
  } else {
    const match = /bench-rusage (\d+) (\d+)/.exec(stderr);
    peakKb = Number(match?.[1] ?? 0);
    cpuSeconds = Number(match?.[2] ?? 0) / 1e6;
  }
  if (code !== 0)
    process.stdout.write(`  scan exited ${String(code)}: ${stderr.split('\n').slice(0, 5).join('\n  ')}\n`);
  return { wallSeconds, cpuSeconds, peakRssMb: peakKb / 1024, exitCode: code };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

/** The 10k scan phase by phase, in this process, so a regression shows where it is. */
async function breakdown(set: ManifestSet): Promise<void> {
  const { loadManifests } = await import('../src/manifests/load.js');
  const { Inventory } = await import('../src/engine/inventory.js');
  const { evaluate } = await import('../src/engine/evaluate.js');
  const { defaultPolicy } = await import('../src/engine/policy.js');
  const { allChecks } = await import('../src/checks/index.js');
  const { buildReport } = await import('../src/report/model.js');
  const { renderReport } = await import('../src/report/index.js');
  const phases: [string, number][] = [];
  let mark = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    phases.push([name, now - mark]);
    mark = now;
  };
  // One thread: this is where each phase's time goes, not the threads' overlap (and workers
  // started from the TypeScript sources would spend their time compiling them).
  const loaded = await loadManifests([set.dir]);
  lap('read and parse manifests');
  const inventory = new Inventory(loaded.objects.map((o) => o.object));
  lap('build the inventory');
  const policy = defaultPolicy(allChecks);
  const evaluation = evaluate(inventory, policy, { now: new Date() });
  lap(`evaluate ${policy.checks.length} checks`);
  const report = buildReport({
    tool: { name: 'bulwark', version: 'bench' },
    policy: policy.name,
    now: new Date(),
    inputs: { files: loaded.files, documents: loaded.documents, objects: loaded.objects.length },
    findings: evaluation.findings,
    tallies: evaluation.tallies,
    diagnostics: loaded.diagnostics,
    rules: policy.checks.map((e) => ({ check: e.check, severity: e.severity })),
  });
  lap('build the report');
  const bytes = renderReport('json', report, { color: false, showWaived: false }).length;
  lap('render JSON');
  const total = phases.reduce((sum, [, ms]) => sum + ms, 0);
  process.stdout.write(
    `\nIn-process breakdown of the ${set.documents.toLocaleString('en-US')}-document scan (warm modules, ${evaluation.findings.length.toLocaleString('en-US')} findings, ${(bytes / 1e6).toFixed(1)} MB of JSON):\n`,
  );
  process.stdout.write(
    `${table([['phase', 'ms', 'share'], ...phases.map(([name, ms]) => [name, ms.toFixed(0), `${((100 * ms) / total).toFixed(0)} %`])])}\n`,
  );
}

type BenchFunction = (...args: unknown[]) => unknown;

/**
 * bench/rbac.ts and bench/network.ts, written by their owners. Each exports a function that
 * runs its benchmark with its own defaults (`default`, `run…` or `bench…`); a result that is
 * not text is printed with the module's `format…` function when it has one.
 */
async function runOtherBenchmarks(): Promise<void> {
  for (const name of ['rbac', 'network']) {
    const path = join(ROOT, 'bench', `${name}.ts`);
    if (!existsSync(path)) {
      process.stdout.write(`\nbench/${name}.ts: not present, skipped\n`);
      continue;
    }
    process.stdout.write(`\n== bench/${name}.ts ==\n`);
    try {
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const exported = (pattern: RegExp): BenchFunction | undefined =>
        Object.entries(module).find(
          ([key, value]) => pattern.test(key) && typeof value === 'function',
        )?.[1] as BenchFunction | undefined;
      const entry =
        typeof module['default'] === 'function'
          ? (module['default'] as BenchFunction)
          : exported(/^(run|bench)/);
      if (entry === undefined) {
        process.stdout.write(`bench/${name}.ts exports no default, run… or bench… function; skipped\n`);
        continue;
      }
      const result = await entry();
      const format = exported(/^format/);
      const text =
        typeof result === 'string' || result === undefined
          ? result
          : format !== undefined
            ? format(result)
            : JSON.stringify(result, null, 2);
      if (text !== undefined)
        process.stdout.write(`${Array.isArray(text) ? text.join('\n') : String(text)}\n`);
    } catch (error) {
      // One benchmark failing must not hide the others' results.
      process.stdout.write(
        `bench/${name}.ts failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  }
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3));
  const sizes = (process.env['BENCH_SETS'] ?? '10000,50000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  const cpu = cpus();
  process.stdout.write(
    `Machine: ${cpu.length} cores, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free), ${platform()} ${release()}, Node ${process.version}\n`,
  );
  process.stdout.write(
    `Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (above ${cpu.length}, other work competes for the cores and wall times grow)\n`,
  );
  const cli = cliCommand();
  process.stdout.write(
    `CLI: ${cli.label}; ${runs} run${runs === 1 ? '' : 's'} per set; every profile on (no --policy)\n\n`,
  );

  const tmpDir = await mkdtemp(join(tmpdir(), 'bulwark-bench-'));
  try {
    const rows: string[][] = [
      ['set', 'docs', 'MB', 'wall median s', 'wall best s', 'CPU s', 'objects/s', 'peak RSS MB'],
    ];
    const results: { set: ManifestSet; workloads: number; wall: number; best: number; rss: number }[] = [];
    for (const workloads of sizes) {
      // 50 workloads per namespace, as in the 10k set's 200 namespaces.
      const namespaces = Math.max(1, Math.round(workloads / 50));
      const set = await generateManifestSet(join(tmpDir, `set-${workloads}`), { workloads, namespaces });
      process.stdout.write(
        `generated ${workloads.toLocaleString('en-US')} workloads in ${namespaces} namespaces: ${set.documents.toLocaleString('en-US')} documents, ${(set.bytes / 1e6).toFixed(1)} MB in ${set.files} files\n`,
      );
      const measurements: Measurement[] = [];
      for (let i = 0; i < runs; i++)
        measurements.push(await measureScan(cli.argv, set, join(tmpDir, 'report.json')));
      const wall = median(measurements.map((m) => m.wallSeconds));
      const best = Math.min(...measurements.map((m) => m.wallSeconds));
      const rss = Math.max(...measurements.map((m) => m.peakRssMb));
      results.push({ set, workloads, wall, best, rss });
      rows.push([
        `${workloads.toLocaleString('en-US')} workloads`,
        set.documents.toLocaleString('en-US'),
        (set.bytes / 1e6).toFixed(1),
        wall.toFixed(2),
        best.toFixed(2),
        median(measurements.map((m) => m.cpuSeconds)).toFixed(2),
        Math.round(set.documents / wall).toLocaleString('en-US'),
        rss.toFixed(0),
      ]);
    }
    if (results.length > 0) process.stdout.write(`\n${table(rows)}\n`);
    const first = results[0];
    if (first !== undefined && first.workloads === 10_000) {
      const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
      process.stdout.write(
        `\nSPEC §10 on the 10k set: wall ≤ ${TARGET_WALL_SECONDS} s ${verdict(first.best <= TARGET_WALL_SECONDS)} (best ${first.best.toFixed(2)} s, median ${first.wall.toFixed(2)} s); peak RSS ≤ ${TARGET_RSS_MB} MB ${verdict(first.rss <= TARGET_RSS_MB)} (${first.rss.toFixed(0)} MB)\n`,
      );
    }
    const last = results[results.length - 1];
    if (first !== undefined && last !== undefined && last !== first) {
      const inputRatio = last.set.bytes / first.set.bytes;
      process.stdout.write(
        `Growth from ${first.workloads.toLocaleString('en-US')} to ${last.workloads.toLocaleString('en-US')} workloads: input ×${inputRatio.toFixed(1)}, wall ×${(last.wall / first.wall).toFixed(1)}, peak RSS ×${(last.rss / first.rss).toFixed(1)}\n`,
      );
    }
    if (first !== undefined) await breakdown(first.set);
    if (process.env['BENCH_OTHERS'] !== '0') await runOtherBenchmarks();
  } finally {
    if (process.env['BENCH_KEEP'] === '1') process.stdout.write(`\nsets kept in ${tmpDir}\n`);
    else await rm(tmpDir, { recursive: true, force: true });
  }
}

await main();
