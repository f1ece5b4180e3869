/**
 * The CLI as users run it: a separate Node process on src/cli/main.ts (through tsx, as
 * bin/bulwark.js runs the compiled module), with the real check catalogue.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function bulwark(args: readonly string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bulwark as a program', function () {
  // A cold Node process with tsx takes a few seconds on a busy two-core machine.
  this.timeout(120_000);

  it('prints its version and exits 0', () => {
    const run = bulwark(['--version']);
    assert.equal(run.stdout, 'bulwark 0.1.0\n');
    assert.equal(run.code, 0);
  });

  it('scans the built-in example, finds high-severity problems and exits 1', () => {
    const run = bulwark(['scan', 'examples/']);
    assert.match(run.stdout, /^namespace storefront · score \d+\/100/m);
    assert.match(run.stdout, /workload\.env-literal-secrets +container "web" sets DB_PASSWORD as a literal value/);
    assert.match(run.stdout, /^Summary: score \d+\/100 · /m);
    assert.match(run.stderr, /^note: the manifests hold SecurityPolicy production \(examples\/policies\/production\.yaml:5\)/m);
    assert.equal(run.code, 1, run.stderr);
  });

  it('applies the example production policy', () => {
    const run = bulwark(['scan', 'examples/insecure-app', '--policy', 'examples/policies/production.yaml', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { policy: string; findings: { checkId: string; active: boolean }[] };
    assert.equal(report.policy, 'production');
    assert.ok(report.findings.some((f) => f.checkId === 'acme.team-label'), 'the CEL rule ran');
    assert.ok(report.findings.some((f) => f.checkId === 'workload.image-tag' && !f.active), 'the exception waived a finding');
    assert.equal(run.code, 1, run.stderr);
  });

  it('writes a report file as it is produced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-out-'));
    try {
      const out = join(dir, 'report.sarif');
      const run = bulwark(['scan', 'examples/insecure-app', '--format', 'sarif', '--output', out]);
      assert.equal(run.stdout, '');
      const log = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
      assert.equal(log.version, '2.1.0');
      assert.ok((log.runs[0]?.results.length ?? 0) > 10);
      assert.equal(run.code, 1, run.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when the report cannot be written', () => {
    const run = bulwark(['scan', 'examples/insecure-app', '--output', '/nonexistent-bulwark-dir/report.txt']);
    assert.equal(run.stderr, 'bulwark scan: cannot write /nonexistent-bulwark-dir/report.txt: no such directory\n');
    assert.equal(run.code, 2);
  });

  it('reads stdin and exits 2 on malformed input, naming it', () => {
    const run = bulwark(['scan', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   namespace: b\n');
    assert.equal(run.stderr, 'error: <stdin>#1: line 5, column 13: bad indentation of a mapping entry\n');
    assert.equal(run.code, 2);
  });
});
