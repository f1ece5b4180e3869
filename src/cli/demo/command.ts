/** `bulwark demo` in the command table; see demo.ts. */
import type { CliIo } from '../io.js';
import { DEMO_HELP, demoCommand } from './demo.js';

export const usage = DEMO_HELP;

export function run(args: readonly string[], io: CliIo): Promise<number> {
  return demoCommand(args, io);
}
