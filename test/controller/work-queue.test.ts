import assert from 'node:assert/strict';
import { TerminalError, WorkQueue } from '../../src/controller/work-queue.js';
import type { ReconcileOutcome, ReconcileResult, WorkQueueOptions } from '../../src/controller/work-queue.js';
import { FakeClock, settle } from './fake-clock.js';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A queue on a fake clock whose reconcile records every call and may be scripted per key. */
function harness(
  options: Partial<WorkQueueOptions> = {},
  script: (key: string, call: number) => Promise<ReconcileResult> | ReconcileResult = () => undefined,
): {
  clock: FakeClock;
  queue: WorkQueue;
  calls: { key: string; at: number; id: string }[];
  outcomes: ReconcileOutcome[];
  running: () => number;
  maxRunning: () => number;
} {
  const clock = new FakeClock();
  const calls: { key: string; at: number; id: string }[] = [];
  const outcomes: ReconcileOutcome[] = [];
  const callsPerKey = new Map<string, number>();
  let running = 0;
  let maxRunning = 0;
  let ids = 0;
  const start = clock.now();
  const queue = new WorkQueue({
    clock,
    random: () => 0,
    newReconcileId: () => `r${++ids}`,
    onOutcome: (outcome) => outcomes.push(outcome),
    reconcile: async (key, id) => {
      calls.push({ key, at: clock.now() - start, id });
      const n = (callsPerKey.get(key) ?? 0) + 1;
      callsPerKey.set(key, n);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await script(key, n);
      } finally {
        running--;
      }
    },
    ...options,
  });
  return { clock, queue, calls, outcomes, running: () => running, maxRunning: () => maxRunning };
}

describe('WorkQueue', () => {
  it('debounces: a key runs once, 200 ms after its first add, however many adds follow', async () => {
    const { clock, queue, calls } = harness();
    for (let i = 0; i < 50; i++) queue.add('ns/web');
    await clock.advance(150);
    queue.add('ns/web');
    await clock.advance(49);
    assert.equal(calls.length, 0, 'nothing runs inside the debounce window');
    await clock.advance(1);
    assert.deepEqual(
      calls.map((c) => [c.key, c.at]),
      [['ns/web', 200]],
    );
    await clock.advance(1_000);
    assert.equal(calls.length, 1, 'the adds inside the window did not cause a second run');
  });

  it('the debounce is configurable', async () => {
    const { clock, queue, calls } = harness({ debounceMs: 0 });
    queue.add('cluster');
    await clock.advance(0);
    assert.deepEqual(
      calls.map((c) => c.at),
      [0],
    );
  });

  it('with leading, runs a lone change at once and gathers what follows into one run a window later', async () => {
    const gate = deferred();
    const { clock, queue, calls } = harness({ leading: true }, async (_key, n) => {
      if (n === 1) await gate.promise;
    });
    for (let i = 0; i < 20; i++) queue.add('ns/web');
    await clock.advance(0);
    assert.deepEqual(
      calls.map((c) => c.at),
      [0],
      'the first add of a quiet key does not wait',
    );
    await clock.advance(50);
    queue.add('ns/web');
    queue.add('ns/web');
    gate.resolve();
    await clock.advance(199);
    assert.equal(calls.length, 1, 'adds during the run wait for the window, from their first add');
    await clock.advance(1);
    assert.deepEqual(
      calls.map((c) => c.at),
      [0, 250],
    );
    await clock.advance(1_000);
    assert.equal(calls.length, 2);
    queue.add('ns/web');
    await clock.advance(0);
    assert.deepEqual(
      calls.map((c) => c.at),
      [0, 250, 1250],
      'quiet again for a window: at once again',
    );
  });

  it('with leading, a key added steadily keeps its window: one run per window, none at once', async () => {
    const { clock, queue, calls } = harness({ leading: true });
    queue.add('ns/web');
    await clock.advance(0);
    for (let t = 0; t < 10; t++) {
      await clock.advance(100);
      queue.add('ns/web');
    }
    await clock.advance(1_000);
    // The first add ran at once; the adds every 100 ms never leave a quiet window, so each
    // run gathers a window's adds: the add at 100 runs at 300, the one made as that run
    // starts at 500, and so on; the last add (1000) runs at 1100.
    assert.deepEqual(
      calls.map((c) => c.at),
      [0, 300, 500, 700, 900, 1100],
    );
  });

  it('never hands a key to two workers; an add during a run reruns it afterwards', async () => {
    const gate = deferred();
    const { clock, queue, calls, maxRunning } = harness({ concurrency: 4 }, async (_key, n) => {
      if (n === 1) await gate.promise;
    });
    queue.add('ns/a');
    await clock.advance(200);
    assert.equal(calls.length, 1);
    queue.add('ns/a');
    queue.add('ns/a');
    await clock.advance(1_000);
    assert.equal(calls.length, 1, 'still running: the new add waits');
    assert.deepEqual(queue.stats(), { delayed: 0, ready: 0, processing: 1, dirty: 1 });
    gate.resolve();
    await clock.advance(0);
    assert.equal(
      calls.length,
      2,
      'the add made during the run has waited out its debounce, so it runs at once',
    );
    assert.equal(maxRunning(), 1);
  });

  it('runs different keys concurrently up to the limit', async () => {
    const gate = deferred();
    const { clock, queue, running } = harness({ concurrency: 2 }, () => gate.promise);
    queue.addAll(['ns/a', 'ns/b', 'ns/c']);
    await clock.advance(200);
    assert.equal(running(), 2);
    assert.equal(queue.depth, 1, 'the third key waits for a worker');
    gate.resolve();
    await clock.advance(0);
    assert.equal(queue.depth, 0);
  });

  it('runs real changes before periodic re-evaluation', async () => {
    const gate = deferred();
    const { clock, queue, calls } = harness({ concurrency: 1 }, async (key) => {
      if (key === 'blocker') await gate.promise;
    });
    queue.add('blocker');
    await clock.advance(200);
    queue.addAll(['ns/r1', 'ns/r2', 'ns/r3'], 'resync');
    await clock.advance(200);
    queue.add('ns/changed');
    queue.add('ns/r3', 'change');
    await clock.advance(200);
    gate.resolve();
    await clock.advance(0);
    assert.deepEqual(
      calls.map((c) => c.key),
      ['blocker', 'ns/r3', 'ns/changed', 'ns/r1', 'ns/r2'],
      'changes first (r3, already waiting, was raised at once; ns/changed waited out its debounce), then resyncs in order',
    );
  });

  it('retries a failing key with exponential back-off and forgets the failures on success', async () => {
    const { clock, queue, calls, outcomes } = harness({}, (_key, n) => {
      if (n <= 3) throw new Error(`boom ${n}`);
    });
    queue.add('ns/flaky');
    await clock.advance(10_000);
    assert.deepEqual(
      calls.map((c) => c.at),
      [200, 1_200, 3_200, 7_200],
      'retries after 1 s, 2 s, 4 s',
    );
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.failures, o.retryInMs]),
      [
        ['error', 1, 1_000],
        ['error', 2, 2_000],
        ['error', 3, 4_000],
        ['success', undefined, undefined],
      ],
    );
    assert.equal(queue.failures('ns/flaky'), 0);
    assert.equal((outcomes[0]?.error as Error).message, 'boom 1');
  });

  it('a fresh change does not wait out a long back-off', async () => {
    const { clock, queue, calls } = harness(
      { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } },
      (_key, n) => {
        if (n === 1) throw new Error('transient');
      },
    );
    queue.add('ns/a');
    await clock.advance(1_000);
    queue.add('ns/a');
    await clock.advance(200);
    assert.deepEqual(
      calls.map((c) => c.at),
      [200, 1_200],
    );
    await clock.advance(120_000);
    assert.equal(calls.length, 2, 'the superseded retry timer does not fire as well');
  });

  it('does not retry a TerminalError, and reports it', async () => {
    const { clock, queue, calls, outcomes } = harness({}, () => {
      throw new TerminalError('policy spec.rules[0] is invalid');
    });
    queue.add('policy/prod');
    await clock.advance(600_000);
    assert.equal(calls.length, 1);
    assert.deepEqual(
      outcomes.map((o) => o.result),
      ['terminal'],
    );
    assert.equal(queue.failures('policy/prod'), 0);
    assert.equal(queue.has('policy/prod'), false);
  });

  it('requeues after the requested time at resync priority, without counting a failure', async () => {
    const { clock, queue, calls, outcomes } = harness({}, (_key, n) =>
      n === 1 ? { requeueAfterMs: 30_000 } : undefined,
    );
    queue.add('ns/exceptions');
    await clock.advance(60_000);
    assert.deepEqual(
      calls.map((c) => c.at),
      [200, 30_200],
    );
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.priority]),
      [
        ['requeue', 'change'],
        ['success', 'resync'],
      ],
    );
  });

  it('passes a fresh reconcile ID to every run', async () => {
    const { clock, queue, calls, outcomes } = harness();
    queue.add('ns/a');
    queue.add('ns/b');
    await clock.advance(200);
    queue.add('ns/a');
    await clock.advance(200);
    assert.deepEqual(
      calls.map((c) => c.id),
      ['r1', 'r2', 'r3'],
    );
    assert.deepEqual(
      outcomes.map((o) => o.reconcileId),
      ['r1', 'r2', 'r3'],
    );
  });

  it('depth counts keys in their debounce window or waiting for a worker, not retries', async () => {
    const { clock, queue } = harness({}, (key) => {
      if (key === 'ns/bad') throw new Error('no');
    });
    queue.addAll(['ns/a', 'ns/b', 'ns/bad']);
    assert.equal(queue.depth, 3);
    await clock.advance(200);
    assert.equal(queue.depth, 0, 'the failed key waits for its retry and is not counted');
    assert.equal(queue.stats().delayed, 1);
  });

  it('keeps going when the outcome hook throws', async () => {
    const { clock, queue, calls } = harness({
      onOutcome: () => {
        throw new Error('logger broke');
      },
    });
    queue.add('ns/a');
    await clock.advance(200);
    queue.add('ns/b');
    await clock.advance(200);
    assert.deepEqual(
      calls.map((c) => c.key),
      ['ns/a', 'ns/b'],
    );
  });

  it('gives the event loop a turn between reconciles that never wait for I/O', async () => {
    const order: string[] = [];
    const { clock, queue } = harness({ concurrency: 1, debounceMs: 0 }, (key) => {
      order.push(key);
      // Stands for a lease renewal or a watch event that arrives during the run.
      if (key === 'ns/a') setImmediate(() => order.push('event loop'));
    });
    queue.addAll(['ns/a', 'ns/b', 'ns/c']);
    await clock.advance(0);
    await settle(10);
    assert.deepEqual(order, ['ns/a', 'event loop', 'ns/b', 'ns/c']);
  });

  it('shutdown waits for runs in flight, drops waiting keys and ignores later adds', async () => {
    const gate = deferred();
    const { clock, queue, calls } = harness({ concurrency: 1 }, async (key) => {
      if (key === 'ns/slow') await gate.promise;
    });
    queue.add('ns/slow');
    await clock.advance(200);
    queue.add('ns/waiting-for-worker');
    await clock.advance(200);
    queue.add('ns/debouncing');
    let finished = false;
    const done = queue.shutdown().then(() => (finished = true));
    await settle();
    assert.equal(finished, false, 'the slow run is still in flight');
    gate.resolve();
    await done;
    queue.add('ns/after-shutdown');
    await clock.advance(10_000);
    assert.deepEqual(
      calls.map((c) => c.key),
      ['ns/slow'],
    );
    assert.equal(clock.pending, 0, 'no timer left behind');
  });
});
