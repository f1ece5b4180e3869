import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/logging/logger.js';
import type { LogLevel } from '../../src/logging/logger.js';

/** Logs at `level` into memory; returns the parsed lines once the stream has them. */
function capture(level: LogLevel): { log: ReturnType<typeof createLogger>; lines: () => Promise<unknown[]> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return {
    log: createLogger(level, stream),
    lines: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown);
    },
  };
}

describe('createLogger', () => {
  it('writes one JSON object a line, with level, message, metadata and a timestamp', async () => {
    const { log, lines } = capture('info');
    log.info('caches synced', { objects: 3 });
    const [line] = (await lines()) as Record<string, unknown>[];
    assert.equal(line?.['level'], 'info');
    assert.equal(line?.['message'], 'caches synced');
    assert.equal(line?.['objects'], 3);
    assert.equal(typeof line?.['timestamp'], 'string');
  });

  it('drops lines below its level, and keeps those at or above it', async () => {
    const { log, lines } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      ((await lines()) as { message: string }[]).map((l) => l.message),
      ['w', 'e'],
    );
    const verbose = capture('debug');
    verbose.log.debug('d');
    assert.deepEqual(
      ((await verbose.lines()) as { message: string }[]).map((l) => l.message),
      ['d'],
    );
  });

  it('gives children their tags and the same level', async () => {
    const { log, lines } = capture('info');
    const child = log.child({ component: 'reflector' }).child({ kind: 'Pod' });
    child.debug('hidden');
    child.info('listed', { items: 2 });
    assert.equal((await lines()).length, 1, 'the debug line is dropped');
    const [line] = (await lines()) as Record<string, unknown>[];
    assert.deepEqual(
      [line?.['message'], line?.['component'], line?.['kind'], line?.['items']],
      ['listed', 'reflector', 'Pod', 2],
    );
  });
});
