/**
 * The scan's pod checks, split over the threads that read the manifests: each reading
 * worker (kept on by LoadOptions.continueIn with pod-check-worker.ts) runs them on the
 * objects it read, while this thread runs them on its own, so the parsed objects never
 * travel back for it. The outcome tables are joined into the PodOutcomes that `evaluate`
 * records. A worker that declines or fails leaves its objects to `evaluate` itself.
 */
import { POD_CHECK_READS } from '../../engine/check.js';
import { evaluatePodChecks, podCheckIds } from '../../engine/evaluate.js';
import type { Inventory } from '../../engine/inventory.js';
import type { KubeObject } from '../../engine/objects.js';
import type { PodOutcomes, PodOutcomeTable } from '../../engine/pod-outcomes.js';
import { podOutcomesFrom } from '../../engine/pod-outcomes.js';
import type { CompiledPolicy } from '../../engine/policy.js';
import type { LoadResult } from '../../manifests/load.js';

/** The continuation module reading workers load for the scan. */
export const POD_CHECK_WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './pod-check-worker.ts' : './pod-check-worker.js',
  import.meta.url,
);

export interface PodCheckRequest {
  readonly type: 'pod-checks';
  /** The SecurityPolicy document; absent for the default policy (every check). */
  readonly policy?: Readonly<Record<string, unknown>>;
  /** The pod checks this thread's policy has, in order: the worker's must be the same. */
  readonly checkIds: readonly string[];
  /** The scan's objects of the kinds pod checks read beside the pod. */
  readonly context: readonly KubeObject[];
}

export type PodCheckReply =
  | { readonly type: 'pod-outcomes'; readonly table: PodOutcomeTable }
  | { readonly type: 'declined'; readonly reason: string };

function isOutcomes(reply: unknown): reply is Extract<PodCheckReply, { type: 'pod-outcomes' }> {
  return typeof reply === 'object' && reply !== null && (reply as { type?: unknown }).type === 'pod-outcomes';
}

/**
 * Runs the pod checks on every object of the inventory, here and in the loader's helpers,
 * and closes the helpers. Undefined when no helper was kept (a small or piped input).
 */
export async function runPodChecksOnReadingThreads(
  loaded: LoadResult,
  inventory: Inventory,
  policy: CompiledPolicy,
  policyDocument: Readonly<Record<string, unknown>> | undefined,
): Promise<PodOutcomes | undefined> {
  const helpers = loaded.helpers;
  if (helpers.length === 0) return undefined;
  try {
    const checkIds = podCheckIds(policy);
    const context = POD_CHECK_READS.flatMap((kind) => inventory.list(kind));
    const request: PodCheckRequest = {
      type: 'pod-checks',
      ...(policyDocument !== undefined ? { policy: policyDocument } : {}),
      checkIds,
      context,
    };
    const replies = helpers.map((helper) => helper.ask(request).catch(() => undefined));
    const elsewhere = new Set<KubeObject>(helpers.flatMap((helper) => helper.objects));
    const here = loaded.objects.map((entry) => entry.object).filter((obj) => !elsewhere.has(obj));
    const parts: { objects: readonly KubeObject[]; table: PodOutcomeTable }[] = [
      { objects: here, table: evaluatePodChecks(here, inventory, policy) },
    ];
    for (const [i, reply] of (await Promise.all(replies)).entries()) {
      const helper = helpers[i];
      if (helper !== undefined && isOutcomes(reply))
        parts.push({ objects: helper.objects, table: reply.table });
    }
    return podOutcomesFrom(checkIds, parts);
  } finally {
    for (const helper of helpers) helper.close();
  }
}
