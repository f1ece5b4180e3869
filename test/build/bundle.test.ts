/**
 * The bundled command line (tools/build/bundle.mjs, what bin/bulwark.js loads) against the
 * sources run through tsx: the same reports, the reading threads found where the bundle's
 * code looks for them, and the lazily loaded commands still lazy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A JSON report without the one field that differs between two runs. */
function withoutTime(json: string): unknown {
  const report = JSON.parse(json) as Record<string, unknown>;
  delete report['generatedAt'];
  return report;
}

describe('the bundled command line', function () {
  // Building the bundle and a few cold Node processes on a busy two-core machine.
  this.timeout(300_000);
  let outdir = '';
  let work = '';

  before(() => {
    // Inside the checkout, so that the bundle finds package.json (its version) as installed.
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    outdir = mkdtempSync(join(ROOT, 'dist', 'bundle-test-'));
    const built = node([join(ROOT, 'tools', 'build', 'bundle.mjs'), outdir]);
    assert.equal(built.code, 0, built.stderr);
    work = mkdtempSync(join(tmpdir(), 'bulwark-bundle-'));
  });

  after(() => {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const bundled = (args: readonly string[], env?: Record<string, string>): Run =>
    node([join(outdir, 'main.js'), ...args], env);
  const fromSource = (args: readonly string[], env?: Record<string, string>): Run =>
    node(['--import', 'tsx', 'src/cli/main.ts', ...args], env);

  it('prints the version of the package', () => {
    const run = bundled(['--version']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'bulwark 0.1.0\n');
  });

  it('scans the built-in example to the same report as the sources do', () => {
    const args = ['scan', 'examples/', '--format', 'json', '--policy', 'examples/policies/production.yaml'];
    const expected = fromSource(args);
    const actual = bundled(args);
    assert.equal(actual.code, expected.code, actual.stderr);
    assert.equal(actual.stderr, expected.stderr);
    assert.deepEqual(withoutTime(actual.stdout), withoutTime(expected.stdout));
  });

  it('keeps every worker module where the code that starts it looks for it', () => {
    const files = new Set(readdirSync(outdir));
    const referenced = new Set<string>();
    for (const file of files) {
      if (!file.endsWith('.js')) continue;
      const text = readFileSync(join(outdir, file), 'utf8');
      // `new URL('./read-worker.js', import.meta.url)`, or a conditional choosing the file.
      for (const match of text.matchAll(/["']\.\/([\w.-]+-worker\.js)["']/g))
        referenced.add(match[1] as string);
    }
    // parallel-read.ts and pod-check-offload.ts each start one.
    assert.deepEqual([...referenced].sort(), ['pod-check-worker.js', 'read-worker.js']);
    for (const name of referenced) assert.ok(files.has(name), `${name} is not in the bundle`);
  });

  it('reads a large input on reading threads to the same report as on one thread', () => {
    // Above the 4 MiB from which the scan reads on threads: the example, copied into many namespaces.
    const app = join(ROOT, 'examples', 'insecure-app');
    const example = readdirSync(app)
      .sort()
      .map((file) => readFileSync(join(app, file), 'utf8'))
      .join('\n---\n');
    const dir = join(work, 'large');
    mkdirSync(dir);
    let bytes = 0;
    for (let i = 0; bytes < 5 * 1024 * 1024; i++) {
      const text = example.replaceAll('storefront', `storefront-${String(i).padStart(4, '0')}`);
      writeFileSync(join(dir, `app-${i}.yaml`), text);
      bytes += Buffer.byteLength(text);
    }
    const args = ['scan', dir, '--format', 'json', '--fail-on', 'none'];
    const one = bundled(args, { BULWARK_SCAN_THREADS: '1' });
    const three = bundled(args, { BULWARK_SCAN_THREADS: '3' });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(three.code, 0, three.stderr);
    assert.equal(three.stderr, one.stderr);
    assert.deepEqual(withoutTime(three.stdout), withoutTime(one.stdout));
  });

  it('loads the scan without the Kubernetes client', () => {
    // The modules main.js and the scan command load statically, followed to the end.
    const read = (file: string): string => readFileSync(join(outdir, file), 'utf8');
    const staticImports = (text: string): string[] =>
      [...text.matchAll(/^(?:import|export)\b[^;()]*?["']\.\/([\w.-]+\.js)["'];?$/gm)].map(
        (m) => m[1] as string,
      );
    const scan = readdirSync(outdir).find(
      (file) => /^command-\w+\.js$/.test(file) && read(file).includes('bulwark scan [options]'),
    );
    assert.ok(scan !== undefined, 'a chunk holds the scan command');
    const loaded = new Set<string>();
    const queue = ['main.js', scan];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (loaded.has(file)) continue;
      loaded.add(file);
      queue.push(...staticImports(read(file)));
    }
    assert.ok(loaded.size > 2, `static imports were followed (${[...loaded].join(', ')})`);
    for (const file of loaded)
      assert.ok(!read(file).includes('@kubernetes/client-node'), `${file} loads the client`);
  });
});
