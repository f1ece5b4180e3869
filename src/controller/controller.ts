/**
 * The operator: reflectors feed one inventory and the policy registry; their events become
 * scope keys on the work queue; the reconciler converges reports; leader election decides
 * who writes. Every replica keeps its caches warm (so a standby takes over at once), but
 * only the leader reconciles.
 *
 * Start-up: caches sync, then (as leader) every scope is enqueued once; when that first
 * pass has drained the reconciler is "warm" and new reports count as drift. A periodic
 * resync re-enqueues everything at low priority to heal anything missed.
 */
import { performance } from 'node:perf_hooks';
import { allChecks } from '../checks/index.js';
import type { KubeObject } from '../engine/objects.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { exposition } from '../metrics/metrics.js';
import { ControllerInventory } from './controller-inventory.js';
import { scopesForEvent } from './event-scopes.js';
import type { HealthServer } from './health-server.js';
import { startHealthServer } from './health-server.js';
import type { KubeClient, ResourceDescriptor } from './kube-client.js';
import { RESOURCES, WATCHED_RESOURCES } from './kube-client.js';
import { KubeReportApi } from './kube-report-api.js';
import { LeaderElector } from './leader-election.js';
import { compactLiveReport, liveBodyHash } from './live-report.js';
import { PolicyRegistry } from './policy-registry.js';
import { TokenBucket } from './rate-limiter.js';
import type { ClusterReportBody, LiveReports, ReportApi } from './reconciler.js';
import { CLUSTER_REPORT_KIND, Reconciler, REPORT_KIND, ROLLUP_KEY } from './reconciler.js';
import type { ReflectorEvent, ReflectorHandler } from './reflector.js';
import { Reflector } from './reflector.js';
import type { ReportBody } from './report-content.js';
import { sameForEvaluation } from './trim.js';
import type { ReconcileOutcome, ReconcileResult } from './work-queue.js';
import { WorkQueue } from './work-queue.js';

export interface ControllerOptions {
  readonly client: KubeClient;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly leaderElect: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly resyncSeconds: number;
  readonly debounceMs: number;
  readonly writeQps: number;
  readonly writeBurst: number;
  readonly workers: number;
  readonly maxReportBytes: number;
  readonly clock?: () => Date;
  /** Lease timings, shortened by tests (defaults: client-go's 15 s / 10 s / 2 s). */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Called with each event-to-report latency as it is observed (benchmarks read exact values). */
  readonly onEventToReport?: (seconds: number) => void;
}

/**
 * The roll-up (ClusterSecurityReport, policy status) and the relational cluster scope each
 * summarise the whole cluster; at 20 changes a second, one of each per event would spend
 * the write budget on summaries. Waiting this long gathers a burst into one run, and the
 * namespace reports, which carry the findings, are not delayed.
 */
const COALESCE_MS: Readonly<Record<string, number>> = { [ROLLUP_KEY]: 1000, cluster: 500 };

/**
 * The roll-up also waits four times as long as its last run took, so that it never takes
 * more than a fifth of the time. On a small cluster that changes nothing (a run takes
 * milliseconds); with 2,000 namespaces its ClusterSecurityReport is ~350 KB, whose update
 * costs the API server ~0.3 s of CPU (measured; ~0.9 s while its `namespaces` list was a
 * map list, which managedFields tracked entry by entry), and one a second left the
 * namespace reports' writes waiting behind it.
 */
const ROLLUP_SPACING = 4;

/**
 * A roll-up that only namespace summaries ask for (a score or a count moved; the finding
 * itself is already in its namespace's report) waits at least 5 s, and fifteen times as long
 * as the last roll-up took. Under the scale bench's churn (20 changes a second in as many
 * namespaces) a roll-up ran every 2–3 s: a 416 KB ClusterSecurityReport at 2,000
 * namespaces, each write ~0.3 s of API server CPU (see ROLLUP_SPACING), on the same two
 * cores as the namespace reports that carry the findings (1,246 → 1,228 writes for 1,200
 * changes, measured). A change to cluster-scoped findings still brings the roll-up forward.
 */
const SUMMARY_COALESCE_MS = 5000;
const SUMMARY_SPACING = 15;

/** A full evaluation being timed: the keys it enqueued that have not completed yet. */
interface FullPass {
  readonly reason: 'initial' | 'resync';
  readonly pending: Set<string>;
  /** Pending keys whose last run failed. */
  readonly failed: Set<string>;
  readonly scopes: number;
  readonly startedAt: number;
  readonly cpu: NodeJS.CpuUsage;
}

const REPORT_RESOURCES = [RESOURCES.securityReports, RESOURCES.clusterSecurityReports];

/** Policies are kept whole (they are ours); only the managedFields noise goes. */
function withoutManagedFields(object: unknown): KubeObject | undefined {
  if (object === null || typeof object !== 'object') return undefined;
  const obj = object as KubeObject;
  if (obj.metadata === undefined) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

export class Controller {
  readonly inventory = new ControllerInventory();
  readonly policies = new PolicyRegistry(allChecks);
  readonly reconciler: Reconciler;
  readonly queue: WorkQueue;
  private readonly reflectors: Reflector[] = [];
  private readonly reportReflectors = new Map<string, Reflector>();
  private readonly elector: LeaderElector | undefined;
  private readonly clock: () => Date;
  /** When the oldest unreconciled event for each key arrived (for bulwark_event_to_report_seconds). */
  private readonly eventTimes = new Map<string, number>();
  /** Hashes of the bodies last written, to tell our own write's echo from a hand edit. */
  private readonly written = new Map<string, string>();
  /** How long the last roll-up run took (ms), to space the next. */
  private lastRollupMs = 0;
  /** The full evaluation being timed (the first one after taking the lead, or a resync). */
  private fullPass: FullPass | undefined;
  private warm = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private expiryTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private server: HealthServer | undefined;
  private synced = false;
  private stopped = false;
  /** Between onStartedLeading and onStoppedLeading (isLeader() also checks renewal freshness). */
  private leading = false;

  constructor(private readonly options: ControllerOptions) {
    this.clock = options.clock ?? ((): Date => new Date());
    const api = this.recordingApi(
      new KubeReportApi({
        client: options.client,
        inventory: this.inventory,
        writeLimiter: new TokenBucket({ ratePerSecond: options.writeQps, burst: options.writeBurst }),
        metrics: options.metrics,
        controllerName: 'bulwark.dev/controller',
        instance: options.identity,
        clock: this.clock,
        log: options.log.child({ component: 'reports' }),
      }),
    );
    this.reconciler = new Reconciler({
      inventory: this.inventory,
      policies: this.policies,
      liveReports: this.liveReports(),
      api,
      metrics: options.metrics,
      clock: this.clock,
      enqueue: (key) => this.enqueue(key),
      enqueueSummaryRollup: () => this.enqueueSummaryRollup(),
      refreshDerived: () => this.inventory.refreshDerived(),
      maxReportBytes: options.maxReportBytes,
    });
    this.queue = new WorkQueue({
      reconcile: (key, reconcileId) => this.reconcile(key, reconcileId),
      concurrency: options.workers,
      debounceMs: options.debounceMs,
      // A lone change (the common case) is reported without waiting out the debounce,
      // which was a tenth of the 2 s event-to-report budget; bursts still coalesce.
      leading: true,
      onOutcome: (outcome) => this.onOutcome(outcome),
    });
    if (options.leaderElect) {
      this.elector = new LeaderElector({
        client: options.client,
        namespace: options.leaseNamespace,
        name: options.leaseName,
        identity: options.identity,
        ...(options.leaseDurationMs !== undefined ? { leaseDurationMs: options.leaseDurationMs } : {}),
        ...(options.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.renewDeadlineMs } : {}),
        ...(options.retryPeriodMs !== undefined ? { retryPeriodMs: options.retryPeriodMs } : {}),
        onStartedLeading: () => this.onStartedLeading(),
        onStoppedLeading: () => this.onStoppedLeading(),
        onNewLeader: (identity) => options.log.info('leader observed', { leader: identity }),
        onError: (error) => options.log.warn('leader election error', { error: String(error) }),
      });
    }
  }

  isLeader(): boolean {
    return this.elector === undefined || this.elector.isLeader();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Where /metrics listens (the real port when 0 was asked for). */
  get metricsAddress(): { host: string; port: number } | undefined {
    return this.server === undefined ? undefined : { host: this.server.host, port: this.server.port };
  }

  async start(): Promise<void> {
    const { log, metrics } = this.options;
    this.server = await startHealthServer({
      host: this.options.metricsHost,
      port: this.options.metricsPort,
      metrics: { metrics: () => exposition(metrics), contentType: metrics.registry.contentType },
      readiness: () =>
        this.synced
          ? { ready: true }
          : {
              ready: false,
              reason: `caches not synced: ${this.reflectors
                .filter((r) => !r.hasSynced())
                .map((r) => r.resource.plural)
                .join(', ')}`,
            },
    });
    metrics.leader.set(0);
    for (const resource of WATCHED_RESOURCES) this.reflectors.push(this.watch(resource));
    for (const resource of REPORT_RESOURCES) {
      const reflector = this.watchReports(resource);
      this.reflectors.push(reflector);
      this.reportReflectors.set(resource.kind, reflector);
    }
    for (const reflector of this.reflectors) reflector.start();
    log.info('waiting for caches to sync', { kinds: this.reflectors.map((r) => r.resource.plural) });
    const results = await Promise.all(this.reflectors.map((r) => r.waitForSync()));
    if (this.stopped || results.some((ok) => !ok)) return;
    this.synced = true;
    for (const { kind } of WATCHED_RESOURCES) {
      if (kind !== 'SecurityPolicy') metrics.watchedObjects.set({ kind }, this.inventory.count(kind));
    }
    log.info('caches synced', { objects: this.inventory.size, policies: this.policies.all().length });
    for (const state of this.policies.all()) {
      if (!state.valid) log.warn('invalid policy', { policy: state.name, diagnostics: state.diagnostics });
    }
    if (this.elector !== undefined) this.elector.start();
    else this.onStartedLeading();
    this.resyncTimer = setInterval(() => {
      if (!this.isLeader()) return;
      const keys = this.reconciler.allKeys();
      this.beginFullPass('resync', keys);
      this.queue.addAll(keys, 'resync');
    }, this.options.resyncSeconds * 1000);
    this.resyncTimer.unref();
  }

  /** Graceful stop: no new work, in-flight writes finish, watches end, the Lease is released. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.expiryTimer?.timer);
    await this.queue.shutdown();
    await Promise.all(this.reflectors.map((r) => r.stop()));
    await this.elector?.stop();
    this.options.metrics.leader.set(0);
    await this.server?.close();
    this.options.client.close();
  }

  private onStartedLeading(): void {
    this.leading = true;
    this.options.log.info('started leading', { identity: this.options.identity });
    this.options.metrics.leader.set(1);
    // A new leader trusts nothing a predecessor may have left half-done: one full pass.
    const keys = this.reconciler.allKeys();
    // The first pass is timed whatever else runs; a resync still draining is superseded.
    this.fullPass = undefined;
    this.beginFullPass('initial', keys);
    for (const key of this.policies.all().map((p) => `policy/${p.name}`)) this.queue.add(key);
    this.queue.addAll(keys);
  }

  private onStoppedLeading(): void {
    this.leading = false;
    // Handing the Lease over on shutdown is the plan; losing it while running is not.
    if (this.stopped) this.options.log.info('released leadership', { identity: this.options.identity });
    else this.options.log.warn('stopped leading; no further writes', { identity: this.options.identity });
    this.options.metrics.leader.set(0);
  }

  private enqueue(key: string, at = performance.now()): void {
    if (!this.eventTimes.has(key)) this.eventTimes.set(key, at);
    const coalesce =
      key === ROLLUP_KEY
        ? Math.max(COALESCE_MS[key] ?? 0, ROLLUP_SPACING * this.lastRollupMs)
        : COALESCE_MS[key];
    if (coalesce !== undefined) this.queue.addAfter(key, coalesce);
    else this.queue.add(key);
    this.options.metrics.queueDepth.set(this.queue.depth);
  }

  /**
   * The roll-up for namespace summaries only. No event time is kept for it: what
   * bulwark_event_to_report_seconds times is the report that holds the finding, and the
   * namespace's own report has it already.
   */
  private enqueueSummaryRollup(): void {
    this.queue.addAfter(ROLLUP_KEY, Math.max(SUMMARY_COALESCE_MS, SUMMARY_SPACING * this.lastRollupMs));
    this.options.metrics.queueDepth.set(this.queue.depth);
  }

  private async reconcile(key: string, reconcileId: string): Promise<ReconcileResult> {
    // Standbys keep their caches, not their hands, busy: only the leader writes. A standby
    // drops the key (a new leader starts with a full pass); a leader whose last renewal is
    // momentarily stale (a slow API server) must not write now, but must not lose the work.
    if (this.stopped || !this.leading) return;
    if (!this.isLeader()) return { requeueAfterMs: 500 };
    // The roll-up summarises every namespace. Run before the first pass has evaluated them
    // all, it would write a partial ClusterSecurityReport and policy status only to rewrite
    // them moments later: after a restart with nothing changed, writes of the largest object
    // Bulwark keeps, for nothing.
    if (key === ROLLUP_KEY && this.awaitingInitialScopes()) return { requeueAfterMs: 1000 };
    this.options.log.debug('reconcile', { key, reconcileId });
    // This run covers every event seen so far; events during it start a new wait.
    const since = this.eventTimes.get(key);
    this.eventTimes.delete(key);
    try {
      await this.reconciler.reconcile(key);
    } catch (error) {
      if (since !== undefined) this.eventTimes.set(key, Math.min(since, this.eventTimes.get(key) ?? since));
      throw error;
    }
    if (since !== undefined) {
      const seconds = (performance.now() - since) / 1000;
      this.options.metrics.eventToReport.observe(seconds);
      this.options.onEventToReport?.(seconds);
    }
  }

  /** Whether the first pass still has scopes to evaluate, besides the roll-up and those that failed. */
  private awaitingInitialScopes(): boolean {
    const pass = this.fullPass;
    if (pass?.reason !== 'initial') return false;
    let waiting = 0;
    for (const key of pass.pending) if (key !== ROLLUP_KEY && !pass.failed.has(key)) waiting++;
    return waiting > 0;
  }

  private onOutcome(outcome: ReconcileOutcome): void {
    const { log, metrics } = this.options;
    metrics.queueDepth.set(this.queue.depth);
    // A key asked to run again (the roll-up waiting for the first pass, a leader whose
    // renewal is stale) has not done its part of a full pass yet.
    if (outcome.result === 'requeue') return;
    if (outcome.result === 'error' || outcome.result === 'terminal') {
      log.error('reconcile failed', {
        key: outcome.key,
        reconcileId: outcome.reconcileId,
        error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        failures: outcome.failures,
        retryInMs: outcome.retryInMs,
      });
      // A scope that fails is retried and keeps its place in the pass, but the roll-up does
      // not wait for it; one that cannot succeed is done with.
      if (outcome.result === 'error') {
        this.fullPass?.failed.add(outcome.key);
        return;
      }
    } else if (outcome.key === ROLLUP_KEY) {
      this.lastRollupMs = outcome.durationMs;
      this.scheduleExceptionExpiry();
    }
    const pass = this.fullPass;
    if (pass !== undefined && pass.pending.delete(outcome.key) && pass.pending.size === 0) {
      this.fullPass = undefined;
      const seconds = (performance.now() - pass.startedAt) / 1000;
      const cpu = process.cpuUsage(pass.cpu);
      metrics.evaluationDuration.observe({ scope: 'full' }, seconds);
      const meta = {
        objects: this.inventory.size,
        scopes: pass.scopes,
        seconds: Math.round(seconds * 1000) / 1000,
        // Process CPU over the pass: evaluation, JSON work and GC, and any watch events
        // handled meanwhile; on a shared machine a steadier figure than the wall time.
        cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 1000) / 1000,
      };
      if (pass.reason === 'initial') {
        this.warm = true;
        this.reconciler.markWarm();
        log.info('initial evaluation complete', meta);
      } else log.info('full evaluation complete', meta);
    }
  }

  /**
   * Starts timing a full evaluation over `keys`, unless one is already being timed (a
   * resync that finds the previous one still draining only re-adds keys already queued).
   */
  private beginFullPass(reason: FullPass['reason'], keys: readonly string[]): void {
    if (this.fullPass !== undefined || keys.length === 0) return;
    // Before the first pass has drained, a resync is more of the same catch-up work.
    if (reason === 'resync' && !this.warm) return;
    this.fullPass = {
      reason,
      pending: new Set(keys),
      failed: new Set(),
      scopes: keys.length,
      startedAt: performance.now(),
      cpu: process.cpuUsage(),
    };
  }

  /** Re-evaluates everything when the next exception expires: no event announces that. */
  private scheduleExceptionExpiry(): void {
    const at = this.reconciler.nextExceptionExpiry(this.clock());
    if (at === undefined || this.expiryTimer?.at === at) return;
    clearTimeout(this.expiryTimer?.timer);
    // Past the expiry by a little, so the evaluation's clock is surely beyond it.
    const delay = Math.max(0, at - this.clock().getTime()) + 50;
    const timer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        if (this.isLeader()) for (const key of this.reconciler.allKeys()) this.enqueue(key);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.unref();
    this.expiryTimer = { at, timer };
  }

  private handler(resource: ResourceDescriptor): ReflectorHandler<KubeObject> {
    const kind = resource.kind;
    const changed = (oldObj: KubeObject | undefined, newObj: KubeObject | undefined): void => {
      const at = performance.now();
      if (kind === 'SecurityPolicy') {
        if (newObj !== undefined) {
          const update = this.policies.update(newObj);
          if (update?.recompiled && this.synced) this.enqueue(`policy/${update.state.name}`, at);
          else if (update !== undefined && this.synced) this.enqueue(ROLLUP_KEY, at);
        } else if (oldObj?.metadata?.name !== undefined) {
          this.policies.remove(oldObj.metadata.name);
          this.enqueue(`policy/${oldObj.metadata.name}`, at);
        }
        return;
      }
      // The reflector has set `kind` already (list items carry none); a copy per object
      // would cost 100,000 small objects for nothing.
      if (newObj !== undefined) this.inventory.upsert(newObj.kind === kind ? newObj : { ...newObj, kind });
      else if (oldObj?.metadata?.name !== undefined)
        this.inventory.delete(kind, oldObj.metadata.namespace, oldObj.metadata.name);
      // Counting walks the kind's namespaces: once per kind at sync, not once per listed object.
      if (!this.synced) return;
      // Only an add or a delete changes the count.
      if (oldObj === undefined || newObj === undefined)
        this.options.metrics.watchedObjects.set({ kind }, this.inventory.count(kind));
      // A kubelet's status report, say: the cache has the new resourceVersion, and there is
      // nothing to evaluate again.
      if (oldObj !== undefined && newObj !== undefined && sameForEvaluation(oldObj, newObj)) return;
      for (const key of scopesForEvent(kind, oldObj, newObj)) this.enqueue(key, at);
    };
    return {
      onAdd: (obj) => changed(undefined, obj),
      onUpdate: (oldObj, newObj) => changed(oldObj, newObj),
      onDelete: (obj) => changed(obj, undefined),
      onEvent: (event) => this.onReflectorEvent(event),
    };
  }

  private watch(resource: ResourceDescriptor): Reflector {
    return new Reflector({
      client: this.options.client,
      resource,
      handler: this.handler(resource),
      ...(resource.kind === 'SecurityPolicy' ? { trim: withoutManagedFields } : {}),
    });
  }

  private watchReports(resource: ResourceDescriptor): Reflector {
    const isCluster = resource.kind === CLUSTER_REPORT_KIND;
    const changed = (obj: KubeObject, deleted: boolean): void => {
      if (!this.synced) return;
      const name = obj.metadata?.name ?? '';
      const namespace = obj.metadata?.namespace;
      // Our own write echoing back needs no work; a hand edit or a deletion is restored.
      if (!deleted && this.written.get(reportKey(resource.kind, namespace, name)) === liveBodyHash(obj))
        return;
      this.enqueue(isCluster ? ROLLUP_KEY : `ns/${namespace ?? ''}`);
    };
    return new Reflector({
      client: this.options.client,
      resource,
      trim: compactLiveReport,
      // Reports run to tens of kilobytes (pods are a few): 500 of them would be one 25 MB
      // string and ~80 MB parsed, all alive at once, in a heap whose limit a 768 MiB pod
      // sets at 384 MB. Smaller pages cost the API server more: 50 a page took it ~1.5 s
      // each, so 2,000 reports listed in over a minute.
      pageSize: 200,
      handler: {
        onUpdate: (_old, obj) => changed(obj, false),
        onDelete: (obj) => changed(obj, true),
        onEvent: (event) => this.onReflectorEvent(event),
      },
    });
  }

  private liveReports(): LiveReports {
    return {
      get: (kind, namespace, name) =>
        this.reportReflectors.get(kind)?.store.get(namespace === undefined ? name : `${namespace}/${name}`),
    };
  }

  /** Remembers what was written so the watch echo of our own write is not taken for an edit. */
  private recordingApi(api: ReportApi): ReportApi {
    return {
      applyReport: async (policy, namespace, body: ReportBody | ClusterReportBody, live, bodyHash) => {
        this.written.set(
          reportKey(namespace === undefined ? CLUSTER_REPORT_KIND : REPORT_KIND, namespace, policy.name),
          bodyHash,
        );
        await api.applyReport(policy, namespace, body, live, bodyHash);
      },
      deleteReport: async (policy, namespace) => {
        this.written.delete(
          reportKey(namespace === undefined ? CLUSTER_REPORT_KIND : REPORT_KIND, namespace, policy),
        );
        await api.deleteReport(policy, namespace);
      },
      applyPolicyStatus: (policy, status) => api.applyPolicyStatus(policy, status),
      changedBy: (finding) => api.changedBy(finding),
      recordCriticalFinding: (policy, finding) => api.recordCriticalFinding(policy, finding),
      recordInvalidPolicy: (policy, message) => api.recordInvalidPolicy(policy, message),
    };
  }

  private onReflectorEvent(event: ReflectorEvent): void {
    const { log, metrics } = this.options;
    switch (event.type) {
      case 'restart':
        metrics.watchRestarts.inc({ kind: event.kind, reason: event.reason });
        log.info('watch restart', {
          kind: event.kind,
          reason: event.reason,
          next: event.next,
          delayMs: event.delayMs,
          error: event.error === undefined ? undefined : String(event.error),
        });
        break;
      case 'listed':
        log.debug('listed', {
          kind: event.kind,
          objects: event.objects,
          pages: event.pages,
          durationMs: Math.round(event.durationMs),
        });
        break;
      case 'handler-error':
        log.error('event handler failed', {
          kind: event.kind,
          callback: event.callback,
          error: String(event.error),
        });
        break;
      case 'skipped':
        log.warn('object skipped', { kind: event.kind, detail: event.detail });
        break;
      default:
        break;
    }
  }
}

function reportKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
