/**
 * Time and retry pacing shared by the reflector, the work queue and leader election.
 *
 * Every controller part takes a `Clock` instead of calling `Date.now()` and `setTimeout`
 * itself (as client-go's reflector takes a `clock.Clock`), so unit tests drive time by hand
 * and a test of a 30 s back-off runs in microseconds.
 */

/** An opaque timer handle, whatever the clock's timers return. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Resolves `true` after `ms` on `clock`, or `false` as soon as `signal` aborts (also when it
 * already has). Never rejects, so a loop can write `if (!(await sleep(...))) return;`.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Ceiling of the un-jittered delay. */
  readonly maxMs: number;
  /** Growth per failure (default 2). */
  readonly factor?: number;
  /**
   * Extra random delay as a fraction of the delay: with 1.0 a nominal 4 s wait lasts 4–8 s.
   * Default 1.0, as client-go's reflector, so that N replicas (or N reflectors after one API
   * server restart) do not reconnect in lockstep.
   */
  readonly jitter?: number;
  /**
   * After this long without a failure the next failure starts again from `initialMs`
   * (client-go's reflector: 2 min). Omit to never reset on time alone.
   */
  readonly resetAfterMs?: number;
}

/**
 * The reflector's pacing, as client-go's (800 ms → 30 s, doubling, jitter 1.0, reset after
 * 2 min healthy): a dead API server sees one reconnect per kind about every 30–60 s, and
 * a one-off blip costs under 2 s.
 */
export const WATCH_BACKOFF: BackoffOptions = {
  initialMs: 800,
  maxMs: 30_000,
  factor: 2,
  jitter: 1.0,
  resetAfterMs: 120_000,
};

/** The nominal (un-jittered) delay before retry number `attempt` (0-based). */
export function nominalDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  // Capping the exponent keeps a long outage from overflowing to Infinity.
  const exponent = Math.min(Math.max(0, attempt), 64);
  return Math.min(options.maxMs, options.initialMs * factor ** exponent);
}

/** The delay before retry number `attempt`, with jitter drawn from `random` (in [0, 1)). */
export function jitteredDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const nominal = nominalDelay(attempt, options);
  return Math.round(nominal * (1 + (options.jitter ?? 1.0) * random()));
}

/** One retry sequence: each `next()` is longer, up to the cap, until `reset()` or a quiet spell. */
export class Backoff {
  private attempt = 0;
  private lastFailureAt: number | undefined;

  constructor(
    private readonly options: BackoffOptions,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure and returns how long to wait before retrying. */
  next(): number {
    const now = this.clock.now();
    const resetAfter = this.options.resetAfterMs;
    if (resetAfter !== undefined && this.lastFailureAt !== undefined && now - this.lastFailureAt >= resetAfter) {
      this.attempt = 0;
    }
    this.lastFailureAt = now;
    return jitteredDelay(this.attempt++, this.options, this.random);
  }

  reset(): void {
    this.attempt = 0;
    this.lastFailureAt = undefined;
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }
}

/**
 * Per-key back-off for the work queue (client-go's ItemExponentialFailureRateLimiter):
 * each key has its own failure count, forgotten on success.
 */
export class KeyedBackoff {
  private readonly failuresByKey = new Map<string, number>();

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  next(key: string): number {
    const failures = this.failuresByKey.get(key) ?? 0;
    this.failuresByKey.set(key, failures + 1);
    return jitteredDelay(failures, this.options, this.random);
  }

  forget(key: string): void {
    this.failuresByKey.delete(key);
  }

  failures(key: string): number {
    return this.failuresByKey.get(key) ?? 0;
  }

  /** Keys currently backing off; for tests and debugging. */
  get size(): number {
    return this.failuresByKey.size;
  }
}
