/**
 * A scriptable stand-in for the API server's list and watch, for reflector unit tests:
 * lists answer from a script, and each watch is a stream the test feeds event by event.
 * It honours AbortSignals the way the real client does.
 */
import { ApiError } from '../../src/controller/kube-client.js';
import type {
  ListOptions,
  ListWatchClient,
  ObjectList,
  ResourceDescriptor,
  WatchEvent,
  WatchOptions,
} from '../../src/controller/kube-client.js';

export type ListScript = (options: ListOptions, call: number) => ObjectList | Error | Promise<ObjectList | Error>;

export class FakeWatch implements AsyncIterable<WatchEvent> {
  private readonly queue: (WatchEvent | { end: true } | { error: unknown })[] = [];
  private wake: (() => void) | undefined;
  /** True once the consumer stopped reading (returned, threw or was aborted). */
  closed = false;

  constructor(readonly options: WatchOptions) {
    options.signal?.addEventListener('abort', () => this.poke(), { once: true });
  }

  push(...events: WatchEvent[]): void {
    this.queue.push(...events);
    this.poke();
  }

  /** The server ends the watch normally. */
  end(): void {
    this.queue.push({ end: true });
    this.poke();
  }

  /** The connection fails. */
  fail(error: unknown): void {
    this.queue.push({ error });
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent> {
    try {
      for (;;) {
        const signal = this.options.signal;
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
        const next = this.queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if ('end' in next) return;
        if ('error' in next) throw next.error;
        yield next;
      }
    } finally {
      this.closed = true;
    }
  }
}

export class FakeListWatch implements ListWatchClient {
  readonly lists: ListOptions[] = [];
  readonly watches: FakeWatch[] = [];
  /** Thrown when a watch is opened instead of streaming (an HTTP error answer). */
  watchOpenErrors: unknown[] = [];

  constructor(public listScript: ListScript) {}

  async list(_resource: ResourceDescriptor, options: ListOptions): Promise<ObjectList> {
    this.lists.push(options);
    const result = await this.listScript(options, this.lists.length);
    if (result instanceof Error) throw result;
    return result;
  }

  watch(_resource: ResourceDescriptor, options: WatchOptions): AsyncIterable<WatchEvent> {
    const openError = this.watchOpenErrors.shift();
    if (openError !== undefined) {
      return {
        [Symbol.asyncIterator]: (): AsyncIterator<WatchEvent> => ({
          next: () => Promise.reject(openError),
        }),
      };
    }
    const watch = new FakeWatch(options);
    this.watches.push(watch);
    return watch;
  }

  /** The watch opened last. */
  get current(): FakeWatch {
    const watch = this.watches.at(-1);
    if (watch === undefined) throw new Error('no watch was opened');
    return watch;
  }
}

export function page(resourceVersion: string, items: unknown[], next?: string): ObjectList {
  return { metadata: { resourceVersion, ...(next !== undefined ? { continue: next } : {}) }, items };
}

export function pod(name: string, resourceVersion: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { name, namespace: 'shop', resourceVersion }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] }, ...extra };
}

export function event(type: WatchEvent['type'], object: Record<string, unknown>): WatchEvent {
  return { type, object: { apiVersion: 'v1', kind: 'Pod', ...object } };
}

export function gone(message = 'too old resource version'): ApiError {
  return new ApiError('watch', 410, 'Expired', message);
}
