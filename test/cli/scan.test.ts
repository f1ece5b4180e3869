import assert from 'node:assert/strict';
import { FORMATS } from '../../src/report/index.js';
import { assertGolden } from '../report/golden.js';
import { runCli } from './support.js';

const EXTENSIONS: Readonly<Record<string, string>> = { table: 'table.txt', json: 'json', yaml: 'yaml', sarif: 'sarif', junit: 'junit.xml' };

describe('bulwark scan: reports (golden files)', () => {
  for (const format of FORMATS) {
    it(`app as ${format}`, async () => {
      const run = await runCli(['scan', 'app', '--format', format]);
      assertGolden(`cli/app.${EXTENSIONS[format]}`, run.stdout);
      assert.equal(run.stderr, '');
      assert.equal(run.code, 1);
    });
  }

  it('app with the production policy, waived findings listed', async () => {
    const run = await runCli(['scan', 'app', '--policy', '../policies/production.yaml', '--show-waived']);
    assertGolden('cli/app.production.table.txt', run.stdout);
    assert.equal(run.stderr, '');
  });

  it('a folder with malformed input: the rest is reported, errors on stderr', async () => {
    const run = await runCli(['scan', 'broken', 'clean']);
    assertGolden('cli/broken.table.txt', run.stdout);
    assertGolden('cli/broken.stderr.txt', run.stderr);
  });
});

interface ExitCase {
  readonly name: string;
  readonly argv: readonly string[];
  readonly stdin?: string;
  readonly code: number;
  /** Exact stderr. */
  readonly stderr?: string;
  /** A line stdout must hold. */
  readonly stdout?: RegExp;
}

describe('bulwark scan: exit codes and messages', () => {
  const cases: ExitCase[] = [
    { name: 'clean manifests exit 0', argv: ['scan', 'clean'], code: 0, stderr: '', stdout: /^Summary: score 100\/100 · no findings$/m },
    { name: 'a high finding fails at the default threshold', argv: ['scan', 'app'], code: 1, stderr: '' },
    { name: '--fail-on critical still fails on the critical finding', argv: ['scan', 'app', '--fail-on', 'critical'], code: 1 },
    { name: '--fail-on none never fails on findings', argv: ['scan', 'app', '--fail-on', 'none'], code: 0 },
    {
      name: 'a waived finding does not fail the build',
      argv: ['scan', 'app', '--policy', '../policies/production.yaml', '--fail-on', 'critical'],
      code: 0,
    },
    { name: 'medium findings fail at --fail-on medium', argv: ['scan', 'clean', 'app/workloads.yaml', '--fail-on', 'medium'], code: 1 },
    {
      name: 'malformed input exits 2 and names file, document and line',
      argv: ['scan', 'broken'],
      code: 2,
      stderr:
        'error: broken/manifests.yaml#2: line 15, column 13: bad indentation of a mapping entry\n' +
        'error: broken/manifests.yaml#3: line 17: skipped: Pod object has no metadata.name\n',
    },
    {
      name: 'a missing path exits 2, after scanning the others',
      argv: ['scan', 'missing.yaml', 'clean'],
      code: 2,
      stderr: 'error: missing.yaml: cannot read: no such file or directory\n',
      stdout: /^Summary: score 100\/100 · no findings · 1 input error \(listed on stderr\)$/m,
    },
    {
      name: 'stdin',
      argv: ['scan', '-'],
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: tools}\nspec:\n  containers: [{name: c, image: "x:1", securityContext: {privileged: true}}]\n',
      code: 1,
      stdout: /CRITICAL {2}Pod\/p {2}test\.privileged {2}container "c" is privileged {2}<stdin>:1/,
    },
    {
      name: 'a SecurityPolicy among the manifests is noted, not applied',
      argv: ['scan', 'clean', '../policies/production.yaml'],
      code: 0,
      stderr: 'note: the manifests hold SecurityPolicy production (../policies/production.yaml:1); it is not applied unless passed with --policy\n',
    },
    {
      name: 'no path is a usage error',
      argv: ['scan'],
      code: 2,
      stderr: "bulwark scan: no PATH given: name files or folders to scan, or - for stdin\nRun 'bulwark scan --help' for usage.\n",
    },
    {
      name: 'an unknown format',
      argv: ['scan', 'app', '--format', 'xml'],
      code: 2,
      stderr: `bulwark scan: --format must be one of table, json, yaml, sarif, junit (got "xml") (did you mean "yaml"?)\nRun 'bulwark scan --help' for usage.\n`,
    },
    {
      name: 'an unknown severity threshold',
      argv: ['scan', 'app', '--fail-on', 'hihg'],
      code: 2,
      stderr: `bulwark scan: --fail-on must be one of critical, high, medium, low, none (got "hihg") (did you mean "high"?)\nRun 'bulwark scan --help' for usage.\n`,
    },
    {
      name: 'a misspelt option',
      argv: ['scan', 'app', '--fromat', 'json'],
      code: 2,
      stderr: `bulwark scan: unknown option --fromat (did you mean "--format"?)\nRun 'bulwark scan --help' for usage.\n`,
    },
    {
      name: 'an option without its value',
      argv: ['scan', 'app', '--policy'],
      code: 2,
      stderr: `bulwark scan: option --policy needs a value\nRun 'bulwark scan --help' for usage.\n`,
    },
    {
      name: 'an invalid policy exits 2 with every field named',
      argv: ['scan', 'app', '--policy', '../policies/invalid.yaml'],
      code: 2,
      stderr:
        'error: ../policies/invalid.yaml: spec.profiles[1]: unknown profile "workload" (did you mean "workloads"?); known: pss-baseline, pss-restricted, workloads, rbac, service-accounts, namespaces, network, control-plane\n' +
        'error: ../policies/invalid.yaml: spec.checks[0].id: unknown check ID "test.latest-tags" (did you mean "test.latest-tag"?)\n' +
        'error: ../policies/invalid.yaml: spec.checks[1].severity: must be critical, high, medium or low (got "urgent")\n' +
        'error: ../policies/invalid.yaml: spec.checks[1].params.alow: check test.latest-tag has no parameter "alow" (did you mean "allow"?); known: allow\n' +
        'error: ../policies/invalid.yaml: spec.exceptions[0].reason: is required: say why the risk is accepted\n' +
        'error: ../policies/invalid.yaml: spec.exceptions[0].expires: must be an RFC 3339 date-time such as 2027-03-01T00:00:00Z (got "next week")\n' +
        'bulwark scan: the policy in ../policies/invalid.yaml is not valid; nothing was scanned\n',
    },
    {
      name: 'a malformed policy file',
      argv: ['scan', 'app', '--policy', '../policies/malformed.yaml'],
      code: 2,
      stderr:
        'error: ../policies/malformed.yaml#1: line 7, column 1: deficient indentation\n' +
        'bulwark scan: the policy in ../policies/malformed.yaml is not valid; nothing was scanned\n',
    },
    {
      name: 'a policy file with two policies',
      argv: ['scan', 'app', '--policy', '../policies/two.yaml'],
      code: 2,
      stderr:
        'error: ../policies/two.yaml: holds 2 SecurityPolicy objects (a, b); pass a file with one\n' +
        'bulwark scan: the policy in ../policies/two.yaml is not valid; nothing was scanned\n',
    },
    {
      name: 'a policy file that is not there',
      argv: ['scan', 'app', '--policy', 'nope.yaml'],
      code: 2,
      stderr: 'error: nope.yaml: cannot read policy: no such file or directory\nbulwark scan: the policy in nope.yaml is not valid; nothing was scanned\n',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = await runCli(c.argv, c.stdin !== undefined ? { stdin: c.stdin } : {});
      if (c.stderr !== undefined) assert.equal(run.stderr, c.stderr);
      if (c.stdout !== undefined) assert.match(run.stdout, c.stdout);
      assert.equal(run.code, c.code, run.stderr);
    });
  }

  it('--output writes the report to the file, nothing to stdout', async () => {
    const run = await runCli(['scan', 'clean', '--format', 'json', '--output', 'out/report.json']);
    assert.equal(run.stdout, '');
    const [[path, text] = ['', '']] = [...run.files];
    assert.match(path, /manifests\/out\/report\.json$/);
    assert.equal((JSON.parse(text) as { kind: string }).kind, 'ScanReport');
  });

  it('colours the table on a terminal, and not with --no-color or NO_COLOR', async () => {
    const escape = /\u001b\[/;
    assert.match((await runCli(['scan', 'app'], { tty: true })).stdout, escape);
    assert.doesNotMatch((await runCli(['scan', 'app', '--no-color'], { tty: true })).stdout, escape);
    assert.doesNotMatch((await runCli(['scan', 'app'], { tty: true, env: { NO_COLOR: '1' } })).stdout, escape);
    assert.match((await runCli(['scan', 'app', '--color'])).stdout, escape);
  });

  it('warns when an object is defined twice and scans the last definition', async () => {
    const run = await runCli(['scan', 'clean/app.yaml', '-'], { stdin: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: tools}\n' });
    assert.equal(
      run.stderr,
      'warning: <stdin>#1: line 1: Namespace tools is defined again (first at clean/app.yaml:1); the last definition is scanned\n',
    );
    assert.match(run.stdout, /namespace "tools" has no team label/);
  });

  it('prints its help', async () => {
    const run = await runCli(['scan', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: bulwark scan \[options\] PATH\.\.\. \| -$/m);
  });
});
