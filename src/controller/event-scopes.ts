/**
 * Which scopes an event can change, so the controller re-evaluates only those (SPEC §4):
 * a pod → its namespace (and the cluster scope when it comes or goes); RBAC and ServiceAccounts → their namespace and the cluster scope
 * (effective permissions and escalation paths are relational); a namespace → itself (its
 * labels decide selection and the Pod Security version) and the cluster roll-up; a policy →
 * that policy everywhere. Both the old and the new object are mapped, so an object that
 * moves out of a selector still re-evaluates the scope it left.
 */
import type { ObjectEnvelope } from '../engine/objects.js';
import { namespaceOf } from '../engine/objects.js';

export type ScopeKey = `ns/${string}` | 'cluster' | `policy/${string}`;

export const CLUSTER_KEY: ScopeKey = 'cluster';

export function namespaceKey(namespace: string): ScopeKey {
  return `ns/${namespace}`;
}

export function policyKey(name: string): ScopeKey {
  return `policy/${name}`;
}

export function parseScopeKey(
  key: string,
): { kind: 'namespace'; namespace: string } | { kind: 'cluster' } | { kind: 'policy'; name: string } {
  if (key === CLUSTER_KEY) return { kind: 'cluster' };
  if (key.startsWith('ns/')) return { kind: 'namespace', namespace: key.slice(3) };
  if (key.startsWith('policy/')) return { kind: 'policy', name: key.slice(7) };
  throw new Error(`not a scope key: ${key}`);
}

/** Kinds whose changes can alter cluster-scope (relational) results. */
const RELATIONAL_KINDS: ReadonlySet<string> = new Set([
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ServiceAccount',
  'Namespace',
]);

function scopesOf(kind: string, obj: ObjectEnvelope | undefined, into: Set<ScopeKey>): void {
  if (obj === undefined) return;
  if (kind === 'SecurityPolicy') {
    const name = obj.metadata?.name;
    if (typeof name === 'string') into.add(policyKey(name));
    return;
  }
  if (kind === 'Namespace') {
    const name = obj.metadata?.name;
    if (typeof name === 'string') into.add(namespaceKey(name));
  } else {
    const ns = namespaceOf({ ...obj, kind });
    if (ns !== undefined) into.add(namespaceKey(ns));
  }
  if (RELATIONAL_KINDS.has(kind)) into.add(CLUSTER_KEY);
}

/** The ServiceAccount a pod runs as, as the API defaults it. */
function serviceAccountOf(pod: ObjectEnvelope): string {
  const spec = (pod as { spec?: { serviceAccountName?: unknown; serviceAccount?: unknown } }).spec;
  const named = [spec?.serviceAccountName, spec?.serviceAccount].find((n) => typeof n === 'string' && n !== '');
  return typeof named === 'string' ? named : 'default';
}

export function scopesForEvent(
  kind: string,
  oldObj: ObjectEnvelope | undefined,
  newObj: ObjectEnvelope | undefined,
): ScopeKey[] {
  const keys = new Set<ScopeKey>();
  scopesOf(kind, oldObj, keys);
  scopesOf(kind, newObj, keys);
  // Pods matter to the cluster scope only through which ServiceAccounts run ("privileged
  // ServiceAccount no pod uses"): a pod coming or going. A pod's ServiceAccount is
  // immutable, so the updates that make up nearly all pod churn (status, labels, images)
  // leave the cluster scope alone; at 20 changes a second that is the difference between
  // re-running the relational checks twice a second and not at all.
  if (
    kind === 'Pod' &&
    (oldObj === undefined || newObj === undefined || serviceAccountOf(oldObj) !== serviceAccountOf(newObj))
  ) {
    keys.add(CLUSTER_KEY);
  }
  return [...keys].sort();
}
