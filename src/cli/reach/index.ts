/**
 * `bulwark reach` as a function, for main.ts's command table (which loads `./reach/command.js`
 * as every command) and for callers that hold only output streams (benchmarks, tests).
 */
import type { Readable } from 'node:stream';
import type { CliIo, OutputStream } from '../io.js';
import { EXIT_ERROR, UsageError } from '../io.js';
import { run } from './command.js';

export { run, usage, parseReachArgs, closeMatches } from './command.js';
export type { ReachOptions, ReachFormat } from './command.js';
export { reachDocument, renderJson, renderTable } from './render.js';
export type { ReachDocument, DirectionChoice } from './render.js';

export interface ReachIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin?: Readable;
  /** Working directory for relative PATHs; the process's by default. */
  readonly cwd?: string;
}

/** Runs `bulwark reach ARGS`; resolves to the exit code and reports usage errors as main.ts does. */
export async function reachCommand(argv: readonly string[], io: ReachIo): Promise<number> {
  const cliIo: CliIo = {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
    cwd: io.cwd ?? process.cwd(),
    env: process.env,
    now: () => new Date(),
    // reach prints through stdout alone; a caller holding only streams gets them used in order.
    writeOutput: async (_path, chunks) => {
      for (const chunk of chunks) io.stdout.write(chunk);
    },
  };
  try {
    return await run(argv, cliIo);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`bulwark reach: ${error.message}\nRun 'bulwark reach --help' for usage.\n`);
    return EXIT_ERROR;
  }
}
