import assert from 'node:assert/strict';
import { TokenBucket } from '../../src/controller/rate-limiter.js';
import { FakeClock } from './fake-clock.js';

/** Starts `count` takes and records, per take, the fake time it was granted at. */
function takeMany(bucket: TokenBucket, clock: FakeClock, count: number, signal?: AbortSignal): (number | 'aborted' | undefined)[] {
  const grantedAt: (number | 'aborted' | undefined)[] = new Array(count).fill(undefined);
  const start = clock.now();
  for (let i = 0; i < count; i++) {
    bucket.take(signal).then(
      () => (grantedAt[i] = clock.now() - start),
      () => (grantedAt[i] = 'aborted'),
    );
  }
  return grantedAt;
}

describe('TokenBucket', () => {
  it('grants the burst at once, then the steady rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20, clock });
    const granted = takeMany(bucket, clock, 25);
    await clock.advance(0);
    assert.deepEqual(granted.slice(0, 20), new Array(20).fill(0), 'the burst of 20 goes through at once');
    assert.equal(granted[20], undefined);
    await clock.advance(1_000);
    assert.deepEqual(granted.slice(20), [100, 200, 300, 400, 500], 'then one every 100 ms');
  });

  it('caps writes at the rate over a long run', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 20, clock });
    const granted = takeMany(bucket, clock, 220);
    await clock.advance(10_000);
    const withinTenSeconds = granted.filter((t) => typeof t === 'number' && t <= 10_000).length;
    assert.equal(withinTenSeconds, 120, '20 burst + 10/s for 10 s');
  });

  it('serves waiters first come, first served; tryTake never jumps the line', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    assert.equal(bucket.tryTake(), true);
    const order: string[] = [];
    void bucket.take().then(() => order.push('first'));
    void bucket.take().then(() => order.push('second'));
    await clock.advance(1_000);
    assert.equal(bucket.tryTake(), false, 'a waiter is queued, so tryTake must not take its token');
    await clock.advance(1_000);
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(bucket.waiting, 0);
  });

  it('refills up to the burst only', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5, clock });
    for (let i = 0; i < 5; i++) assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    await clock.advance(60_000);
    assert.equal(bucket.available, 5);
  });

  it('rejects a waiting take when its signal aborts, and the rest still proceed', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    bucket.tryTake();
    const controller = new AbortController();
    const aborted = takeMany(bucket, clock, 1, controller.signal);
    const other = takeMany(bucket, clock, 1);
    controller.abort(new Error('shutting down'));
    await clock.advance(1_000);
    assert.deepEqual(aborted, ['aborted']);
    assert.deepEqual(other, [1_000], 'the aborted waiter gave its place to the next one');
  });

  it('rejects at once with an already aborted signal', async () => {
    const bucket = new TokenBucket({ clock: new FakeClock() });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(bucket.take(controller.signal), /stop/);
  });

  const invalid: { name: string; options: { ratePerSecond?: number; burst?: number }; message: RegExp }[] = [
    { name: 'zero rate', options: { ratePerSecond: 0 }, message: /ratePerSecond must be a positive number, got 0/ },
    { name: 'infinite rate', options: { ratePerSecond: Infinity }, message: /ratePerSecond must be a positive number, got Infinity/ },
    { name: 'burst below one', options: { burst: 0.5 }, message: /burst must be at least 1, got 0.5/ },
    { name: 'NaN burst', options: { burst: NaN }, message: /burst must be at least 1, got NaN/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => assert.throws(() => new TokenBucket(c.options), c.message));
  }
});
