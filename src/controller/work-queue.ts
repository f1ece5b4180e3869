/**
 * The reconcile queue: it holds keys (`ns/web`, `cluster`, `policy/prod`), not events, in
 * the manner of client-go's `util/workqueue` and controller-runtime's priority queue.
 *
 * - A key is stored once: adding a key that is already waiting only raises its priority
 *   and never delays it. A key is never handed to two workers at once: one added while it
 *   is being reconciled runs again after the current run ends, on fresh state.
 * - Every added key waits a short debounce first (200 ms by default), so the dozens of
 *   events of one rollout give one reconcile. The window opens at the first add and is not
 *   extended by later ones, so a busy key still runs within the debounce. With `leading`,
 *   a key that has not been added for a whole window runs at once instead: a lone change
 *   is not delayed, and a burst costs one reconcile more (its first event).
 * - Two priorities: real changes run before periodic re-evaluation.
 * - A failed reconcile is retried after a per-key exponential back-off; a `TerminalError`
 *   is reported and not retried; success forgets the key's failures.
 * - Concurrency is a p-queue; `shutdown()` stops taking work and waits for the runs in flight.
 */
import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { BackoffOptions, Clock, TimerHandle } from './backoff.js';
import { KeyedBackoff, systemClock } from './backoff.js';

/** `change`: something in the cluster changed. `resync`: periodic re-evaluation. */
export type Priority = 'change' | 'resync';

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { change: 1, resync: 0 };

function higher(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b;
}

/** A reconcile failure that retrying cannot fix (a malformed policy, a forbidden write). */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/** What a reconcile may ask for: run again after a while (without counting as a failure). */
export type ReconcileResult = void | { readonly requeueAfterMs: number };

export type Reconcile = (key: string, reconcileId: string) => Promise<ReconcileResult>;

/** How one run ended, for logs and metrics. */
export interface ReconcileOutcome {
  readonly key: string;
  readonly reconcileId: string;
  readonly priority: Priority;
  readonly result: 'success' | 'requeue' | 'error' | 'terminal';
  readonly durationMs: number;
  /** The error thrown, for `error` and `terminal`. */
  readonly error?: unknown;
  /** For `error`: consecutive failures of this key, and when it runs again. */
  readonly failures?: number;
  readonly retryInMs?: number;
}

export interface WorkQueueOptions {
  readonly reconcile: Reconcile;
  /** Keys reconciled at the same time (default 4). */
  readonly concurrency?: number;
  /** Delay between the first add of a key and its run (default 200 ms). */
  readonly debounceMs?: number;
  /** Run a key added after a quiet debounce window at once (default false). */
  readonly leading?: boolean;
  /** Per-key retry pacing (default 1 s → 5 min). */
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly newReconcileId?: () => string;
  readonly onOutcome?: (outcome: ReconcileOutcome) => void;
}

/**
 * Failures back off from 1 s to 5 min: a reconcile broken by a transient API error retries
 * within seconds, a persistent one costs one attempt per key every 5 minutes.
 */
export const RECONCILE_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 300_000, factor: 2, jitter: 0.1 };

interface Delayed {
  readonly at: number;
  readonly timer: TimerHandle;
  priority: Priority;
  /** True while in its debounce window (counted in `depth`); false for retries and requeues. */
  readonly debounce: boolean;
}

interface Rerun {
  at: number;
  priority: Priority;
}

export class WorkQueue {
  private readonly reconcile: Reconcile;
  private readonly debounceMs: number;
  private readonly leading: boolean;
  /** With `leading`: when each key was last added, to tell a lone change from a burst. */
  private readonly lastAdded = new Map<string, number>();
  private pruneLastAddedAt = 1024;
  private readonly clock: Clock;
  private readonly backoff: KeyedBackoff;
  private readonly newReconcileId: () => string;
  private readonly onOutcome: (outcome: ReconcileOutcome) => void;
  private readonly workers: PQueue;

  /** Keys waiting for a time: debounce, back-off or requeue-after. */
  private readonly delayed = new Map<string, Delayed>();
  /** Keys handed to p-queue and not yet started, with their priority. */
  private readonly ready = new Map<string, Priority>();
  /** Keys being reconciled. */
  private readonly processing = new Set<string>();
  /** Keys added while being reconciled: run again when the current run ends. */
  private readonly dirty = new Map<string, Rerun>();
  private stopping = false;

  constructor(options: WorkQueueOptions) {
    this.reconcile = options.reconcile;
    this.debounceMs = options.debounceMs ?? 200;
    this.leading = options.leading ?? false;
    this.clock = options.clock ?? systemClock;
    this.backoff = new KeyedBackoff(options.backoff ?? RECONCILE_BACKOFF, options.random ?? Math.random);
    this.newReconcileId = options.newReconcileId ?? randomUUID;
    this.onOutcome = options.onOutcome ?? ((): void => undefined);
    this.workers = new PQueue({ concurrency: options.concurrency ?? 4 });
  }

  /**
   * Keys that will run without any failure delay: in their debounce window or waiting for
   * a worker (`bulwark_queue_depth`). Retries and requeues waiting for their time are not
   * counted, nor keys being reconciled.
   */
  get depth(): number {
    let debouncing = 0;
    for (const entry of this.delayed.values()) if (entry.debounce) debouncing++;
    return debouncing + this.ready.size;
  }

  /** Counts by state, for debugging and tests. */
  stats(): {
    readonly delayed: number;
    readonly ready: number;
    readonly processing: number;
    readonly dirty: number;
  } {
    return {
      delayed: this.delayed.size,
      ready: this.ready.size,
      processing: this.processing.size,
      dirty: this.dirty.size,
    };
  }

  /** Whether the key is waiting, ready or running. */
  has(key: string): boolean {
    return this.delayed.has(key) || this.ready.has(key) || this.processing.has(key);
  }

  /** Consecutive failures of a key (0 after a success). */
  failures(key: string): number {
    return this.backoff.failures(key);
  }

  /** Queues `key` to run after the debounce. */
  add(key: string, priority: Priority = 'change'): void {
    this.schedule(key, this.leading && this.quiet(key) ? 0 : this.debounceMs, priority, true);
  }

  /** Queues every key; for the periodic full re-evaluation use priority `resync`. */
  addAll(keys: Iterable<string>, priority: Priority = 'change'): void {
    for (const key of keys) this.add(key, priority);
  }

  /** Queues `key` to run after `delayMs` (no earlier than any pending run). */
  addAfter(key: string, delayMs: number, priority: Priority = 'change'): void {
    this.schedule(key, delayMs, priority, false);
  }

  /** Whether `key` was not added within the last debounce window; records this add. */
  private quiet(key: string): boolean {
    const now = this.clock.now();
    const last = this.lastAdded.get(key);
    this.lastAdded.set(key, now);
    if (this.lastAdded.size > this.pruneLastAddedAt) {
      // Entries older than a window say no more than a missing one; keys of vanished
      // namespaces must not pile up.
      for (const [k, at] of this.lastAdded) if (now - at >= this.debounceMs) this.lastAdded.delete(k);
      this.pruneLastAddedAt = Math.max(1024, 2 * this.lastAdded.size);
    }
    return last === undefined || now - last >= this.debounceMs;
  }

  /** Stops taking keys, drops those not started, and resolves when the runs in flight end. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const entry of this.delayed.values()) this.clock.clearTimeout(entry.timer);
    this.delayed.clear();
    this.dirty.clear();
    this.ready.clear();
    this.lastAdded.clear();
    this.workers.clear();
    await this.workers.onIdle();
  }

  private schedule(key: string, delayMs: number, priority: Priority, debounce: boolean): void {
    if (this.stopping) return;
    const at = this.clock.now() + Math.max(0, delayMs);
    if (this.processing.has(key)) {
      const rerun = this.dirty.get(key);
      if (rerun === undefined) this.dirty.set(key, { at, priority });
      else {
        rerun.at = Math.min(rerun.at, at);
        rerun.priority = higher(rerun.priority, priority);
      }
      return;
    }
    const readyPriority = this.ready.get(key);
    if (readyPriority !== undefined) {
      if (higher(priority, readyPriority) !== readyPriority) {
        this.ready.set(key, priority);
        try {
          this.workers.setPriority(key, PRIORITY_RANK[priority]);
        } catch {
          // p-queue has already taken the task off its list: it is starting, so the new
          // priority no longer matters.
        }
      }
      return;
    }
    const waiting = this.delayed.get(key);
    if (waiting !== undefined) {
      waiting.priority = higher(waiting.priority, priority);
      // Fresh changes do not wait out a failure's back-off: the new state may be the fix.
      if (waiting.at <= at) return;
      this.clock.clearTimeout(waiting.timer);
      this.delayed.delete(key);
      priority = waiting.priority;
    }
    if (at <= this.clock.now()) {
      this.enqueue(key, priority);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      const entry = this.delayed.get(key);
      if (entry === undefined || entry.timer !== timer) return;
      this.delayed.delete(key);
      this.enqueue(key, entry.priority);
    }, at - this.clock.now());
    this.delayed.set(key, { at, timer, priority, debounce });
  }

  private enqueue(key: string, priority: Priority): void {
    if (this.stopping) return;
    this.ready.set(key, priority);
    this.workers
      .add(() => this.process(key), { id: key, priority: PRIORITY_RANK[priority] })
      // Rejects only when shutdown() clears waiting tasks; those keys are dropped on purpose.
      .catch(() => undefined);
  }

  private async process(key: string): Promise<void> {
    // p-queue starts the next task as a promise continuation, so a run of reconciles that
    // never wait for I/O (a full re-evaluation of a cluster at rest: nothing to write)
    // would hold the event loop for seconds: no lease renewal, no watch event, no probe.
    // One turn of the event loop per key keeps them all served.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const priority = this.ready.get(key) ?? 'change';
    this.ready.delete(key);
    if (this.stopping) return;
    this.processing.add(key);
    const reconcileId = this.newReconcileId();
    const startedAt = this.clock.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await this.reconcile(key, reconcileId);
      this.backoff.forget(key);
      const requeueAfterMs = result?.requeueAfterMs;
      outcome = {
        key,
        reconcileId,
        priority,
        result: requeueAfterMs === undefined ? 'success' : 'requeue',
        durationMs: this.clock.now() - startedAt,
      };
      this.done(key);
      if (requeueAfterMs !== undefined) this.schedule(key, requeueAfterMs, 'resync', false);
    } catch (error) {
      const durationMs = this.clock.now() - startedAt;
      if (error instanceof TerminalError) {
        // Retrying cannot help; the next real change to the key queues it again.
        this.backoff.forget(key);
        outcome = { key, reconcileId, priority, result: 'terminal', durationMs, error };
        this.done(key);
      } else {
        const retryInMs = this.backoff.next(key);
        outcome = {
          key,
          reconcileId,
          priority,
          result: 'error',
          durationMs,
          error,
          failures: this.backoff.failures(key),
          retryInMs,
        };
        this.done(key);
        this.schedule(key, retryInMs, priority, false);
      }
    }
    try {
      this.onOutcome(outcome);
    } catch {
      // A failing log or metrics hook must not stop the queue.
    }
  }

  /** Marks the key no longer running; a change that arrived meanwhile runs it again. */
  private done(key: string): void {
    this.processing.delete(key);
    const rerun = this.dirty.get(key);
    if (rerun === undefined) return;
    this.dirty.delete(key);
    this.schedule(key, rerun.at - this.clock.now(), rerun.priority, true);
  }
}
