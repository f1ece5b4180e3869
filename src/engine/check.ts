/**
 * What a check is: one literal metadata object and one pure function. Checks come in four
 * scopes, by what they need to see:
 *  - `pod`: one pod spec (a Pod or any workload's template); findings are grouped by the
 *    pod's top-level owner, so 50 replicas give one finding;
 *  - `object`: one object of the listed kinds (a Role, a NetworkPolicy, ...);
 *  - `namespace`: one namespace and what it holds (e.g. "has no NetworkPolicy");
 *  - `cluster`: relations across the whole inventory (RBAC paths, unused ServiceAccounts).
 * The controller re-evaluates a namespace or the cluster scope on its own, so a check must
 * read only what its scope implies. A pod check reads, of other objects, only the kinds in
 * POD_CHECK_READS: the scanner runs pod checks on other threads with just those at hand.
 */
import type { Inventory } from './inventory.js';
import type { KubeObject } from './objects.js';
import type { PodSubject } from './pod-spec.js';
import type { CheckOutcome, Category, FrameworkRef, Profile, ResourceRef, Severity } from './types.js';

/** The schema of one check parameter; policies are validated against it. */
export type ParamSpec =
  | {
      readonly type: 'string';
      readonly description: string;
      readonly default?: string;
      readonly enum?: readonly string[];
    }
  | { readonly type: 'string[]'; readonly description: string; readonly default?: readonly string[] }
  | {
      readonly type: 'number';
      readonly description: string;
      readonly default?: number;
      readonly minimum?: number;
      readonly maximum?: number;
    }
  | { readonly type: 'boolean'; readonly description: string; readonly default?: boolean };

export type ParamValue = string | number | boolean | readonly string[];
export type Params = Readonly<Record<string, ParamValue | undefined>>;

export interface CheckMeta {
  /** Stable, written out in full: users' policies and ignore lists name it. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly category: Category;
  /** Profiles that turn this check on. Empty means opt-in: only a policy's `checks:` entry enables it. */
  readonly profiles: readonly Profile[];
  /** Kinds this check reads. */
  readonly kinds: readonly string[];
  readonly frameworks: readonly FrameworkRef[];
  readonly remediation: string;
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /**
   * Checks this one replaces on the same resource when both apply, so that one problem gives
   * one finding (pod-security-admission's OverrideCheckIDs): a superseded finding is dropped
   * whenever this check did not `skip` the resource.
   */
  readonly supersedes?: readonly string[];
}

/** Everything a check may read besides its subject. */
export interface CheckContext {
  readonly inventory: Inventory;
  readonly params: Params;
  /** The Pod Security Standards version in force for a namespace: `latest` or `v1.N`. */
  podSecurityVersion(namespace: string | undefined): string;
  /**
   * A value derived from the whole inventory (an RBAC graph, a NetworkPolicy index), built
   * once and shared by every check that asks with the same key. It is rebuilt after any
   * change to the inventory, or, when `dependsOn` lists kind keys, only after a change to an
   * object of those kinds — which lets the controller keep an RBAC graph across pod events.
   */
  derive<T>(key: string, build: (inventory: Inventory) => T, dependsOn?: readonly string[]): T;
}

/** One result of a namespace- or cluster-scoped check. */
export interface ScopedResult {
  readonly resource: ResourceRef;
  readonly outcome: CheckOutcome;
  /** Objects this result stands for; 1 when omitted. */
  readonly count?: number;
}

/**
 * What pod checks may read of objects other than the pod: its namespace (the Pod Security
 * version label) and its ServiceAccount. test/engine/pod-outcomes.test.ts holds every pod
 * check to it.
 */
export const POD_CHECK_READS: readonly string[] = ['Namespace', 'ServiceAccount'];

export interface PodCheck extends CheckMeta {
  readonly scope: 'pod';
  evaluate(pod: PodSubject, ctx: CheckContext): CheckOutcome;
}

export interface ObjectCheck extends CheckMeta {
  readonly scope: 'object';
  evaluate(object: KubeObject, ctx: CheckContext): CheckOutcome;
}

export interface NamespaceCheck extends CheckMeta {
  readonly scope: 'namespace';
  evaluate(namespace: string, ctx: CheckContext): Iterable<ScopedResult>;
}

export interface ClusterCheck extends CheckMeta {
  readonly scope: 'cluster';
  evaluate(ctx: CheckContext): Iterable<ScopedResult>;
}

export type Check = PodCheck | ObjectCheck | NamespaceCheck | ClusterCheck;

/** Reads a parameter with its declared default; the policy compiler has already validated the type. */
export function param<T extends ParamValue>(ctx: CheckContext, check: CheckMeta, name: string): T {
  const value = ctx.params[name];
  if (value !== undefined) return value as T;
  const spec = check.params?.[name];
  if (spec?.default === undefined)
    throw new Error(`check ${check.id} has no parameter "${name}" with a default`);
  return spec.default as T;
}
