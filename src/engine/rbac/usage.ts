/**
 * Which ServiceAccounts pods run as: every Pod and every pod template (Deployment,
 * CronJob, ...) names one, `default` when it names none. Kept apart from the RBAC graph and
 * derived from the pod kinds only, because pods change far more often than RBAC does.
 */
import type { CheckContext } from '../check.js';
import type { Inventory } from '../inventory.js';
import { namespaceOf } from '../objects.js';
import { POD_KINDS, podSubjectOf } from '../pod-spec.js';

/** `namespace/name` of every ServiceAccount some pod or pod template runs as. */
export function serviceAccountUsage(inventory: Inventory): ReadonlySet<string> {
  const used = new Set<string>();
  for (const kind of POD_KINDS) {
    for (const holder of inventory.list(kind)) {
      const pod = podSubjectOf(holder);
      if (pod === undefined) continue;
      // serviceAccount is the deprecated spelling the API still honours when the other is unset.
      const spec = pod.spec as { serviceAccountName?: unknown; serviceAccount?: unknown };
      const named = [spec.serviceAccountName, spec.serviceAccount].find((n) => typeof n === 'string' && n !== '');
      used.add(`${namespaceOf(holder) ?? ''}/${typeof named === 'string' ? named : 'default'}`);
    }
  }
  return used;
}

export function serviceAccountUsageOf(ctx: CheckContext): ReadonlySet<string> {
  return ctx.derive('sa-usage', serviceAccountUsage, POD_KINDS);
}
