/**
 * A worker thread that reads and parses one run of manifest files (see parallel-read.ts)
 * and posts its part of the load back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileRun } from './load.js';
import type { ContinueAfterReading, ReadMessage, ReadRequest } from './parallel-read.js';

const port = parentPort;
if (port === null) throw new Error('read-worker.ts runs only as a worker thread');
const { files, settings, continueIn } = workerData as ReadRequest;
const post = (message: ReadMessage): void => port.postMessage(message);
try {
  const part = await readFileRun(files, settings, (progress) => post({ type: 'progress', progress }));
  post({ type: 'done', part });
  if (continueIn !== undefined) {
    const continuation = (await import(continueIn)) as { continueAfterReading: ContinueAfterReading };
    await continuation.continueAfterReading(
      part.objects.map((entry) => entry.object),
      port,
    );
  }
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
