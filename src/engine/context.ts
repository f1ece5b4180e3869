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

/** Derived values per inventory, each stamped with the revision it was built at. */
const derivedCaches = new WeakMap<Inventory, Map<string, { revision: string; value: unknown }>>();

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
  const revision = dependsOn === undefined ? `*${inventory.revision}` : inventory.revisionOf(dependsOn);
  const entry = cache.get(key);
  if (entry !== undefined && entry.revision === revision) return entry.value as T;
  const value = build(inventory);
  cache.set(key, { revision, value });
  return value;
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
    podSecurityVersion: (namespace) => podSecurityVersionFor(inventory, namespace, pinnedPodSecurityVersion),
    derive: (key, build, dependsOn) => derive(inventory, key, build, dependsOn),
  };
}
