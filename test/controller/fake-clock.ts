/**
 * A hand-driven clock for controller tests. Timers fire only inside `advance`, in time
 * order, and pending promise callbacks run between them, so a test reads like a timeline:
 * "after 200 ms the key is reconciled".
 */
import type { Clock, TimerHandle } from '../../src/controller/backoff.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets every queued promise callback (and anything they schedule on the event loop) run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 10, 24, 12, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Milliseconds until the next timer, or undefined when none is set. */
  nextTimerIn(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values()) if (next === undefined || timer.at < next) next = timer.at;
    return next === undefined ? undefined : next - this.current;
  }

  /** Moves time forward without firing timers: a process whose event loop was blocked. */
  jump(ms: number): void {
    this.current += ms;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await settle();
    for (;;) {
      let due: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (due === undefined || timer.at < due.at || (timer.at === due.at && timer.id < due.id))) {
          due = timer;
        }
      }
      if (due === undefined) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await settle();
    }
    this.current = end;
    await settle();
  }
}

/** A deterministic stand-in for Math.random: cycles through the given values. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}
