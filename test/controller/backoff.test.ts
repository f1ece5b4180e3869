import assert from 'node:assert/strict';
import {
  Backoff,
  jitteredDelay,
  KeyedBackoff,
  nominalDelay,
  sleep,
  WATCH_BACKOFF,
} from '../../src/controller/backoff.js';
import type { BackoffOptions } from '../../src/controller/backoff.js';
import { FakeClock, sequence } from './fake-clock.js';

describe('nominalDelay', () => {
  const options: BackoffOptions = { initialMs: 800, maxMs: 30_000 };
  const cases: { name: string; attempt: number; expected: number }[] = [
    { name: 'first retry waits the initial delay', attempt: 0, expected: 800 },
    { name: 'doubles per failure', attempt: 1, expected: 1_600 },
    { name: 'still doubling', attempt: 5, expected: 25_600 },
    { name: 'capped at the maximum', attempt: 6, expected: 30_000 },
    { name: 'a very long outage stays capped (no overflow)', attempt: 5_000, expected: 30_000 },
    { name: 'a negative attempt is treated as the first', attempt: -3, expected: 800 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(nominalDelay(c.attempt, options), c.expected));
  }
});

describe('jitteredDelay', () => {
  const cases: { name: string; options: BackoffOptions; attempt: number; random: number; expected: number }[] = [
    { name: 'no randomness adds nothing', options: WATCH_BACKOFF, attempt: 0, random: 0, expected: 800 },
    { name: 'jitter 1.0 can almost double the delay', options: WATCH_BACKOFF, attempt: 0, random: 0.999, expected: 1_599 },
    { name: 'jitter 0.1 adds at most a tenth', options: { initialMs: 1_000, maxMs: 10_000, jitter: 0.1 }, attempt: 0, random: 0.5, expected: 1_050 },
    { name: 'jitter applies on top of the cap', options: WATCH_BACKOFF, attempt: 10, random: 0.5, expected: 45_000 },
    { name: 'a factor of 3 triples', options: { initialMs: 100, maxMs: 10_000, factor: 3, jitter: 0 }, attempt: 2, random: 0.7, expected: 900 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(jitteredDelay(c.attempt, c.options, () => c.random), c.expected));
  }
});

describe('Backoff', () => {
  it('grows with each failure and resets on demand', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0 }, new FakeClock());
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 400, 800, 1_000]);
    assert.equal(backoff.failures, 5);
    backoff.reset();
    assert.equal(backoff.next(), 100);
  });

  it('starts over after a healthy period without failures', async () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ ...WATCH_BACKOFF, jitter: 0 }, clock);
    assert.equal(backoff.next(), 800);
    assert.equal(backoff.next(), 1_600);
    await clock.advance(119_999);
    assert.equal(backoff.next(), 3_200, 'a failure within 2 minutes keeps growing');
    await clock.advance(120_000);
    assert.equal(backoff.next(), 800, 'two quiet minutes reset the sequence');
  });

  it('draws jitter from the injected source', () => {
    const backoff = new Backoff(WATCH_BACKOFF, new FakeClock(), sequence(0.5, 0.25));
    assert.deepEqual([backoff.next(), backoff.next()], [1_200, 2_000]);
  });
});

describe('KeyedBackoff', () => {
  it('keeps one failure count per key and forgets it on success', () => {
    const backoff = new KeyedBackoff({ initialMs: 1_000, maxMs: 300_000, jitter: 0 });
    assert.equal(backoff.next('ns/a'), 1_000);
    assert.equal(backoff.next('ns/a'), 2_000);
    assert.equal(backoff.next('ns/b'), 1_000, 'another key has its own count');
    assert.equal(backoff.failures('ns/a'), 2);
    backoff.forget('ns/a');
    assert.equal(backoff.failures('ns/a'), 0);
    assert.equal(backoff.next('ns/a'), 1_000);
    assert.equal(backoff.size, 2);
  });
});

describe('sleep', () => {
  it('resolves true after the delay on the given clock', async () => {
    const clock = new FakeClock();
    let result: boolean | undefined;
    void sleep(clock, 1_000).then((r) => (result = r));
    await clock.advance(999);
    assert.equal(result, undefined);
    await clock.advance(1);
    assert.equal(result, true);
  });

  it('resolves false at once when aborted, and clears its timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const pending = sleep(clock, 60_000, controller.signal);
    controller.abort();
    assert.equal(await pending, false);
    assert.equal(clock.pending, 0);
  });

  it('resolves false without waiting when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(await sleep(new FakeClock(), 60_000, controller.signal), false);
  });
});
