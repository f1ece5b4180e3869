import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// A fresh process that records every module it loads, imports the policy engine (which
// imports the CEL rule compiler), and compiles a rule and a broken one. (The library is
// required synchronously on the first rule, which these hooks do not see under tsx.)
const PROBE = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
const cel = () => seen.some((url) => url.includes('/cel-js/'));
await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/engine/policy.ts')).href)});
const { compileCelRule } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/checks/custom/cel-rule.ts')).href)});
const atImport = cel();
const ok = compileCelRule({ id: 'acme.x', kinds: ['Pod'], expression: 'has(object.spec)', severity: 'low' }, 'spec.rules[0]');
const bad = compileCelRule({ id: 'acme.y', kinds: ['Pod'], expression: 'object.metadata +', severity: 'low' }, 'spec.rules[1]');
console.log(JSON.stringify({ atImport, compiled: ok.check !== undefined, badDiagnostics: bad.diagnostics.map((d) => d.path) }));
`;

describe('CEL rules', () => {
  it('load the CEL library only when a rule is compiled', function () {
    this.timeout(30_000);
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? ''), {
      atImport: false,
      compiled: true,
      badDiagnostics: ['spec.rules[1].expression'],
    });
  });
});
