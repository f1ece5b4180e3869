/**
 * What a command may touch of the outside world, passed in so that tests run commands
 * in-process with captured output, a fixed clock and a chosen working directory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  /**
   * Writes a report as it is produced, to a file or (with no path) to stdout, waiting when
   * the destination is slower than the producer so that pieces do not pile up in memory.
   */
  writeOutput(path: string | undefined, chunks: Iterable<string>): Promise<void>;
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

// Pieces are gathered to about this size before a write: fewer, larger writes, little memory.
const WRITE_BATCH = 1 << 20;

function* batched(chunks: Iterable<string>): Generator<string> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= WRITE_BATCH) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  for (const batch of batched(chunks)) {
    if (!process.stdout.write(batch)) await once(process.stdout, 'drain');
  }
}

export function processIo(): CliIo {
  return {
    stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    writeOutput: (path, chunks) =>
      path === undefined ? writeToStdout(chunks) : pipeline(Readable.from(batched(chunks)), createWriteStream(path)),
  };
}

/** Whether to colour output for a stream: a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function wantsColor(stream: OutputStream, env: CliIo['env']): boolean {
  return stream.isTTY && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}
