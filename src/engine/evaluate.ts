/**
 * The engine: an inventory and a compiled policy in, findings out. Pure and deterministic:
 * the clock is an argument, and output order does not depend on input order.
 *
 * Evaluation can be scoped so the controller re-evaluates only what an event can change:
 * one namespace (its objects and namespace-level checks), or the cluster scope
 * (cluster-scoped objects and the relational checks, whose results may land in any
 * namespace). `all` is both, over every namespace, as the scanner runs it.
 */
import type { Check, CheckContext, PodCheck, ScopedResult } from './check.js';
import { createCheckContext } from './context.js';
import type { Inventory } from './inventory.js';
import type { KubeObject } from './objects.js';
import { labelsOf, namespaceOf, refOf } from './objects.js';
import { resourceKey, topLevelOwner } from './owner.js';
import type { PodSubject } from './pod-spec.js';
import { podSubjectOf } from './pod-spec.js';
import type { PodOutcomes, PodOutcomeTable } from './pod-outcomes.js';
import { STATUS } from './pod-outcomes.js';
import type { CompiledPolicy, EnabledCheck } from './policy.js';
import { expiredExceptionDiagnostics, isNamespaceSelected, waiverFor } from './policy.js';
import type { CheckOutcome, Diagnostic, Finding, ResourceRef, Severity } from './types.js';
import { SEVERITY_RANK } from './types.js';

export type EvaluationScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'cluster' };

/** Severity-weighted counts of (check, resource) pairs; additive across scopes. */
export interface Tally {
  evaluated: number;
  failed: number;
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
  /** Keyed by namespace; `''` holds cluster-scoped resources. */
  readonly tallies: Map<string, Tally>;
}

export interface EvaluateOptions {
  readonly now: Date;
  readonly scope?: EvaluationScope;
  /** Where an object was read from (`file#document`), carried onto its findings. */
  readonly sourceOf?: (obj: KubeObject) => string | undefined;
  /** Pod-check outcomes already computed for some objects (see evaluatePodChecks). */
  readonly podOutcomes?: PodOutcomes;
}

// A critical finding must move the score far more than a missing label does.
const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { critical: 10, high: 5, medium: 2, low: 1 };

/** 0–100: the weighted share of evaluated (check, resource) pairs that pass. */
export function scoreOf(tally: Tally | undefined): number {
  if (tally === undefined || tally.evaluated === 0) return 100;
  return Math.max(0, Math.round(100 * (1 - tally.failed / tally.evaluated)));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One (check, resource) pair that failed or erred, possibly standing for many pods. */
interface Group {
  /** The check's index in the policy. */
  readonly index: number;
  readonly enabled: EnabledCheck;
  outcome: CheckOutcome;
  pods: number;
  others: number;
  source: string | undefined;
}

/**
 * What was recorded about one resource, keyed once per resource so the hot loop looks a
 * resource up once per object rather than once per check: the group of each check that
 * failed or erred on it, and the checks that only passed with how many objects passed.
 * Lists searched from the front: most resources have a few entries (a pod at most one per
 * pod check). Passes are three numbers each, not groups: on the 10k bench set they were
 * 100,000 of the groups, whose allocation was the costliest line of a cold evaluation.
 */
interface ResourceRecord {
  readonly resource: ResourceRef;
  readonly groups: Group[];
  /**
   * For each check with no group here, three numbers: its index, then the pods and the other
   * objects that passed it. The index becomes -1 once the check has a group after all.
   */
  readonly passes: number[];
}

function groupOf(groups: readonly Group[], index: number): Group | undefined {
  for (const group of groups) if (group.index === index) return group;
  return undefined;
}

/** Where a check's pass entry is in `passes`, or -1. */
function passAt(passes: readonly number[], index: number): number {
  for (let at = 0; at < passes.length; at += 3) if (passes[at] === index) return at;
  return -1;
}

/**
 * What evaluation derives from the policy alone: made once per policy, not per evaluation,
 * because the controller evaluates each of thousands of namespaces on its own.
 */
interface PolicyPlan {
  readonly indexes: ReadonlyMap<EnabledCheck, number>;
  readonly byScope: Readonly<Record<Check['scope'], readonly EnabledCheck[]>>;
  /**
   * Per check (by index), the enabled checks (by index) that supersede it. A superseding
   * check that recorded an outcome on a resource (skips are never recorded) speaks for the
   * checks it supersedes there.
   */
  readonly supersededBy: readonly (readonly number[])[];
}

const plans = new WeakMap<CompiledPolicy, PolicyPlan>();

function planOf(policy: CompiledPolicy): PolicyPlan {
  let plan = plans.get(policy);
  if (plan === undefined) {
    const byScope: Record<Check['scope'], EnabledCheck[]> = {
      pod: [],
      object: [],
      namespace: [],
      cluster: [],
    };
    for (const enabled of policy.checks) byScope[enabled.check.scope].push(enabled);
    plan = {
      indexes: new Map(policy.checks.map((enabled, index) => [enabled, index])),
      byScope,
      supersededBy: policy.checks.map((enabled) =>
        policy.checks.flatMap((other, index) =>
          other.check.supersedes?.includes(enabled.check.id) === true ? [index] : [],
        ),
      ),
    };
    plans.set(policy, plan);
  }
  return plan;
}

/** An enabled check with its context and its index in the policy, prepared once per evaluation. */
interface Prepared {
  readonly enabled: EnabledCheck;
  readonly index: number;
  readonly ctx: CheckContext;
}

class Run {
  readonly records = new Map<string, ResourceRecord>();
  readonly diagnostics: Diagnostic[] = [];
  /** Passes that need no group (one resource, one record): counted straight into the score. */
  readonly passTallies = new Map<string, Tally>();
  readonly plan: PolicyPlan;
  private readonly contexts = new Map<string, CheckContext>();
  private readonly selection = new Map<string, boolean>();

  constructor(
    readonly inventory: Inventory,
    readonly policy: CompiledPolicy,
    readonly sourceOf: ((obj: KubeObject) => string | undefined) | undefined,
    private readonly podOutcomes?: PodOutcomes,
  ) {
    this.plan = planOf(policy);
  }

  context(enabled: EnabledCheck): CheckContext {
    let ctx = this.contexts.get(enabled.check.id);
    if (ctx === undefined) {
      ctx = createCheckContext({
        inventory: this.inventory,
        params: enabled.params,
        ...(this.policy.pinnedPodSecurityVersion !== undefined
          ? { pinnedPodSecurityVersion: this.policy.pinnedPodSecurityVersion }
          : {}),
      });
      this.contexts.set(enabled.check.id, ctx);
    }
    return ctx;
  }

  prepare(checks: readonly EnabledCheck[]): Prepared[] {
    return checks.map((enabled) => ({ enabled, index: this.indexOf(enabled), ctx: this.context(enabled) }));
  }

  private indexOf(enabled: EnabledCheck): number {
    const index = this.plan.indexes.get(enabled);
    if (index === undefined)
      throw new Error(`check ${enabled.check.id} is not in policy ${this.policy.name}`);
    return index;
  }

  private recordOf(resource: ResourceRef): ResourceRecord {
    const key = resourceKey(resource);
    let record = this.records.get(key);
    if (record === undefined) {
      record = { resource, groups: [], passes: [] };
      this.records.set(key, record);
    }
    return record;
  }

  // The object evaluateObject is recording outcomes for, and what it found out about it so
  // far. Kept on the run, not in closures: the hot loop runs once per object of every
  // evaluation, and a closure per object was most of its allocation.
  private object: KubeObject | undefined;
  private objectIsPod = false;
  private objectTarget: ResourceRecord | undefined;
  private objectSource: string | undefined;
  private objectSourceRead = false;

  /**
   * Runs every applicable pod and object check on one object and records the outcomes.
   * This is the hot loop of a scan (checks × objects), so it allocates nothing for a pass
   * of a check that needs no group, and names the object only when a check throws.
   */
  evaluateObject(obj: KubeObject, podChecks: readonly Prepared[], objectChecks: readonly Prepared[]): void {
    const kind = obj.kind;
    if (typeof kind !== 'string') return;
    this.object = obj;
    this.objectIsPod = kind === 'Pod';
    this.objectTarget = undefined;
    this.objectSource = undefined;
    this.objectSourceRead = false;
    if (podChecks.length > 0) {
      const row = this.podOutcomes?.rowOf(obj);
      if (row !== undefined) {
        for (let column = 0; column < podChecks.length; column++)
          this.recordOne(podChecks[column] as Prepared, row[column] as CheckOutcome);
      } else {
        const pod = podSubjectOf(obj);
        if (pod !== undefined) {
          const kept: CheckOutcome[] | undefined = this.podOutcomes?.remember !== undefined ? [] : undefined;
          for (const prepared of podChecks) {
            const check = prepared.enabled.check;
            const outcome = check.scope === 'pod' ? runPodCheck(check, prepared.ctx, pod) : NOT_RUN;
            kept?.push(outcome);
            this.recordOne(prepared, outcome);
          }
          if (kept !== undefined) this.podOutcomes?.remember?.(obj, kept);
        }
      }
    }
    for (const prepared of objectChecks) {
      const check = prepared.enabled.check;
      if (check.scope !== 'object' || !check.kinds.includes(kind)) continue;
      let outcome: CheckOutcome;
      try {
        outcome = check.evaluate(obj, prepared.ctx);
      } catch (error) {
        outcome = crashed(check, `${kind} ${resourceKey(refOf(obj))}`, error);
      }
      this.recordOne(prepared, outcome);
    }
    this.object = undefined;
    this.objectTarget = undefined;
  }

  /** Records one outcome of a check on the object evaluateObject is at. */
  private recordOne(prepared: Prepared, outcome: CheckOutcome): void {
    if (outcome.status === 'skip') return;
    const obj = this.object as KubeObject;
    const isPod = this.objectIsPod;
    const check = prepared.enabled.check;
    // A pass about one resource (not replicas gathered under an owner) needs no record,
    // unless supersession may yet drop it.
    if (
      outcome.status === 'pass' &&
      !isPod &&
      check.supersedes === undefined &&
      this.plan.supersededBy[prepared.index]?.length === 0
    ) {
      this.countPass(namespaceOf(obj) ?? '', prepared.enabled);
      return;
    }
    // Pods are reported under their top-level owner; everything else under itself.
    this.objectTarget ??= this.recordOf(isPod ? topLevelOwner(obj, this.inventory) : refOf(obj));
    if (!this.objectSourceRead) {
      this.objectSource = this.sourceOf?.(obj);
      this.objectSourceRead = true;
    }
    this.recordIn(
      this.objectTarget,
      prepared.enabled,
      prepared.index,
      outcome,
      isPod ? 'pod' : 'other',
      this.objectSource,
    );
  }

  private countPass(namespace: string, enabled: EnabledCheck): void {
    let tally = this.passTallies.get(namespace);
    if (tally === undefined) this.passTallies.set(namespace, (tally = { evaluated: 0, failed: 0 }));
    tally.evaluated += SEVERITY_WEIGHT[enabled.severity];
  }

  /** Records one outcome about a resource that the caller names (scoped checks, crashes). */
  record(enabled: EnabledCheck, resource: ResourceRef, outcome: CheckOutcome, weight: number): void {
    if (outcome.status === 'skip') return;
    this.recordIn(this.recordOf(resource), enabled, this.indexOf(enabled), outcome, weight, undefined);
  }

  private recordIn(
    target: ResourceRecord,
    enabled: EnabledCheck,
    index: number,
    outcome: CheckOutcome,
    weight: 'pod' | 'other' | number,
    source: string | undefined,
  ): void {
    const pods = weight === 'pod' ? 1 : 0;
    const others = weight === 'pod' ? 0 : weight === 'other' ? 1 : weight;
    let group = groupOf(target.groups, index);
    if (group === undefined) {
      const passes = target.passes;
      const at = passAt(passes, index);
      if (outcome.status === 'pass') {
        if (at < 0) passes.push(index, pods, others);
        else {
          passes[at + 1] = (passes[at + 1] as number) + pods;
          passes[at + 2] = (passes[at + 2] as number) + others;
        }
        return;
      }
      group = { index, enabled, outcome, pods: 0, others: 0, source };
      if (at >= 0) {
        // Objects that passed before one failed still count towards the finding.
        group.pods = passes[at + 1] as number;
        group.others = passes[at + 2] as number;
        passes[at] = -1;
      }
      target.groups.push(group);
    } else if (rank(outcome) > rank(group.outcome)) {
      // One replica failing is enough for the workload to fail; the worst outcome wins.
      group.outcome = outcome;
      if (source !== undefined) group.source = source;
    }
    group.pods += pods;
    group.others += others;
  }

  recordScoped(enabled: EnabledCheck, results: Iterable<ScopedResult>): void {
    for (const result of results) {
      const ns = result.resource.namespace;
      if (ns !== undefined && !this.selected(ns)) continue;
      this.record(enabled, result.resource, result.outcome, result.count ?? 1);
    }
  }

  /** Whether the policy applies in a namespace; asked for every result of a scoped check. */
  selected(namespace: string): boolean {
    let selected = this.selection.get(namespace);
    if (selected === undefined) {
      const nsObject = this.inventory.get('Namespace', undefined, namespace);
      selected = isNamespaceSelected(
        this.policy,
        namespace,
        nsObject === undefined ? undefined : labelsOf(nsObject),
      );
      this.selection.set(namespace, selected);
    }
    return selected;
  }
}

/** Whether any of these checks (by index) recorded an outcome on the resource. */
function anyRecorded(record: ResourceRecord, checks: readonly number[] | undefined): boolean {
  for (const index of checks ?? [])
    if (groupOf(record.groups, index) !== undefined || passAt(record.passes, index) >= 0) return true;
  return false;
}

function rank(outcome: CheckOutcome): number {
  return outcome.status === 'fail' ? 3 : outcome.status === 'error' ? 2 : outcome.status === 'pass' ? 1 : 0;
}

// Only pod checks are handed to the pod loop; this keeps a row's columns aligned if not.
const NOT_RUN: CheckOutcome = Object.freeze({ status: 'skip', reason: 'NotAPodCheck' });

/** Runs one pod check on a pod spec; a check that throws gives an `error` outcome. */
function runPodCheck(check: PodCheck, ctx: CheckContext, pod: PodSubject): CheckOutcome {
  try {
    return check.evaluate(pod, ctx);
  } catch (error) {
    return crashed(check, `${pod.holder.kind} ${resourceKey(refOf(pod.holder))}`, error);
  }
}

/** The ids of a policy's pod checks, in the order evaluation runs them. */
export function podCheckIds(policy: CompiledPolicy): string[] {
  return policy.checks.filter((enabled) => enabled.check.scope === 'pod').map((enabled) => enabled.check.id);
}

/**
 * The outcomes of the policy's pod checks on each object, for `evaluate`'s `podOutcomes`.
 * The inventory must hold, besides the objects, what pod checks read of others
 * (POD_CHECK_READS); the outcomes are then the ones evaluation itself would find.
 */
export function evaluatePodChecks(
  objects: readonly KubeObject[],
  inventory: Inventory,
  policy: CompiledPolicy,
): PodOutcomeTable {
  const run = new Run(inventory, policy, undefined);
  const checks = run.prepare(run.plan.byScope.pod);
  const width = checks.length;
  const statuses = new Uint8Array(objects.length * width);
  const details: string[] = [];
  objects.forEach((obj, row) => {
    const pod = podSubjectOf(obj);
    if (pod === undefined) return;
    checks.forEach((prepared, column) => {
      const check = prepared.enabled.check;
      if (check.scope !== 'pod') return;
      const outcome = runPodCheck(check, prepared.ctx, pod);
      statuses[row * width + column] = STATUS[outcome.status];
      if (outcome.status === 'fail' || outcome.status === 'error')
        details.push(outcome.reason, outcome.message);
    });
  });
  return { checkIds: checks.map((prepared) => prepared.enabled.check.id), statuses, details };
}

function evaluateNamespace(
  run: Run,
  namespace: string,
  byScope: PolicyPlan['byScope'],
  prepared: { pod: Prepared[]; object: Prepared[] },
): void {
  for (const obj of run.inventory.objectsIn(namespace))
    run.evaluateObject(obj, prepared.pod, prepared.object);
  for (const enabled of byScope.namespace) {
    const check = enabled.check;
    if (check.scope !== 'namespace') continue;
    try {
      run.recordScoped(enabled, check.evaluate(namespace, run.context(enabled)));
    } catch (error) {
      run.record(
        enabled,
        { apiVersion: 'v1', kind: 'Namespace', name: namespace },
        crashed(check, `namespace ${namespace}`, error),
        1,
      );
    }
  }
}

function crashed(check: Check, what: string, error: unknown): CheckOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 'error',
    reason: 'CheckFailed',
    message: `check ${check.id} failed on ${what}: ${message}`,
  };
}

export function evaluate(inventory: Inventory, policy: CompiledPolicy, options: EvaluateOptions): Evaluation {
  const scope = options.scope ?? { kind: 'all' };
  const run = new Run(inventory, policy, options.sourceOf, options.podOutcomes);
  const byScope = run.plan.byScope;
  if (options.podOutcomes !== undefined) {
    const expected = byScope.pod.map((enabled) => enabled.check.id);
    if (options.podOutcomes.checkIds.join('\n') !== expected.join('\n')) {
      throw new Error(
        'evaluate: the pod outcomes given were computed for other pod checks than this policy has',
      );
    }
  }
  const prepared = { pod: run.prepare(byScope.pod), object: run.prepare(byScope.object) };

  if (scope.kind === 'namespace') {
    if (run.selected(scope.namespace)) evaluateNamespace(run, scope.namespace, byScope, prepared);
  } else {
    if (scope.kind === 'all') {
      for (const namespace of inventory.namespaces()) {
        if (run.selected(namespace)) evaluateNamespace(run, namespace, byScope, prepared);
      }
    }
    // Cluster-scoped objects, and namespaced manifests that leave the namespace to `kubectl -n`.
    for (const obj of inventory.unnamespacedObjects()) run.evaluateObject(obj, prepared.pod, prepared.object);
    for (const enabled of byScope.cluster) {
      const check = enabled.check;
      if (check.scope !== 'cluster') continue;
      try {
        run.recordScoped(enabled, check.evaluate(run.context(enabled)));
      } catch (error) {
        const outcome = crashed(check, 'the cluster', error);
        run.diagnostics.push({
          severity: 'error',
          path: check.id,
          message: outcome.status === 'error' ? outcome.message : '',
        });
      }
    }
  }

  const findings: Finding[] = [];
  const tallies = new Map<string, Tally>(run.passTallies);
  const { supersededBy } = run.plan;
  for (const record of run.records.values()) {
    const { resource, groups, passes } = record;
    const ns = resource.namespace ?? '';
    let tally = tallies.get(ns);
    if (tally === undefined) {
      tally = { evaluated: 0, failed: 0 };
      tallies.set(ns, tally);
    }
    // One problem, one finding: an applicable superseding check on this resource speaks for it.
    for (let at = 0; at < passes.length; at += 3) {
      const index = passes[at] as number;
      if (index < 0 || anyRecorded(record, supersededBy[index])) continue;
      // Passes count towards the score.
      tally.evaluated += SEVERITY_WEIGHT[(policy.checks[index] as EnabledCheck).severity];
    }
    for (const group of groups) {
      const { enabled, outcome } = group;
      const check = enabled.check;
      if (anyRecorded(record, supersededBy[group.index])) continue;
      if (outcome.status === 'pass' || outcome.status === 'skip') continue;
      const waiver = waiverFor(policy, check.id, resource, options.now);
      if (outcome.status === 'fail') {
        tally.evaluated += SEVERITY_WEIGHT[enabled.severity];
        if (waiver === undefined || waiver.expired) tally.failed += SEVERITY_WEIGHT[enabled.severity];
      }
      const finding: Mutable<Finding> = {
        checkId: check.id,
        title: check.title,
        severity: enabled.severity,
        category: check.category,
        frameworks: check.frameworks,
        resource,
        status: outcome.status,
        reason: outcome.reason,
        message: outcome.message,
        remediation: check.remediation,
        // Replicas count as the pods they are; a template alone stands for one workload.
        count: group.pods > 0 ? group.pods : Math.max(1, group.others),
      };
      // Added, not spread in: spreading a conditional object costs a runtime call per finding.
      if (group.source !== undefined) finding.source = group.source;
      if (waiver !== undefined) finding.waiver = waiver;
      findings.push(finding);
    }
  }
  findings.sort(compareFindings);
  return {
    findings,
    diagnostics: [...expiredExceptionDiagnostics(policy, options.now), ...run.diagnostics],
    tallies,
  };
}

/**
 * Findings by namespace, severity (worst first), check, kind and name: a total order, since
 * a resource has one finding per check. Strings compare by code unit, not localeCompare:
 * the order must not depend on the machine's locale, and on tens of thousands of findings
 * collation is a measurable part of a scan.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    byCodeUnit(a.resource.namespace ?? '', b.resource.namespace ?? '') ||
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    byCodeUnit(a.checkId, b.checkId) ||
    byCodeUnit(a.resource.kind, b.resource.kind) ||
    byCodeUnit(a.resource.name, b.resource.name)
  );
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
