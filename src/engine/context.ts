/**
 * Builds the CheckContext handed to each check. Derived indexes are cached per inventory
 * and revision, so an RBAC graph is built once per evaluation however many checks read it,
 * and rebuilt only after an object of a kind it depends on changes.
 */
import type { CheckContext, Params } from './check.js';
import type { Inventory } from './inventory.js';
import { labelsOf } from './objects.js';

export const LATEST = 'latest';
const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
const VERSION_PATTERN = /^(latest|v1\.(0|[1-9][0-9]*))$/;

export function isPodSecurityVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION_PATTERN.test(value);
}

interface Derived {
  /** The revision token of the kinds it depends on when it was built. */
  readonly revision: string;
  readonly value: unknown;
  /** The inventory's overall revision when the token was last found current. */
  checkedAt: number;
}

/** Derived values per inventory, each stamped with the revision it was built at. */
const derivedCaches = new WeakMap<Inventory, Map<string, Derived>>();

function derive<T>(
  inventory: Inventory,
  key: string,
  build: (inventory: Inventory) => T,
  dependsOn?: readonly string[],
): T {
  let cache = derivedCaches.get(inventory);
  if (cache === undefined) {
    cache = new Map();
    derivedCaches.set(inventory, cache);
  }
  const entry = cache.get(key);
  // Checks ask for the same index once per object; while nothing at all has changed, the
  // per-kind token (a string built from the kinds' counters) need not be built again.
  if (entry !== undefined && entry.checkedAt === inventory.revision) return entry.value as T;
  const revision = dependsOn === undefined ? `*${inventory.revision}` : inventory.revisionOf(dependsOn);
  if (entry !== undefined && entry.revision === revision) {
    entry.checkedAt = inventory.revision;
    return entry.value as T;
  }
  const value = build(inventory);
  cache.set(key, { revision, value, checkedAt: inventory.revision });
  return value;
}

/** Each namespace's valid `enforce-version` label, for the pss checks' once-per-pod question. */
function enforceVersions(inventory: Inventory): ReadonlyMap<string, string> {
  const versions = new Map<string, string>();
  for (const namespace of inventory.list('Namespace')) {
    const label = labelsOf(namespace)[ENFORCE_VERSION_LABEL];
    const name = namespace.metadata?.name;
    if (typeof name === 'string' && isPodSecurityVersion(label)) versions.set(name, label);
  }
  return versions;
}

export interface ContextOptions {
  readonly inventory: Inventory;
  readonly params?: Params;
  /** A version the policy pins; wins over the namespace's own label. */
  readonly pinnedPodSecurityVersion?: string;
}

/**
 * The Pod Security version for a namespace: the policy's pin, else the namespace's
 * `enforce-version` label (when valid), else `latest` — the order SPEC §3 gives.
 */
export function podSecurityVersionFor(
  inventory: Inventory,
  namespace: string | undefined,
  pinned?: string,
): string {
  if (pinned !== undefined) return pinned;
  if (namespace !== undefined) {
    const label = labelsOf(inventory.get('Namespace', undefined, namespace))[ENFORCE_VERSION_LABEL];
    if (isPodSecurityVersion(label)) return label;
  }
  return LATEST;
}

export function createCheckContext(options: ContextOptions): CheckContext {
  const { inventory, params = {}, pinnedPodSecurityVersion } = options;
  return {
    inventory,
    params,
    podSecurityVersion: (namespace) =>
      pinnedPodSecurityVersion ??
      (namespace === undefined
        ? LATEST
        : (derive(inventory, 'pod-security-enforce-versions', enforceVersions, ['Namespace']).get(
            namespace,
          ) ?? LATEST)),
    derive: (key, build, dependsOn) => derive(inventory, key, build, dependsOn),
  };
}
