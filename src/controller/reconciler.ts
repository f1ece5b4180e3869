/**
 * Level-based reconciliation of reports: `reconcile(key)` reads the current inventory,
 * policies and live reports, and converges the reports (and policy status) to what a fresh
 * evaluation says. It never trusts an event's payload, so a missed, duplicated or
 * reordered event costs at most a redundant evaluation.
 *
 * Keys (src/controller/event-scopes.ts):
 *  - `ns/<name>`: one namespace's SecurityReport for every policy;
 *  - `cluster`: the relational checks (RBAC, ServiceAccounts) for every policy; their
 *    namespaced results are cached and merged into namespace reports;
 *  - `policy/<name>`: a policy changed: recompile, then everything for it;
 *  - `rollup`: ClusterSecurityReports and policy status from the cached summaries.
 *
 * Writes go through ReportApi, which the caller backs with the API server (rate-limited,
 * leader-only). A report is written only when its content differs from the live one, so a
 * cluster at rest causes no writes, also after a restart.
 */
import { performance } from 'node:perf_hooks';
import type { Evaluation, Tally } from '../engine/evaluate.js';
import { evaluate, scoreOf } from '../engine/evaluate.js';
import type { Inventory } from '../engine/inventory.js';
import type { KubeObject } from '../engine/objects.js';
import { isRecord, labelsOf } from '../engine/objects.js';
import { resourceKey } from '../engine/owner.js';
import type { CompiledPolicy } from '../engine/policy.js';
import { isNamespaceSelected } from '../engine/policy.js';
import type { Finding, Severity } from '../engine/types.js';
import { isActive } from '../engine/types.js';
import { seriesOf } from '../metrics/findings-gauge.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ScopeKey } from './event-scopes.js';
import { CLUSTER_KEY, namespaceKey, parseScopeKey } from './event-scopes.js';
import { liveBodyHash, previousFindings } from './live-report.js';
import { PodOutcomeMemo } from './pod-outcome-memo.js';
import type { Condition, PolicyRegistry, PolicyState } from './policy-registry.js';
import { policyConditions } from './policy-registry.js';
import type { ChangedBy, ReportBody, ReportSummary } from './report-content.js';
import {
  buildReportBody,
  canonicalJson,
  contentHash,
  evaluationDigest,
  findingKey,
} from './report-content.js';

export const ROLLUP_KEY = 'rollup';
export const REPORT_KIND = 'SecurityReport';
export const CLUSTER_REPORT_KIND = 'ClusterSecurityReport';

export interface NamespaceRollup {
  readonly name: string;
  readonly score: number;
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
}

export interface ClusterReportBody extends ReportBody {
  readonly namespaces: readonly NamespaceRollup[];
}

export interface PolicyStatus {
  readonly observedGeneration: number;
  readonly conditions: readonly Condition[];
  readonly summary: Omit<ReportSummary, 'total'> & { namespaces: number };
  readonly score: number;
  readonly lastEvaluationTime: string;
}

/** The writes the reconciler makes; the caller backs them with the API server. */
export interface ReportApi {
  /**
   * Writes a report; `live` is the report as the watch last saw it, if there is one, and
   * `bodyHash` is `contentHash(body)`, which the reconciler has computed already (for a
   * 2,000-namespace roll-up, ~40 ms of canonical JSON and SHA-256 not to repeat).
   */
  applyReport(
    policy: PolicyState,
    namespace: string | undefined,
    body: ReportBody | ClusterReportBody,
    live: KubeObject | undefined,
    bodyHash: string,
  ): Promise<void>;
  deleteReport(policy: string, namespace: string | undefined): Promise<void>;
  applyPolicyStatus(policy: PolicyState, status: PolicyStatus): Promise<void>;
  /** Who last changed a resource (from managedFields), for a finding that just appeared. */
  changedBy(finding: Finding): Promise<ChangedBy | undefined>;
  /** A Kubernetes Event about the resource of a new critical finding. */
  recordCriticalFinding(policy: string, finding: Finding): Promise<void>;
  /** A Kubernetes Event about an invalid policy. */
  recordInvalidPolicy(policy: PolicyState, message: string): Promise<void>;
}

/** Live reports as the controller's watch cache holds them. */
export interface LiveReports {
  get(
    kind: typeof REPORT_KIND | typeof CLUSTER_REPORT_KIND,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
}

export interface ReconcilerOptions {
  readonly inventory: Inventory;
  readonly policies: PolicyRegistry;
  readonly liveReports: LiveReports;
  readonly api: ReportApi;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  readonly enqueue: (key: ScopeKey | typeof ROLLUP_KEY) => void;
  /**
   * Queues the roll-up because a namespace summary (score, counts) changed, which may wait
   * longer than a change to cluster-scoped findings; without it, `enqueue(ROLLUP_KEY)`.
   */
  readonly enqueueSummaryRollup?: () => void;
  /**
   * Lets the engine's revision-keyed indexes go (see controller-inventory.ts); called every
   * REFRESH_EVERY namespace evaluations, so a full pass never holds them for every namespace.
   */
  readonly refreshDerived?: () => void;
  readonly maxReportBytes?: number;
  /** Days before expiry from which an exception counts as `expiring`. */
  readonly expiringDays?: number;
}

function addTally(a: Tally | undefined, b: Tally | undefined): Tally | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { evaluated: a.evaluated + b.evaluated, failed: a.failed + b.failed };
}

interface ClusterPart {
  /** Findings of the relational checks, by namespace ('' = cluster-scoped resources). */
  readonly findings: Map<string, Finding[]>;
  /** evaluationDigest of each namespace's findings, to tell which namespaces they changed. */
  readonly digests: Map<string, string>;
  readonly tallies: Map<string, Tally>;
}

const NO_FINDINGS_DIGEST = evaluationDigest([], undefined);

interface NamespaceSummary extends NamespaceRollup {
  readonly waived: number;
  readonly tally: Tally | undefined;
}

/** Namespace evaluations between two refreshDerived calls. */
const REFRESH_EVERY = 64;

/** Per policy and namespace, in the maps keyed that way. */
function seriesKeyOf(policy: string, namespace: string): string {
  return `${policy}\u0000${namespace}`;
}

/** What the last reconcile of a scope that converged saw: its evaluation and the report it left. */
interface Converged {
  readonly digest: string;
  readonly bodyHash: string;
}

export class Reconciler {
  private readonly clusterParts = new Map<string, ClusterPart>();
  private readonly converged = new Map<string, Converged>();
  private evaluatedSinceRefresh = 0;
  private readonly summaries = new Map<string, Map<string, NamespaceSummary>>();
  private readonly evaluatedPolicies = new Set<string>();
  private readonly podOutcomes = new PodOutcomeMemo();
  private warm = false;

  constructor(private readonly options: ReconcilerOptions) {}

  async reconcile(key: string): Promise<void> {
    if (key === ROLLUP_KEY) return this.rollup();
    const scope = parseScopeKey(key);
    if (scope.kind === 'namespace') return this.reconcileNamespace(scope.namespace);
    if (scope.kind === 'cluster') return this.reconcileCluster();
    return this.reconcilePolicy(scope.name);
  }

  /**
   * Called once the first full evaluation after start-up has drained. Before that, a report
   * that does not exist yet is the controller catching up, not drift: its findings are not
   * counted as new. After it, a new report (a new namespace) is real change.
   */
  markWarm(): void {
    this.warm = true;
  }

  /**
   * The next instant an exception of an active policy expires (epoch ms), or undefined.
   * Expiry changes findings without any watch event, so the controller schedules a full
   * re-evaluation for it.
   */
  nextExceptionExpiry(now: Date): number | undefined {
    let next: number | undefined;
    for (const { policy } of this.options.policies.active()) {
      for (const exception of policy.exceptions) {
        const at = exception.expiresAt;
        if (at !== undefined && at > now.getTime() && (next === undefined || at < next)) next = at;
      }
    }
    return next;
  }

  /** Every key a full re-evaluation needs: the periodic resync and a new leader enqueue these. */
  allKeys(): (ScopeKey | typeof ROLLUP_KEY)[] {
    const namespaces = new Set(this.options.inventory.namespaces());
    for (const summaries of this.summaries.values()) for (const ns of summaries.keys()) namespaces.add(ns);
    return [CLUSTER_KEY, ...[...namespaces].sort().map(namespaceKey), ROLLUP_KEY];
  }

  private timed<T>(scope: string, run: () => T): T {
    const start = performance.now();
    try {
      return run();
    } finally {
      this.options.metrics.evaluationDuration.observe({ scope }, (performance.now() - start) / 1000);
    }
  }

  private async reconcilePolicy(name: string): Promise<void> {
    const state = this.options.policies.get(name);
    if (state === undefined) {
      // Deleted: its reports go with it (ownerReferences); forget its series and caches.
      this.forgetPolicy(name);
      return;
    }
    if (!state.valid) {
      await this.options.api.recordInvalidPolicy(
        state,
        state.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; '),
      );
      this.options.metrics.policyValid.set({ policy: name }, 0);
    } else this.options.metrics.policyValid.set({ policy: name }, 1);
    for (const key of this.allKeys()) this.options.enqueue(key);
  }

  private forgetPolicy(name: string): void {
    const m = this.options.metrics;
    for (const namespace of this.summaries.get(name)?.keys() ?? []) this.dropNamespace(name, namespace);
    m.complianceScore.remove({ policy: name, namespace: '' });
    for (const state of ['active', 'expiring', 'expired']) m.exceptions.remove({ policy: name, state });
    for (const severity of ['critical', 'high', 'medium', 'low'])
      m.baselineDrift.remove({ policy: name, severity });
    m.policyValid.remove({ policy: name });
    this.clusterParts.delete(name);
    this.podOutcomes.forgetPolicy(name);
    this.summaries.delete(name);
    this.evaluatedPolicies.delete(name);
  }

  private async reconcileCluster(): Promise<void> {
    const now = this.options.clock();
    let rollup = false;
    for (const { state, policy } of this.options.policies.active()) {
      const evaluation = this.timed('cluster', () =>
        evaluate(this.options.inventory, policy, { now, scope: { kind: 'cluster' } }),
      );
      const part: ClusterPart = { findings: new Map(), digests: new Map(), tallies: evaluation.tallies };
      for (const finding of evaluation.findings) {
        const ns = finding.resource.namespace ?? '';
        let list = part.findings.get(ns);
        if (list === undefined) part.findings.set(ns, (list = []));
        list.push(finding);
      }
      for (const [ns, list] of part.findings) part.digests.set(ns, evaluationDigest(list, undefined));
      const before = this.clusterParts.get(state.name);
      this.clusterParts.set(state.name, part);
      // Namespaces whose relational findings changed need their reports rewritten.
      const namespaces = new Set([...part.digests.keys(), ...(before?.digests.keys() ?? [])]);
      for (const ns of namespaces) {
        if (ns === '') continue;
        const was = before?.digests.get(ns) ?? NO_FINDINGS_DIGEST;
        if (was !== (part.digests.get(ns) ?? NO_FINDINGS_DIGEST)) this.options.enqueue(namespaceKey(ns));
      }
      // The roll-up holds the cluster-scoped findings and their tally; when neither moved it
      // has nothing new from this scope (the namespaces queued above ask for it themselves).
      const tally = part.tallies.get('');
      const tallyBefore = before?.tallies.get('');
      if (
        before === undefined ||
        before.digests.get('') !== part.digests.get('') ||
        tally?.evaluated !== tallyBefore?.evaluated ||
        tally?.failed !== tallyBefore?.failed
      ) {
        rollup = true;
      }
    }
    if (rollup) this.options.enqueue(ROLLUP_KEY);
  }

  private async reconcileNamespace(namespace: string): Promise<void> {
    const { inventory, liveReports, api } = this.options;
    const now = this.options.clock();
    const nsObject = inventory.get('Namespace', undefined, namespace);
    for (const { state, policy } of this.options.policies.active()) {
      const live = liveReports.get(REPORT_KIND, namespace, state.name);
      const inScope = nsObject !== undefined && isNamespaceSelected(policy, namespace, labelsOf(nsObject));
      if (!inScope) {
        this.dropNamespace(state.name, namespace);
        if (live !== undefined) await api.deleteReport(state.name, namespace);
        continue;
      }
      if (++this.evaluatedSinceRefresh >= REFRESH_EVERY) {
        this.evaluatedSinceRefresh = 0;
        this.options.refreshDerived?.();
      }
      const podOutcomes = this.podOutcomes.open(state.name, policy, namespace, inventory);
      const evaluation: Evaluation = this.timed('namespace', () =>
        evaluate(inventory, policy, { now, scope: { kind: 'namespace', namespace }, podOutcomes }),
      );
      podOutcomes.commit();
      const clusterPart = this.clusterParts.get(state.name);
      const findings = [...evaluation.findings, ...(clusterPart?.findings.get(namespace) ?? [])];
      const tally = addTally(evaluation.tallies.get(namespace), clusterPart?.tallies.get(namespace));
      const key = seriesKeyOf(state.name, namespace);
      const digest = evaluationDigest(findings, tally);
      const last = this.converged.get(key);
      // Nothing changed since the last reconcile converged: same evaluation, and the report
      // as it was left (a deleted or hand-edited report has another hash, or none).
      if (last?.digest === digest && live !== undefined && liveBodyHash(live) === last.bodyHash) continue;
      const body = await this.buildBody(state.name, namespace, findings, tally, live, now);
      const bodyHash = contentHash(body);
      await this.converge(state, namespace, body, live, findings, bodyHash);
      this.updateNamespaceMetrics(policy, namespace, findings, body, tally);
      this.converged.set(key, { digest, bodyHash });
    }
  }

  private async buildBody(
    policy: string,
    scope: string,
    findings: readonly Finding[],
    tally: Tally | undefined,
    live: KubeObject | undefined,
    now: Date,
  ): Promise<ReportBody> {
    const previous = previousFindings(live);
    // Field managers are looked up only for findings that are new, and before the
    // (synchronous) build, so a resting cluster makes no lookups at all.
    const changedBy = new Map<string, ChangedBy>();
    // One lookup per resource: a Deployment failing ten checks is read once, not ten times
    // (for owners the cache does not hold, each lookup is a GET).
    const byResource = new Map<string, ChangedBy | undefined>();
    for (const finding of findings) {
      const key = findingKey(finding);
      if (previous.has(key)) continue;
      const resource = resourceKey(finding.resource);
      let who = byResource.get(resource);
      if (!byResource.has(resource)) {
        who = await this.options.api.changedBy(finding);
        byResource.set(resource, who);
      }
      if (who !== undefined) changedBy.set(key, who);
    }
    return buildReportBody({
      policy,
      scope,
      findings,
      tally,
      previous,
      now: now.toISOString(),
      changedBy: (finding) => changedBy.get(findingKey(finding)),
      ...(this.options.maxReportBytes !== undefined ? { maxBytes: this.options.maxReportBytes } : {}),
    });
  }

  /** Writes the report if it differs from the live one, and counts drift against it. */
  private async converge(
    state: PolicyState,
    namespace: string | undefined,
    body: ReportBody | ClusterReportBody,
    live: KubeObject | undefined,
    findings: readonly Finding[],
    bodyHash = contentHash(body),
  ): Promise<void> {
    const { api, metrics } = this.options;
    const previous = previousFindings(live);
    if (live === undefined || liveBodyHash(live) !== bodyHash) {
      await api.applyReport(state, namespace, body, live, bodyHash);
    }
    // Drift is measured against the report as it stood, so restarts and fail-overs neither
    // recount old findings as new nor lose resolutions.
    const baselineKnown = live !== undefined || this.warm;
    const current = new Set<string>();
    for (const finding of findings) {
      if (!isActive(finding)) continue;
      const key = findingKey(finding);
      current.add(key);
      if (!baselineKnown || previous.has(key)) continue;
      metrics.findingsNew.inc({ policy: state.name, severity: finding.severity, check: finding.checkId });
      if (finding.severity === 'critical') await api.recordCriticalFinding(state.name, finding);
    }
    for (const [key, before] of previous) {
      const expiredOrNone = before.waiver === undefined || before.waiver.expired;
      if (expiredOrNone && !current.has(key)) {
        metrics.findingsResolved.inc({
          policy: state.name,
          severity: before.severity,
          check: before.checkId,
        });
      }
    }
  }

  private dropNamespace(policy: string, namespace: string): void {
    this.summaries.get(policy)?.delete(namespace);
    this.podOutcomes.forget(policy, namespace);
    this.options.metrics.complianceScore.remove({ policy, namespace });
    const seriesKey = seriesKeyOf(policy, namespace);
    this.converged.delete(seriesKey);
    this.options.metrics.findings.drop(policy, namespace);
  }

  private updateNamespaceMetrics(
    policy: CompiledPolicy,
    namespace: string,
    findings: readonly Finding[],
    body: ReportBody,
    tally: Tally | undefined,
  ): void {
    const { metrics } = this.options;
    const counts = new Map<string, number>();
    let waived = 0;
    for (const finding of findings) {
      if (!isActive(finding)) {
        waived++;
        continue;
      }
      const series = seriesOf(finding.severity, finding.checkId);
      counts.set(series, (counts.get(series) ?? 0) + 1);
    }
    metrics.findings.replace(policy.name, namespace, counts);
    metrics.complianceScore.set({ policy: policy.name, namespace }, body.score);

    let summaries = this.summaries.get(policy.name);
    if (summaries === undefined) this.summaries.set(policy.name, (summaries = new Map()));
    const summary: NamespaceSummary = {
      name: namespace,
      score: body.score,
      critical: body.summary.critical,
      high: body.summary.high,
      medium: body.summary.medium,
      low: body.summary.low,
      waived,
      tally,
    };
    const old = summaries.get(namespace);
    summaries.set(namespace, summary);
    if (old === undefined || canonicalJson(old) !== canonicalJson(summary)) {
      if (this.options.enqueueSummaryRollup !== undefined) this.options.enqueueSummaryRollup();
      else this.options.enqueue(ROLLUP_KEY);
    }
  }

  private async rollup(): Promise<void> {
    const { liveReports, metrics } = this.options;
    const now = this.options.clock();
    for (const { state, policy } of this.options.policies.active()) {
      const part = this.clusterParts.get(state.name);
      const summaries = [...(this.summaries.get(state.name)?.values() ?? [])].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const clusterFindings = part?.findings.get('') ?? [];
      const live = liveReports.get(CLUSTER_REPORT_KIND, undefined, state.name);
      const base = await this.buildBody(
        state.name,
        'cluster',
        clusterFindings,
        part?.tallies.get(''),
        live,
        now,
      );
      const summary: ReportSummary = { ...base.summary };
      let tally: Tally | undefined = part?.tallies.get('');
      for (const ns of summaries) {
        summary.critical += ns.critical;
        summary.high += ns.high;
        summary.medium += ns.medium;
        summary.low += ns.low;
        summary.waived += ns.waived;
        summary.total += ns.critical + ns.high + ns.medium + ns.low;
        tally = addTally(tally, ns.tally);
      }
      const body: ClusterReportBody = {
        ...base,
        score: scoreOf(tally),
        summary,
        namespaces: summaries.map(({ name, score, critical, high, medium, low }) => ({
          name,
          score,
          critical,
          high,
          medium,
          low,
        })),
      };
      await this.converge(state, undefined, body, live, clusterFindings);
      metrics.complianceScore.set({ policy: state.name, namespace: '' }, body.score);
      this.updatePolicyMetrics(state, policy, now);
      this.evaluatedPolicies.add(state.name);
      await this.writeStatus(state, body, summaries.length, now);
    }
    // A policy that was never valid has no reports, but its status must still say why.
    for (const state of this.options.policies.all()) {
      if (state.active === undefined) await this.writeStatus(state, undefined, 0, now);
    }
    metrics.lastFullEvaluation.set(now.getTime() / 1000);
  }

  private updatePolicyMetrics(state: PolicyState, policy: CompiledPolicy, now: Date): void {
    const { metrics } = this.options;
    const soon = now.getTime() + (this.options.expiringDays ?? 7) * 86_400_000;
    const states = { active: 0, expiring: 0, expired: 0 };
    for (const exception of policy.exceptions) {
      if (exception.expiresAt !== undefined && exception.expiresAt <= now.getTime()) states.expired++;
      else if (exception.expiresAt !== undefined && exception.expiresAt <= soon) states.expiring++;
      else states.active++;
    }
    for (const [s, n] of Object.entries(states)) metrics.exceptions.set({ policy: state.name, state: s }, n);
    metrics.policyValid.set({ policy: state.name }, state.valid ? 1 : 0);

    const acceptedAt =
      policy.baselineAcceptedAt === undefined ? undefined : Date.parse(policy.baselineAcceptedAt);
    const drift: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    if (acceptedAt !== undefined) {
      const reports = [
        this.options.liveReports.get(CLUSTER_REPORT_KIND, undefined, state.name),
        ...[...(this.summaries.get(state.name)?.keys() ?? [])].map((ns) =>
          this.options.liveReports.get(REPORT_KIND, ns, state.name),
        ),
      ];
      for (const report of reports) {
        for (const finding of previousFindings(report).values()) {
          const active = finding.waiver === undefined || finding.waiver.expired;
          if (active && Date.parse(finding.firstSeen) > acceptedAt) drift[finding.severity]++;
        }
      }
    }
    for (const [severity, n] of Object.entries(drift))
      metrics.baselineDrift.set({ policy: state.name, severity }, n);
  }

  private async writeStatus(
    state: PolicyState,
    body: ClusterReportBody | undefined,
    namespaces: number,
    now: Date,
  ): Promise<void> {
    const status = state.object['status'];
    const conditions = policyConditions(state, this.evaluatedPolicies.has(state.name), now.toISOString());
    const summary = {
      critical: body?.summary.critical ?? 0,
      high: body?.summary.high ?? 0,
      medium: body?.summary.medium ?? 0,
      low: body?.summary.low ?? 0,
      waived: body?.summary.waived ?? 0,
      namespaces,
    };
    const score = body?.score ?? 0;
    const liveStatus = isRecord(status) ? status : {};
    const unchanged =
      liveStatus['observedGeneration'] === state.generation &&
      liveStatus['score'] === score &&
      canonicalJson(liveStatus['summary']) === canonicalJson(summary) &&
      canonicalJson(liveStatus['conditions']) === canonicalJson(conditions);
    if (unchanged) return;
    await this.options.api.applyPolicyStatus(state, {
      observedGeneration: state.generation,
      conditions,
      summary,
      score,
      lastEvaluationTime: now.toISOString(),
    });
  }
}
