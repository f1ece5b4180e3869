/**
 * Builds the CheckContext handed to each check. Derived indexes are cached per inventory
 * and revision, so an RBAC graph is built once per evaluation however many checks read it,
 * and rebuilt only after the inventory changes.
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

interface DerivedCache {
  revision: number;
  values: Map<string, unknown>;
}
const derivedCaches = new WeakMap<Inventory, DerivedCache>();

function derive<T>(inventory: Inventory, key: string, build: (inventory: Inventory) => T): T {
  let cache = derivedCaches.get(inventory);
  if (cache === undefined || cache.revision !== inventory.revision) {
    cache = { revision: inventory.revision, values: new Map() };
    derivedCaches.set(inventory, cache);
  }
  if (cache.values.has(key)) return cache.values.get(key) as T;
  const value = build(inventory);
  cache.values.set(key, value);
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
    derive: (key, build) => derive(inventory, key, build),
  };
}
