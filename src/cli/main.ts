/**
 * `bulwark <command>`: the command table and what every command shares (help, version,
 * usage errors, exit codes). Commands are modules loaded on first use, so `bulwark scan`
 * never loads the controller's Kubernetes client and `bulwark run` never loads the report
 * writers.
 *
 * To add a command (`run`, `can-i`, `who-can`, `access`, `reach`, `demo`), write
 * `src/cli/<command>/command.ts` exporting `usage` (its help text) and
 * `run(args, io, deps): Promise<number>` (throw UsageError for a bad invocation; return an
 * exit code otherwise), and add one line to COMMANDS below.
 *
 * Run as a program (`node dist/src/cli/main.js`, `bin/bulwark.js`, or through tsx), it
 * reads process.argv and sets the exit code; imported, it only exports `main` for tests.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check } from '../engine/check.js';
import { suggest } from '../engine/policy.js';
import type { CliDeps, CliIo } from './io.js';
import { EXIT_ERROR, EXIT_OK, processIo, UsageError } from './io.js';

export interface CommandModule {
  readonly usage: string;
  run(args: readonly string[], io: CliIo, deps: CliDeps): Promise<number>;
}

export interface Command {
  readonly name: string;
  /** One line for `bulwark --help`. */
  readonly summary: string;
  load(): Promise<CommandModule>;
}

/** Every command, in the order `bulwark --help` lists them. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'scan',
    summary: 'scan manifests (files, folders, - for stdin) against a policy',
    load: () => import('./scan/command.js'),
  },
  { name: 'checks', summary: 'list the check catalogue', load: () => import('./checks/command.js') },
  {
    name: 'explain',
    summary: 'show one check in full (also a profile, or cel)',
    load: () => import('./explain/command.js'),
  },
  {
    name: 'can-i',
    summary: 'whether a user may do something, as the RBAC authorizer answers',
    load: () => import('./can-i/command.js'),
  },
  {
    name: 'who-can',
    summary: 'which subjects may do something, and through which bindings',
    load: () => import('./who-can/command.js'),
  },
  {
    name: 'access',
    summary: "a subject's effective permissions and escalation paths",
    load: () => import('./access/command.js'),
  },
  {
    name: 'reach',
    summary: 'who can reach a workload, and where it may connect (NetworkPolicy)',
    load: () => import('./reach/command.js'),
  },
  {
    name: 'run',
    summary: 'run the controller (what the container starts)',
    load: () => import('./run/command.js'),
  },
  {
    name: 'demo',
    summary: 'run the operator on a local control plane against the built-in example',
    load: () => import('./demo/command.js'),
  },
];

/** The version in package.json, found by walking up from this module (src/cli under tsx, dist/src/cli when built). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'bulwark' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return '0.0.0-unknown';
}

export const defaultDeps: CliDeps = {
  loadChecks: async (): Promise<readonly Check[]> => (await import('../checks/index.js')).allChecks,
  version: packageVersion(),
};

function globalUsage(): string {
  const entries = [
    ...COMMANDS.map((c) => [c.name, c.summary] as const),
    ['help [command]', 'show help for a command'] as const,
  ];
  const width = Math.max(...entries.map(([name]) => name.length));
  return `Usage: bulwark <command> [options]

Kubernetes security posture: Pod Security, RBAC, NetworkPolicy and workload checks.

Commands:
${entries.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

Options:
  -h, --help  show this help
  --version   print the version

Run 'bulwark <command> --help' for a command's options.
`;
}

/** Runs the CLI; resolves to the exit code. Never rejects: an unexpected error is reported and exits 2. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  deps: CliDeps = defaultDeps,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    io.stdout.write(globalUsage());
    return first === undefined ? EXIT_ERROR : EXIT_OK;
  }
  if (first === '--version' || first === 'version') {
    io.stdout.write(`bulwark ${deps.version}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    const topic = rest[0];
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic === undefined) io.stdout.write(globalUsage());
    else if (command !== undefined) io.stdout.write((await command.load()).usage);
    else {
      io.stderr.write(
        `bulwark: unknown command "${topic}"${suggest(
          topic,
          COMMANDS.map((c) => c.name),
        )}\n`,
      );
      return EXIT_ERROR;
    }
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    io.stderr.write(
      `bulwark: unknown command "${first}"${suggest(
        first,
        COMMANDS.map((c) => c.name),
      )}\nRun 'bulwark --help' for the commands.\n`,
    );
    return EXIT_ERROR;
  }
  try {
    const module = await command.load();
    return await module.run(rest, io, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `bulwark ${command.name}: ${error.message}\nRun 'bulwark ${command.name} --help' for usage.\n`,
      );
      return EXIT_ERROR;
    }
    // A bug, not the user's doing: say so with the stack, and fail like an input error.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`bulwark ${command.name}: internal error: ${detail}\n`);
    return EXIT_ERROR;
  }
}

/** True when this module is the program: run directly, through tsx, or through bin/bulwark.js. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    const real = realpathSync(script);
    if (real === fileURLToPath(import.meta.url)) return true;
    return basename(real) === 'bulwark.js' && basename(dirname(real)) === 'bin';
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `bulwark scan ... | head`: the reader left; stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(process.argv.slice(2));
}
