/** `bulwark run` in the command table; see run.ts. The controller logs to the process's stderr. */
import type { CliIo } from '../io.js';
import { runHelp } from './options.js';
import { runCommand } from './run.js';

export const usage = runHelp();

export function run(args: readonly string[], io: CliIo): Promise<number> {
  return runCommand(args, { stdout: process.stdout, stderr: process.stderr, env: io.env });
}
