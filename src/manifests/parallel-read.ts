/**
 * The main thread's side of reading a run of manifest files on a worker thread
 * (read-worker.ts is the worker's side). The worker's part comes back by structured clone,
 * which keeps every value YAML can produce (NaN and infinities among them) as it was parsed.
 */
import type { MessagePort } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import type { KubeObject } from '../engine/objects.js';
import type { FoundFile, LoadPart, LoadProgress, ReadSettings } from './load.js';

/** What the worker is given. */
export interface ReadRequest {
  readonly files: readonly FoundFile[];
  readonly settings: ReadSettings;
  /** A module the worker imports after reading, to go on working on what it read (see LoadOptions.continueIn). */
  readonly continueIn?: string;
}

/**
 * A reading worker kept after reading, with its continuation module listening: it holds the
 * objects it read, so work on them can be asked of it without sending them back.
 */
export interface ReadingHelper {
  /** The objects the worker read, the same (by identity) as in the load's result. */
  readonly objects: readonly KubeObject[];
  /** Sends a message to the continuation and resolves with its reply. */
  ask(message: unknown): Promise<unknown>;
  /** Stops the worker. */
  close(): void;
}

/** The continuation module's export, which the worker calls with what it read. */
export type ContinueAfterReading = (
  objects: readonly KubeObject[],
  port: MessagePort,
) => void | Promise<void>;

/** What the worker posts: progress after each file, then its part (or why it failed). */
export type ReadMessage =
  | { readonly type: 'progress'; readonly progress: LoadProgress }
  | { readonly type: 'done'; readonly part: LoadPart }
  | { readonly type: 'failed'; readonly message: string };

// Run from the TypeScript sources (tests, tsx), the worker registers tsx's loader before it
// loads the worker module: a worker takes no `--import` of its own.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = FROM_SOURCE
  ? new URL(
      `data:text/javascript,${encodeURIComponent(
        `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); ` +
          `await import(${JSON.stringify(new URL('./read-worker.ts', import.meta.url).href)});`,
      )}`,
    )
  : new URL('./read-worker.js', import.meta.url);

/** Reads the files on a new worker thread; rejects if the worker cannot start or fails. */
export function readInWorker(
  files: readonly FoundFile[],
  settings: ReadSettings,
  onProgress: (progress: LoadProgress) => void,
  continueIn?: URL,
): Promise<{ part: LoadPart; helper?: ReadingHelper }> {
  return new Promise((resolvePart, reject) => {
    const request: ReadRequest = {
      files,
      settings,
      ...(continueIn !== undefined ? { continueIn: continueIn.href } : {}),
    };
    const worker = new Worker(WORKER_URL, { workerData: request });
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      reject(error);
      void worker.terminate();
    };
    const onMessage = (message: ReadMessage): void => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'failed') fail(new Error(message.message));
      else if (!settled) {
        settled = true;
        worker.off('message', onMessage);
        if (continueIn === undefined) {
          void worker.terminate();
          resolvePart({ part: message.part });
        } else {
          resolvePart({ part: message.part, helper: helperOf(worker, message.part) });
        }
      }
    };
    worker.on('message', onMessage);
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the reading thread exited with code ${code}`)));
  });
}

function helperOf(worker: Worker, part: LoadPart): ReadingHelper {
  // A helper nobody closes must not keep the process alive; it is held only while asked.
  worker.unref();
  let closed = false;
  return {
    objects: part.objects.map((entry) => entry.object),
    ask: (message) =>
      new Promise((resolveReply, reject) => {
        if (closed) {
          reject(new Error('the reading thread was closed'));
          return;
        }
        const done = (): void => {
          worker.off('message', onReply);
          worker.off('error', onError);
          worker.off('exit', onExit);
          worker.unref();
        };
        const onReply = (reply: unknown): void => {
          done();
          resolveReply(reply);
        };
        const onError = (error: Error): void => {
          done();
          reject(error);
        };
        const onExit = (code: number): void => {
          done();
          reject(new Error(`the reading thread exited with code ${code}`));
        };
        worker.ref();
        worker.on('message', onReply);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage(message);
      }),
    close: () => {
      closed = true;
      void worker.terminate();
    },
  };
}
