/**
 * A token bucket for API writes (SPEC §9: a client-side cap of about 10 writes a second,
 * burst 20). A full re-evaluation after a policy change may want to rewrite hundreds of
 * reports at once; the bucket spreads them out so the API server and etcd never see more
 * than the burst at once and the steady rate after it. Waiters are served first come, first
 * served, so an early writer is never starved by later ones.
 */
import type { Clock, TimerHandle } from './backoff.js';
import { systemClock } from './backoff.js';

export interface TokenBucketOptions {
  /** Tokens added per second (default 10). */
  readonly ratePerSecond?: number;
  /** Bucket size: how many takes may happen at once after a quiet spell (default 20). */
  readonly burst?: number;
  readonly clock?: Clock;
}

// Refill arithmetic is in floating point; without slack a token due "now" could read as
// 0.9999999 and cost an extra 1 ms timer round.
const EPSILON = 1e-9;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;

  constructor(options: TokenBucketOptions = {}) {
    this.ratePerSecond = options.ratePerSecond ?? 10;
    this.burst = options.burst ?? 20;
    if (!(this.ratePerSecond > 0) || !Number.isFinite(this.ratePerSecond)) {
      throw new RangeError(`ratePerSecond must be a positive number, got ${this.ratePerSecond}`);
    }
    if (!(this.burst >= 1) || !Number.isFinite(this.burst)) {
      throw new RangeError(`burst must be at least 1, got ${this.burst}`);
    }
    this.clock = options.clock ?? systemClock;
    this.tokens = this.burst;
    this.refilledAt = this.clock.now();
  }

  /** Tokens available now (fractional while refilling). */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes a token if one is available without waiting; never jumps the queue of waiters. */
  tryTake(): boolean {
    this.refill();
    if (this.waiters.length > 0 || this.tokens < 1 - EPSILON) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Resolves when the caller may write. Rejects with the signal's reason if `signal` aborts
   * first (a shutdown must not wait for a token).
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
          this.schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.refilledAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    }
    this.refilledAt = now;
  }

  /** Serves waiters from the tokens there are, and sets one timer for the next token. */
  private schedule(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1 - EPSILON) {
      const waiter = this.waiters.shift() as Waiter;
      this.tokens -= 1;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (this.waiters.length === 0) return;
    const wait = Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond - EPSILON);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, Math.max(1, wait));
  }
}
