/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's
 * `tools/leaderelection` does it, so two replicas can run and only one writes.
 *
 * The leader renews the Lease every retry period (2 s) with a resourceVersion-guarded
 * update; if it cannot renew for the renew deadline (10 s) it stops leading. A candidate
 * takes the Lease over when the holder's record has not changed for the lease duration
 * (15 s) as measured on the candidate's own clock (never by comparing the timestamps in
 * the Lease, which come from another machine's clock). The margin between 10 s and 15 s is
 * what keeps two leaders from overlapping. On shutdown the leader releases the Lease
 * (empty holder, duration 1 s) so the standby takes over at its next try instead of
 * waiting the lease out.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import type { Clock, TimerHandle } from './backoff.js';
import { sleep, systemClock } from './backoff.js';
import type { KubeClient } from './kube-client.js';
import { isAlreadyExists, isConflict, isNotFound, RESOURCES } from './kube-client.js';

/** The calls leader election makes; a KubeClient has them. */
export type LeaseClient = Pick<KubeClient, 'get' | 'create' | 'replace'>;

export interface LeaderElectorOptions {
  readonly client: LeaseClient;
  /** Namespace of the Lease: the controller's own. */
  readonly namespace: string;
  /** Lease name (default `bulwark-leader`). */
  readonly name?: string;
  /** This replica's identity; see `leaderIdentity`. */
  readonly identity: string;
  /** How long a silent holder keeps the lease (default 15 s). */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it steps down (default 10 s). */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts (default 2 s). */
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
  /** The observed holder changed ('' when the lease was released). */
  readonly onNewLeader?: (identity: string) => void;
  /**
   * Hand the Lease back on `stop()` (default true). Off, a stopped leader's Lease simply
   * expires, as after a crash (client-go's ReleaseOnCancel).
   */
  readonly releaseOnStop?: boolean;
  /** An API failure while acquiring, renewing or releasing (conflicts with a rival are not failures). */
  readonly onError?: (error: unknown) => void;
}

/** `<pod name>_<random>`: unique even when a pod restarts under the same name. */
export function leaderIdentity(podName?: string, suffix: string = randomBytes(4).toString('hex')): string {
  const base = podName !== undefined && podName !== '' ? podName : hostname();
  return `${base}_${suffix}`;
}

/** A metav1.MicroTime string: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

type LeaseSpec = Record<string, unknown>;

function specOf(lease: KubeObject): LeaseSpec {
  return isRecord(lease['spec']) ? lease['spec'] : {};
}

function holderOf(spec: LeaseSpec): string {
  return typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '';
}

export class LeaderElector {
  readonly identity: string;
  private readonly client: LeaseClient;
  private readonly namespace: string;
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly options: LeaderElectorOptions;

  private leading = false;
  private lastRenewAt = 0;
  /** The Lease as last read or written, for the resourceVersion of the next update. */
  private lease: KubeObject | undefined;
  private observedSpec = '';
  private observedAt = 0;
  private observedHolder: string | undefined;
  private readonly stopController = new AbortController();
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.client = options.client;
    this.namespace = options.namespace;
    this.name = options.name ?? 'bulwark-leader';
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new RangeError('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  /**
   * Whether this replica may write now. Besides the renew loop's verdict it checks the
   * clock, so a process that was stalled (a long GC, a blocked event loop) past the renew
   * deadline stops writing at once, before its loop has had a chance to notice.
   */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  /** The holder last seen in the Lease ('' when released, undefined before the first read). */
  get leader(): string | undefined {
    return this.observedHolder;
  }

  /** Starts campaigning in the background; idempotent. */
  start(): void {
    this.running ??= this.run();
  }

  /**
   * Stops campaigning; a leader lets its current attempt finish, then releases the Lease
   * (unless `releaseOnStop` is false) so the standby takes over at once. Stop writing
   * before calling this.
   */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.running;
    if (this.leading) {
      if (this.options.releaseOnStop ?? true) await this.release();
      this.stepDown();
    }
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  private notify(callback: (() => void) | undefined): void {
    try {
      callback?.();
    } catch (error) {
      this.reportError(error);
    }
  }

  private reportError(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // Nowhere left to report a failing error hook.
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (await this.attempt(this.clock.now() + this.renewDeadlineMs)) {
        this.leading = true;
        this.notify(this.options.onStartedLeading);
        await this.renewLoop();
        if (this.stopping) return;
        this.stepDown();
      }
      // A little jitter keeps two candidates that started together from colliding forever.
      const pause = this.retryPeriodMs * (1 + 0.2 * this.random());
      if (!(await sleep(this.clock, pause, this.stopController.signal))) return;
    }
  }

  /** Renews every retry period; returns when leadership is lost or on stop. */
  private async renewLoop(): Promise<void> {
    while (!this.stopping) {
      if (!(await sleep(this.clock, this.retryPeriodMs, this.stopController.signal))) return;
      const deadline = this.lastRenewAt + this.renewDeadlineMs;
      for (;;) {
        if (await this.attempt(deadline)) break;
        if (this.stopping) return;
        if (this.clock.now() + this.retryPeriodMs >= deadline) {
          this.reportError(new Error(`lease ${this.namespace}/${this.name}: not renewed within ${this.renewDeadlineMs} ms; stepping down`));
          return;
        }
        if (!(await sleep(this.clock, this.retryPeriodMs, this.stopController.signal))) return;
      }
    }
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.notify(this.options.onStoppedLeading);
  }

  /** One acquire-or-renew, aborted at `deadline`; true when this replica holds the Lease. */
  private async attempt(deadline: number): Promise<boolean> {
    const controller = new AbortController();
    const timer: TimerHandle = this.clock.setTimeout(() => controller.abort(), Math.max(0, deadline - this.clock.now()));
    try {
      return await this.tryAcquireOrRenew(controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) this.reportError(error);
      return false;
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private observe(lease: KubeObject, now: number): void {
    this.lease = lease;
    const spec = specOf(lease);
    const record = JSON.stringify([spec['holderIdentity'], spec['renewTime'], spec['leaseDurationSeconds'], spec['leaseTransitions']]);
    if (record !== this.observedSpec) {
      this.observedSpec = record;
      this.observedAt = now;
    }
    const holder = holderOf(spec);
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      this.notify(() => this.options.onNewLeader?.(holder));
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const durationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let current: KubeObject;
    try {
      current = await this.client.get(RESOURCES.leases, this.name, { namespace: this.namespace, signal });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const fresh: KubeObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.namespace },
        spec: {
          holderIdentity: this.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      try {
        this.observe(await this.client.create(RESOURCES.leases, fresh, { namespace: this.namespace, signal }), now);
      } catch (createError) {
        if (isAlreadyExists(createError)) return false;
        throw createError;
      }
      this.lastRenewAt = now;
      return true;
    }

    this.observe(current, now);
    const spec = specOf(current);
    const holder = holderOf(spec);
    const seconds = spec['leaseDurationSeconds'];
    const heldFor = typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : this.leaseDurationMs;
    if (holder !== '' && holder !== this.identity && this.observedAt + heldFor > now) return false;

    const transitions = typeof spec['leaseTransitions'] === 'number' ? spec['leaseTransitions'] : 0;
    const renewing = holder === this.identity;
    const next: KubeObject = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: renewing && typeof spec['acquireTime'] === 'string' ? spec['acquireTime'] : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: renewing ? transitions : transitions + 1,
      },
    };
    try {
      this.observe(await this.client.replace(RESOURCES.leases, next, { namespace: this.namespace, signal }), now);
    } catch (error) {
      // Someone else wrote the Lease first; that is a lost race, not a failure.
      if (isConflict(error)) return false;
      throw error;
    }
    this.lastRenewAt = now;
    return true;
  }

  /** Hands the Lease back: empty holder, 1 s duration, so the standby need not wait. */
  private async release(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const controller = new AbortController();
      const timer = this.clock.setTimeout(() => controller.abort(), this.renewDeadlineMs);
      try {
        const lease =
          attempt === 0 && this.lease !== undefined
            ? this.lease
            : await this.client.get(RESOURCES.leases, this.name, { namespace: this.namespace, signal: controller.signal });
        const spec = specOf(lease);
        if (holderOf(spec) !== this.identity) return;
        const now = this.clock.now();
        const released: KubeObject = {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: microTime(now),
            renewTime: microTime(now),
          },
        };
        this.observe(
          await this.client.replace(RESOURCES.leases, released, { namespace: this.namespace, signal: controller.signal }),
          now,
        );
        return;
      } catch (error) {
        if (!isConflict(error)) {
          this.reportError(error);
          return;
        }
      } finally {
        this.clock.clearTimeout(timer);
      }
    }
  }
}
