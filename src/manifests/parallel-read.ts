/**
 * The main thread's side of reading a run of manifest files on a worker thread
 * (read-worker.ts is the worker's side). The worker's part comes back by structured clone,
 * which keeps every value YAML can produce (dates, NaN, infinities) as it was parsed.
 */
import { Worker } from 'node:worker_threads';
import type { FoundFile, LoadPart, LoadProgress, ReadSettings } from './load.js';

/** What the worker is given. */
export interface ReadRequest {
  readonly files: readonly FoundFile[];
  readonly settings: ReadSettings;
}

/** What the worker posts: progress after each file, then its part (or why it failed). */
export type ReadMessage =
  | { readonly type: 'progress'; readonly progress: LoadProgress }
  | { readonly type: 'done'; readonly part: LoadPart }
  | { readonly type: 'failed'; readonly message: string };

// Run from the TypeScript sources (tests, `tsx`), the worker needs tsx's loader as well.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './read-worker.ts' : './read-worker.js', import.meta.url);

/** Reads the files on a new worker thread; rejects if the worker cannot start or fails. */
export function readInWorker(
  files: readonly FoundFile[],
  settings: ReadSettings,
  onProgress: (progress: LoadProgress) => void,
): Promise<LoadPart> {
  return new Promise((resolvePart, reject) => {
    const request: ReadRequest = { files, settings };
    const worker = new Worker(WORKER_URL, {
      workerData: request,
      ...(FROM_SOURCE ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
    });
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      action();
      void worker.terminate();
    };
    worker.on('message', (message: ReadMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') settle(() => resolvePart(message.part));
      else settle(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the reading thread exited with code ${code}`))));
  });
}
