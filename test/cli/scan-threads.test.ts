import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifestSet } from '../../bench/generate.js';
import { allChecks } from '../../src/checks/index.js';
import type { CliDeps } from '../../src/cli/io.js';
import { runCli, TEST_DEPS } from './support.js';

const REAL_DEPS: CliDeps = { loadChecks: async () => allChecks, version: '0.1.0' };
const PRODUCTION_POLICY = join(import.meta.dirname, '..', '..', 'examples', 'policies', 'production.yaml');

/** The report without its timestamp, which is the only thing allowed to differ. */
function comparable(stdout: string): string {
  return stdout.replace(/"generatedAt": "[^"]*"/, '"generatedAt": ""');
}

describe('scan on several threads', function () {
  this.timeout(120_000);
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-scan-threads-'));
    // Above the 4 MiB below which a scan stays on one thread.
    const set = await generateManifestSet(join(dir, 'set'), { workloads: 3200, namespaces: 64 });
    assert.ok(set.bytes > 4 * 1024 * 1024, `${set.bytes} bytes`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: { name: string; args: string[]; deps: CliDeps }[] = [
    { name: 'every check', args: [], deps: REAL_DEPS },
    { name: 'a policy file', args: ['--policy', PRODUCTION_POLICY], deps: REAL_DEPS },
    // The workers' catalogue differs from this one, so they decline and this thread runs the pod checks.
    { name: 'a catalogue the workers do not have', args: [], deps: TEST_DEPS },
  ];
  for (const c of cases) {
    it(`reports exactly what one thread reports, with ${c.name}`, async () => {
      const args = ['scan', join(dir, 'set'), '--format', 'json', '--fail-on', 'none', ...c.args];
      const one = await runCli(args, { deps: c.deps, env: { BULWARK_SCAN_THREADS: '1' } });
      assert.equal(one.code, 0, one.stderr);
      assert.ok(JSON.parse(one.stdout).findings.length > 100, 'the set has findings to compare');
      for (const threads of ['2', '3']) {
        const many = await runCli(args, { deps: c.deps, env: { BULWARK_SCAN_THREADS: threads } });
        assert.equal(many.code, one.code, many.stderr);
        assert.equal(many.stderr, one.stderr);
        assert.ok(
          comparable(many.stdout) === comparable(one.stdout),
          `${threads} threads: the reports differ`,
        );
      }
    });
  }

  it('rejects a thread count that is not a whole number of at least 1', async () => {
    const run = await runCli(['scan', join(dir, 'set')], {
      deps: REAL_DEPS,
      env: { BULWARK_SCAN_THREADS: 'many' },
    });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /BULWARK_SCAN_THREADS must be a whole number of threads, 1 or more \(got "many"\)/,
    );
  });
});
