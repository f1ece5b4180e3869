/**
 * A reflector keeps an in-memory cache of one kind in step with the API server, in the
 * manner of client-go's `tools/cache/reflector.go`, without the gaps SPEC §9 found in
 * `@kubernetes/client-node`'s informer:
 *
 * - It lists in pages (`limit` 500 by default), trimming each page as it arrives, so a list
 *   of 50,000 pods never exists as one string or one array. A continue token that expires
 *   mid-list (410) restarts the list; the cache is replaced only after the last page.
 * - It then watches from the list's resourceVersion with bookmarks and a server-side
 *   timeout of 5–10 minutes (jittered, so reflectors do not reconnect in lockstep). A watch
 *   the server ends normally is resumed from the last resourceVersion seen, bookmarks
 *   included, which costs nothing and loses nothing.
 * - 410 Gone, as an HTTP status or as an in-stream ERROR event, means the server no
 *   longer has history that old: it relists at once. Any other failure, and a watch that
 *   went silent past the server timeout plus a margin (the stall watchdog), restarts the
 *   watch after a jittered exponential back-off.
 * - resourceVersions are opaque strings: stored and sent back, never compared.
 */
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import type { BackoffOptions, Clock, TimerHandle } from './backoff.js';
import { Backoff, sleep, systemClock, WATCH_BACKOFF } from './backoff.js';
import type { ListWatchClient, ResourceDescriptor, WatchEvent } from './kube-client.js';
import { ApiError, apiErrorFromStatus, apiVersionOf, isGone } from './kube-client.js';
import { trimObject } from './trim.js';

/**
 * A read-only view of a reflector's cache, keyed by `namespace/name` (or `name` for
 * cluster-scoped kinds). Reads always see a consistent state: a relist swaps the whole map
 * at once, so a reader never sees half an old list and half a new one.
 */
export interface Store<T> {
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[string, T]>;
  readonly size: number;
}

/** The cache key of an object: `namespace/name`, or `name` without a namespace. */
export function objectKey(object: {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}): string | undefined {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return undefined;
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || name === '') return undefined;
  // Joined, not concatenated: `${a}/${b}` makes a rope, which the map flattens on first use
  // into a second, full copy and keeps both (80 bytes a key instead of 48, at 100,000 keys).
  return typeof namespace === 'string' && namespace !== '' ? [namespace, name].join('/') : name;
}

/** Why a watch was restarted; the `reason` label of `bulwark_watch_restarts_total`. */
export type RestartReason = 'gone' | 'error' | 'stall' | 'closed';

/** Lifecycle events, for metrics and logs. */
export type ReflectorEvent =
  | {
      readonly type: 'listed';
      readonly kind: string;
      readonly objects: number;
      readonly pages: number;
      readonly durationMs: number;
      readonly resourceVersion: string;
      readonly initial: boolean;
    }
  | {
      readonly type: 'watching';
      readonly kind: string;
      readonly resourceVersion: string;
      readonly timeoutSeconds: number;
    }
  | {
      readonly type: 'restart';
      readonly kind: string;
      readonly reason: RestartReason;
      /** What comes next: a new list, or a watch from the last resourceVersion. */
      readonly next: 'list' | 'watch';
      readonly delayMs: number;
      readonly objects: number;
      readonly error?: unknown;
    }
  | { readonly type: 'skipped'; readonly kind: string; readonly detail: string }
  | {
      readonly type: 'handler-error';
      readonly kind: string;
      readonly callback: string;
      readonly error: unknown;
    };

/**
 * What a reflector tells its owner. Guarantees (as client-go's `shared_informer.go` states
 * them for its handlers):
 *
 * - Callbacks run one at a time, in the order the changes happened, and only after the
 *   store already shows the change, so a callback that reads the store sees the new state.
 * - Every object of the first list is delivered through `onAdd(object, true)`, then
 *   `onSync()` is called exactly once; `hasSynced()` is true from then on, also while a
 *   later relist runs.
 * - After a relist the store is replaced at once and the differences from the previous
 *   state are delivered: `onAdd` for new objects, `onUpdate` for objects whose
 *   resourceVersion changed, `onDelete` (with the last known state) for objects that
 *   disappeared while the watch was down; then `onRelist`.
 * - Objects are trimmed (see trim.ts) and shared with the store: treat them as immutable.
 * - A callback that throws is reported as a `handler-error` event; it never stops the
 *   reflector or skips later callbacks.
 */
export interface ReflectorHandler<T> {
  onAdd?(object: T, initialList: boolean): void;
  onUpdate?(oldObject: T, newObject: T): void;
  onDelete?(lastKnown: T): void;
  onSync?(): void;
  onRelist?(summary: {
    readonly objects: number;
    readonly added: number;
    readonly updated: number;
    readonly deleted: number;
  }): void;
  onEvent?(event: ReflectorEvent): void;
}

export interface ReflectorOptions<T extends KubeObject> {
  readonly client: ListWatchClient;
  readonly resource: ResourceDescriptor;
  readonly handler?: ReflectorHandler<T>;
  /** Cut an object to what evaluation needs; undefined skips it (default: trimObject). */
  readonly trim?: (object: unknown) => T | undefined;
  /** Watch one namespace only (default: all). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** List page size (default 500). */
  readonly pageSize?: number;
  /**
   * Server-side watch timeout; each watch draws from [min, 2·min) (default 300 s, as
   * client-go's minWatchTimeout).
   */
  readonly minWatchTimeoutSeconds?: number;
  /** The stall watchdog fires after the server timeout plus this much silence (default 30 s). */
  readonly stallMarginMs?: number;
  readonly backoff?: BackoffOptions;
}

/** A watch that ended without delivering anything faster than this is treated as a failure. */
const SHORT_WATCH_MS = 1_000;
/** Consecutive continue-token expiries before a list counts as failed and backs off. */
const MAX_LIST_RESTARTS = 3;

/** The store behind `Reflector.store`: one map, swapped whole by a relist. */
class MapStore<T> implements Store<T> {
  map = new Map<string, T>();

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<T> {
    return this.map.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }
}

class StallError extends Error {
  override readonly name = 'StallError';
}

interface WatchOutcome {
  readonly reason: RestartReason;
  readonly error?: unknown;
  readonly events: number;
  readonly durationMs: number;
}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly resource: ResourceDescriptor;
  /** The cache; see `Store` for what readers can rely on. */
  readonly store: Store<T>;

  private readonly client: ListWatchClient;
  private readonly handler: ReflectorHandler<T>;
  private readonly trim: (object: unknown) => T | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly pageSize: number;
  private readonly minWatchTimeoutSeconds: number;
  private readonly stallMarginMs: number;
  private readonly backoff: Backoff;
  private readonly namespace: string | undefined;
  private readonly labelSelector: string | undefined;

  private readonly cache = new MapStore<T>();
  private resourceVersion = '';
  private synced = false;
  private readonly stopController = new AbortController();
  private currentWatch: AbortController | undefined;
  private running: Promise<void> | undefined;
  private readonly syncWaiters: ((synced: boolean) => void)[] = [];

  constructor(options: ReflectorOptions<T>) {
    this.client = options.client;
    this.resource = options.resource;
    this.handler = options.handler ?? {};
    this.trim = options.trim ?? (trimObject as (object: unknown) => T | undefined);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.pageSize = options.pageSize ?? 500;
    this.minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? 300;
    this.stallMarginMs = options.stallMarginMs ?? 30_000;
    this.backoff = new Backoff(options.backoff ?? WATCH_BACKOFF, this.clock, this.random);
    this.namespace = options.namespace;
    this.labelSelector = options.labelSelector;
    this.store = this.cache;
  }

  private get items(): Map<string, T> {
    return this.cache.map;
  }

  /** True once the first complete list is in the store (and stays true). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the next watch would start from; opaque. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Starts listing and watching in the background; idempotent. */
  start(): void {
    this.running ??= this.run();
  }

  /** Resolves true once synced, or false if the reflector stops first. */
  waitForSync(): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopController.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Aborts the request in flight and any back-off wait, and resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.currentWatch?.abort();
    for (const resolve of this.syncWaiters.splice(0)) resolve(false);
    await this.running;
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private emit(event: ReflectorEvent): void {
    try {
      this.handler.onEvent?.(event);
    } catch {
      // A broken metrics or log hook must not stop the cache; there is nowhere to report it.
    }
  }

  private call(callback: string, invoke: () => void): void {
    try {
      invoke();
    } catch (error) {
      this.emit({ type: 'handler-error', kind: this.resource.kind, callback, error });
    }
  }

  private async run(): Promise<void> {
    let needList = true;
    let justListed = false;
    while (!this.stopping) {
      if (needList) {
        try {
          await this.list();
          needList = false;
          justListed = true;
        } catch (error) {
          if (this.stopping) break;
          const delayMs = this.backoff.next();
          this.emitRestart(isGone(error) ? 'gone' : 'error', 'list', delayMs, error);
          if (!(await sleep(this.clock, delayMs, this.stopController.signal))) break;
          continue;
        }
      }
      const outcome = await this.watch();
      if (this.stopping) break;
      let delayMs = 0;
      if (outcome.reason === 'gone') {
        // The server holds no history that old: only a fresh list can catch up. A 410
        // straight after a fresh list is not staleness but a server that cannot serve
        // watches; relisting in a tight loop would only load it further.
        needList = true;
        if (justListed && outcome.durationMs < SHORT_WATCH_MS) delayMs = this.backoff.next();
      } else if (outcome.reason === 'closed') {
        // A server that ends watches at once (a proxy misconfigured, an API server
        // shutting down) would otherwise be hammered in a tight loop.
        if (outcome.events === 0 && outcome.durationMs < SHORT_WATCH_MS) delayMs = this.backoff.next();
      } else {
        delayMs = this.backoff.next();
      }
      justListed = false;
      this.emitRestart(outcome.reason, needList ? 'list' : 'watch', delayMs, outcome.error);
      if (delayMs > 0 && !(await sleep(this.clock, delayMs, this.stopController.signal))) break;
    }
  }

  private emitRestart(reason: RestartReason, next: 'list' | 'watch', delayMs: number, error: unknown): void {
    this.emit({
      type: 'restart',
      kind: this.resource.kind,
      reason,
      next,
      delayMs,
      objects: this.items.size,
      ...(error === undefined ? {} : { error }),
    });
  }

  /** Adds apiVersion and kind (list items have none) and trims. */
  private trimmed(raw: unknown): T | undefined {
    if (!isRecord(raw)) return undefined;
    const typed = {
      ...raw,
      apiVersion: typeof raw['apiVersion'] === 'string' ? raw['apiVersion'] : apiVersionOf(this.resource),
      kind: typeof raw['kind'] === 'string' ? raw['kind'] : this.resource.kind,
    };
    try {
      return this.trim(typed);
    } catch (error) {
      this.emit({ type: 'skipped', kind: this.resource.kind, detail: `trim failed: ${String(error)}` });
      return undefined;
    }
  }

  private async list(): Promise<void> {
    const startedAt = this.clock.now();
    let items = new Map<string, T>();
    let pages = 0;
    let restarts = 0;
    let continueToken: string | undefined;
    let resourceVersion = '';
    for (;;) {
      let page;
      try {
        page = await this.client.list(this.resource, {
          limit: this.pageSize,
          ...(continueToken !== undefined ? { continue: continueToken } : {}),
          ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
          ...(this.labelSelector !== undefined ? { labelSelector: this.labelSelector } : {}),
          signal: this.stopController.signal,
        });
      } catch (error) {
        // An expired continue token only means the list took longer than etcd keeps
        // history (5 min by default); starting over usually works at once.
        if (isGone(error) && continueToken !== undefined && restarts < MAX_LIST_RESTARTS) {
          restarts++;
          this.emitRestart('gone', 'list', 0, error);
          items = new Map();
          continueToken = undefined;
          pages = 0;
          continue;
        }
        throw error;
      }
      pages++;
      for (const raw of page.items) {
        const object = this.trimmed(raw);
        const key = object === undefined ? undefined : objectKey(object);
        if (object === undefined || key === undefined) {
          this.emit({ type: 'skipped', kind: this.resource.kind, detail: 'list item without metadata.name' });
          continue;
        }
        items.set(key, object);
      }
      resourceVersion = page.metadata.resourceVersion;
      continueToken = page.metadata.continue;
      if (continueToken === undefined || continueToken === '') break;
      if (this.stopping) return;
    }
    if (resourceVersion === '') {
      throw new ApiError(
        'list',
        200,
        'InvalidResponse',
        `list ${this.resource.plural}: no resourceVersion to watch from`,
      );
    }
    const initial = !this.synced;
    this.replace(items, resourceVersion);
    this.emit({
      type: 'listed',
      kind: this.resource.kind,
      objects: items.size,
      pages,
      durationMs: this.clock.now() - startedAt,
      resourceVersion,
      initial,
    });
  }

  private replace(items: Map<string, T>, resourceVersion: string): void {
    const previous = this.items;
    this.cache.map = items;
    this.resourceVersion = resourceVersion;
    if (!this.synced) {
      for (const object of items.values()) this.call('onAdd', () => this.handler.onAdd?.(object, true));
      this.synced = true;
      this.call('onSync', () => this.handler.onSync?.());
      for (const resolve of this.syncWaiters.splice(0)) resolve(true);
      return;
    }
    let added = 0;
    let updated = 0;
    let deleted = 0;
    for (const [key, object] of items) {
      const old = previous.get(key);
      if (old === undefined) {
        added++;
        this.call('onAdd', () => this.handler.onAdd?.(object, false));
      } else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
        updated++;
        this.call('onUpdate', () => this.handler.onUpdate?.(old, object));
      }
    }
    for (const [key, old] of previous) {
      if (!items.has(key)) {
        deleted++;
        this.call('onDelete', () => this.handler.onDelete?.(old));
      }
    }
    this.call('onRelist', () => this.handler.onRelist?.({ objects: items.size, added, updated, deleted }));
  }

  private watchTimeoutSeconds(): number {
    return Math.floor(this.minWatchTimeoutSeconds * (1 + this.random()));
  }

  private async watch(): Promise<WatchOutcome> {
    const controller = new AbortController();
    this.currentWatch = controller;
    const timeoutSeconds = this.watchTimeoutSeconds();
    const stallMs = timeoutSeconds * 1000 + this.stallMarginMs;
    const startedAt = this.clock.now();
    let stalled = false;
    let timer: TimerHandle | undefined;
    let events = 0;
    const arm = (): void => {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      timer = this.clock.setTimeout(() => {
        stalled = true;
        controller.abort(new StallError(`${this.resource.plural}: watch silent for ${stallMs} ms`));
      }, stallMs);
    };
    const outcome = (reason: RestartReason, error?: unknown): WatchOutcome => ({
      reason,
      events,
      durationMs: this.clock.now() - startedAt,
      ...(error === undefined ? {} : { error }),
    });
    if (this.stopping) return outcome('closed');
    arm();
    this.emit({
      type: 'watching',
      kind: this.resource.kind,
      resourceVersion: this.resourceVersion,
      timeoutSeconds,
    });
    try {
      const stream = this.client.watch(this.resource, {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
        ...(this.labelSelector !== undefined ? { labelSelector: this.labelSelector } : {}),
        signal: controller.signal,
      });
      for await (const event of stream) {
        arm();
        events++;
        const error = this.apply(event);
        if (error !== undefined) return outcome(isGone(error) ? 'gone' : 'error', error);
      }
      return outcome('closed');
    } catch (error) {
      if (stalled) return outcome('stall', controller.signal.reason);
      if (this.stopping) return outcome('closed');
      return outcome(isGone(error) ? 'gone' : 'error', error);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
      this.currentWatch = undefined;
    }
  }

  /** Applies one watch event to the store; returns the error an ERROR event carries. */
  private apply(event: WatchEvent): ApiError | undefined {
    const rawVersion = isRecord(event.object['metadata'])
      ? event.object['metadata']['resourceVersion']
      : undefined;
    const version = typeof rawVersion === 'string' && rawVersion !== '' ? rawVersion : undefined;
    switch (event.type) {
      case 'BOOKMARK':
        if (version !== undefined) this.resourceVersion = version;
        return undefined;
      case 'ERROR': {
        const error = apiErrorFromStatus('watch', 0, event.object, `watch ${this.resource.plural}`);
        // Some servers say Expired/Gone with no code; either way the history is gone.
        if (error.code !== 410 && (error.reason === 'Expired' || error.reason === 'Gone')) {
          return new ApiError(
            'watch',
            410,
            error.reason,
            error.message,
            error.status === undefined ? {} : { status: error.status },
          );
        }
        return error;
      }
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const object = this.trimmed(event.object);
        const key = object === undefined ? undefined : objectKey(object);
        if (object === undefined || key === undefined) {
          this.emit({
            type: 'skipped',
            kind: this.resource.kind,
            detail: `${event.type} event without metadata.name`,
          });
          if (version !== undefined) this.resourceVersion = version;
        } else if (event.type === 'DELETED') {
          const old = this.items.get(key);
          this.items.delete(key);
          if (version !== undefined) this.resourceVersion = version;
          this.call('onDelete', () => this.handler.onDelete?.(old ?? object));
        } else {
          const old = this.items.get(key);
          this.items.set(key, object);
          if (version !== undefined) this.resourceVersion = version;
          if (old === undefined) this.call('onAdd', () => this.handler.onAdd?.(object, false));
          else this.call('onUpdate', () => this.handler.onUpdate?.(old, object));
        }
        return undefined;
      }
    }
  }
}
