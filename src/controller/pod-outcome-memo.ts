/**
 * Pod-check outcomes kept from one evaluation of a namespace to the next.
 *
 * Pod checks are a third of a namespace's evaluation (1.1 of 3.3 s of a full pass's
 * reconciles at 101,152 objects, measured, besides their garbage), and a periodic full
 * re-evaluation of a cluster at rest runs every one of them again on the same cached pods. Their outcome
 * depends only on the pod, the policy and, of other objects, the kinds in POD_CHECK_READS
 * (its Namespace and ServiceAccount; test/engine/pod-outcomes.test.ts holds every pod
 * check to that). The cache replaces an object on every change and never modifies one
 * (reflector.ts), so an outcome kept for a pod object still holds while that object is
 * cached, the policy is the same compiled policy and no Namespace or ServiceAccount has
 * changed since. Those are cluster-wide revisions, which move rarely: after one, each
 * namespace runs its pod checks once more, as it did before this memo existed.
 *
 * What a namespace keeps is what its last evaluation saw: pods gone from it are dropped
 * then. Equal rows are shared (the replicas of a workload have the same outcomes), so the
 * memo costs a map entry per pod and a row per distinct outcome.
 */
import { podCheckIds } from '../engine/evaluate.js';
import type { Inventory } from '../engine/inventory.js';
import type { KubeObject } from '../engine/objects.js';
import type { PodOutcomes } from '../engine/pod-outcomes.js';
import type { CheckOutcome } from '../engine/types.js';
import type { CompiledPolicy } from '../engine/policy.js';
import { POD_CHECK_READS } from '../engine/check.js';

type Row = readonly CheckOutcome[];

interface ScopeMemo {
  readonly policy: CompiledPolicy;
  /** inventory.revisionOf(POD_CHECK_READS) when the rows were kept. */
  readonly reads: string;
  readonly rows: Map<KubeObject, Row>;
}

/** The outcomes one evaluation may use and keep; `commit()` once it has succeeded. */
export interface PodOutcomeSession extends PodOutcomes {
  commit(): void;
}

/** Distinct rows, so that replicas share one; emptied when full, like the cache's string pool. */
class RowPool {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly maxEntries: number) {}

  share(row: Row): Row {
    let key = '';
    for (const outcome of row) {
      key += outcome.status;
      if (outcome.status !== 'pass') key += `\u0001${outcome.reason}`;
      if (outcome.status === 'fail' || outcome.status === 'error') key += `\u0001${outcome.message}`;
      key += '\u0000';
    }
    const known = this.rows.get(key);
    if (known !== undefined) return known;
    if (this.rows.size >= this.maxEntries) this.rows.clear();
    this.rows.set(key, row);
    return row;
  }
}

export class PodOutcomeMemo {
  private readonly scopes = new Map<string, ScopeMemo>();
  private readonly pool = new RowPool(20_000);
  private readonly checkIds = new WeakMap<CompiledPolicy, readonly string[]>();

  /** Outcomes for one evaluation of `namespace` under the policy named `policyName`. */
  open(
    policyName: string,
    policy: CompiledPolicy,
    namespace: string,
    inventory: Inventory,
  ): PodOutcomeSession {
    const key = scopeKey(policyName, namespace);
    const reads = inventory.revisionOf(POD_CHECK_READS);
    const before = this.scopes.get(key);
    const usable = before !== undefined && before.policy === policy && before.reads === reads;
    const previous = usable ? before.rows : undefined;
    const next = new Map<KubeObject, Row>();
    return {
      checkIds: this.checkIdsOf(policy),
      rowOf: (obj) => {
        const row = previous?.get(obj);
        if (row !== undefined) next.set(obj, row);
        return row;
      },
      remember: (obj, row) => {
        next.set(obj, this.pool.share(row));
      },
      commit: () => {
        this.scopes.set(key, { policy, reads, rows: next });
      },
    };
  }

  /** Drops what a namespace kept (it left the policy's scope or the cluster). */
  forget(policyName: string, namespace: string): void {
    this.scopes.delete(scopeKey(policyName, namespace));
  }

  /** Drops everything kept for a policy. */
  forgetPolicy(policyName: string): void {
    const prefix = scopeKey(policyName, '');
    for (const key of this.scopes.keys()) if (key.startsWith(prefix)) this.scopes.delete(key);
  }

  /** Pods with outcomes kept, for tests and debugging. */
  get size(): number {
    let pods = 0;
    for (const scope of this.scopes.values()) pods += scope.rows.size;
    return pods;
  }

  private checkIdsOf(policy: CompiledPolicy): readonly string[] {
    let ids = this.checkIds.get(policy);
    if (ids === undefined) this.checkIds.set(policy, (ids = podCheckIds(policy)));
    return ids;
  }
}

function scopeKey(policy: string, namespace: string): string {
  return `${policy}\u0000${namespace}`;
}
