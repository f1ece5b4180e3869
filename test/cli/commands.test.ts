import assert from 'node:assert/strict';
import { assertGolden } from '../report/golden.js';
import { runCli } from './support.js';

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly code: number;
  /** Golden file for stdout, or an exact string. */
  readonly golden?: string;
  readonly stdout?: string | RegExp;
  readonly stderr?: string;
}

describe('bulwark checks, explain, help and version', () => {
  const cases: Case[] = [
    { name: 'checks lists the catalogue', argv: ['checks'], code: 0, golden: 'cli/checks.table.txt', stderr: '' },
    { name: 'checks as JSON', argv: ['checks', '--format', 'json'], code: 0, golden: 'cli/checks.json' },
    { name: 'checks in one profile', argv: ['checks', '--profile', 'workloads'], code: 0, stdout: /^test\.latest-tag +medium +workload +workloads +Images name a fixed tag$/m },
    {
      name: 'checks with an unknown profile',
      argv: ['checks', '--profile', 'pss'],
      code: 2,
      stderr:
        `bulwark checks: --profile must be one of pss-baseline, pss-restricted, workloads, rbac, service-accounts, namespaces, network, control-plane (got "pss")\n` +
        `Run 'bulwark checks --help' for usage.\n`,
    },
    {
      name: 'checks with an ID meant for explain',
      argv: ['checks', 'test.privileged'],
      code: 2,
      stderr: `bulwark checks: unexpected argument "test.privileged"; did you mean 'bulwark explain test.privileged'?\nRun 'bulwark checks --help' for usage.\n`,
    },
    { name: 'explain a check', argv: ['explain', 'test.latest-tag'], code: 0, golden: 'cli/explain.latest-tag.txt', stderr: '' },
    { name: 'explain an opt-in check', argv: ['explain', 'test.opt-in'], code: 0, stdout: /^ {2}Profiles: {5}none \(opt-in: enable it with a policy checks: entry\)$/m },
    { name: 'explain as JSON', argv: ['explain', 'test.privileged', '--format', 'json'], code: 0, golden: 'cli/explain.privileged.json' },
    { name: 'explain a profile', argv: ['explain', 'workloads'], code: 0, stdout: 'Profile workloads: 1 check\n\n  test.latest-tag  medium    Images name a fixed tag\n' },
    { name: 'explain cel', argv: ['explain', 'cel'], code: 0, stdout: /^Functions: CEL standard library/m },
    {
      name: 'explain an unknown ID suggests the nearest',
      argv: ['explain', 'test.privilegd'],
      code: 2,
      stderr: `bulwark explain: unknown check "test.privilegd" (did you mean "test.privileged"?); 'bulwark checks' lists them\nRun 'bulwark explain --help' for usage.\n`,
    },
    {
      name: 'explain without an ID',
      argv: ['explain'],
      code: 2,
      stderr: `bulwark explain: name one check ID (see bulwark checks)\nRun 'bulwark explain --help' for usage.\n`,
    },
    { name: '--version', argv: ['--version'], code: 0, stdout: 'bulwark 0.1.0\n' },
    { name: '--help lists the commands', argv: ['--help'], code: 0, golden: 'cli/help.txt' },
    { name: 'no command prints help and fails', argv: [], code: 2, stdout: /^Usage: bulwark <command>/ },
    { name: 'help for a command', argv: ['help', 'checks'], code: 0, stdout: /^Usage: bulwark checks \[options\]$/m },
    {
      name: 'an unknown command suggests the nearest',
      argv: ['scna', 'x'],
      code: 2,
      stderr: `bulwark: unknown command "scna" (did you mean "scan"?)\nRun 'bulwark --help' for the commands.\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const run = await runCli(c.argv);
      if (c.golden !== undefined) assertGolden(c.golden, run.stdout);
      if (typeof c.stdout === 'string') assert.equal(run.stdout, c.stdout);
      else if (c.stdout !== undefined) assert.match(run.stdout, c.stdout);
      if (c.stderr !== undefined) assert.equal(run.stderr, c.stderr);
      assert.equal(run.code, c.code, run.stderr);
    });
  }

  it('reports an unexpected failure as an internal error with exit 2, never a crash', async () => {
    const run = await runCli(['checks'], {
      deps: {
        version: '0.1.0',
        loadChecks: () => Promise.reject(new Error('catalogue exploded')),
      },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^bulwark checks: internal error: Error: catalogue exploded/);
  });
});
