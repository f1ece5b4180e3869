/**
 * What a command may touch of the outside world, passed in so that tests run commands
 * in-process with captured output, a fixed clock and a chosen working directory.
 */
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Check } from '../engine/check.js';

export interface OutputStream {
  write(text: string): void;
  /** Whether this is a terminal: colours and progress only go to terminals. */
  readonly isTTY: boolean;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin?: Readable;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  writeFile(path: string, text: string): Promise<void>;
}

/** What the commands build on, replaceable in tests (a fixed catalogue keeps golden outputs stable). */
export interface CliDeps {
  loadChecks(): Promise<readonly Check[]>;
  readonly version: string;
}

export const EXIT_OK = 0;
/** Findings at or above the `--fail-on` threshold. */
export const EXIT_FINDINGS = 1;
/** A usage error, or input that could not be read (named on stderr). */
export const EXIT_ERROR = 2;

/** A mistake in how a command was called; the message is shown with a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function processIo(): CliIo {
  return {
    stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    writeFile: (path, text) => writeFile(path, text),
  };
}

/** Whether to colour output for a stream: a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function wantsColor(stream: OutputStream, env: CliIo['env']): boolean {
  return stream.isTTY && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}
