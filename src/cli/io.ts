/**
 * What a command may touch of the outside world, passed in so that tests run commands
 * in-process with captured output, a fixed clock and a chosen working directory.
 */
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
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

/**
 * The pieces encoded as UTF-8 into buffers of about WRITE_BATCH bytes. Encoding each piece
 * straight into a buffer avoids concatenating strings: a joined string is a rope that must
 * be flattened before it is encoded, and one non-ASCII character anywhere widens the whole
 * flattened batch to two bytes a character (both together cost several times the encoding).
 *
 * With `reuse`, every batch is the same buffer, refilled: the caller must be done with a
 * batch before asking for the next. Fresh memory costs a page fault per page touched, which
 * for a 30 MB report is a good part of the time spent writing it.
 */
export function* utf8Batches(chunks: Iterable<string>, reuse = false): Generator<Buffer> {
  let batch = Buffer.allocUnsafe(WRITE_BATCH);
  let used = 0;
  for (const chunk of chunks) {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (used + chunk.length * 3 > batch.length) {
      if (used > 0) {
        yield batch.subarray(0, used);
        if (!reuse) batch = Buffer.allocUnsafe(WRITE_BATCH);
        used = 0;
      }
      if (chunk.length * 3 > batch.length) {
        yield Buffer.from(chunk, 'utf8');
        continue;
      }
    }
    used += batch.write(chunk, used, 'utf8');
  }
  if (used > 0) yield batch.subarray(0, used);
}

/** Writes the report to a file with plain blocking writes from one reused buffer. */
function writeToFile(path: string, chunks: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const batch of utf8Batches(chunks, true)) {
      for (let offset = 0; offset < batch.length;) offset += writeSync(fd, batch, offset);
    }
  } finally {
    closeSync(fd);
  }
}

async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  for (const batch of utf8Batches(chunks)) {
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
    writeOutput: async (path, chunks) =>
      path === undefined ? writeToStdout(chunks) : writeToFile(path, chunks),
  };
}

/** Whether to colour output for a stream: a terminal, unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function wantsColor(stream: OutputStream, env: CliIo['env']): boolean {
  return stream.isTTY && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}
