/**
 * An indexed, in-memory view of cluster objects: what the checks read. The scanner fills
 * it from manifests; the controller keeps one up to date from its watches, adding and
 * removing objects as events arrive. Lookups by kind, namespace and name are O(1) so a
 * check can follow references without scanning.
 */
import type { KnownKind, KnownKinds, KubeObject, ObjectEnvelope } from './objects.js';
import { kindKeyOf, nameOf, namespaceOf } from './objects.js';

const NO_NAMESPACE = '';

/**
 * A pseudo-kind for `revisionOf`: its counter moves when the answer of `namespaces()` can
 * change (a namespace gets its first object of some kind, or loses its last), not on every
 * change inside a namespace. Indexes over namespaces depend on it and on `Namespace`, and
 * so survive a flood of pod updates.
 */
export const NAMESPACE_SET = '#namespace-set';

/** What `namespaces()` is computed from: the `dependsOn` of an index built over namespaces. */
export const NAMESPACE_LIST_KINDS: readonly string[] = ['Namespace', NAMESPACE_SET];

export class Inventory {
  /** kind key → namespace ('' for cluster scope) → name → object */
  private readonly byKind = new Map<string, Map<string, Map<string, KubeObject>>>();
  private changes = 0;
  private readonly kindChanges = new Map<string, number>();
  private namespaceList: { readonly token: string; readonly names: readonly string[] } | undefined;

  constructor(objects: Iterable<ObjectEnvelope> = []) {
    for (const obj of objects) this.upsert(obj);
  }

  /** Incremented on every change; derived indexes built from this inventory key on it. */
  get revision(): number {
    return this.changes;
  }

  /**
   * A token that changes whenever an object of one of these kinds changes, so an index
   * built from RBAC objects survives a flood of pod updates.
   */
  revisionOf(kinds: readonly string[]): string {
    return kinds.map((kind) => this.kindChanges.get(kind) ?? 0).join('.');
  }

  private touched(kind: string): void {
    this.changes++;
    this.bump(kind);
  }

  private bump(kind: string): void {
    this.kindChanges.set(kind, (this.kindChanges.get(kind) ?? 0) + 1);
  }

  /** Adds or replaces an object (by kind, namespace and name). Objects without a kind or name are ignored. */
  upsert(obj: ObjectEnvelope): void {
    const kind = kindKeyOf(obj);
    const name = nameOf(obj);
    if (kind === '' || name === '') return;
    let namespaces = this.byKind.get(kind);
    if (namespaces === undefined) {
      namespaces = new Map();
      this.byKind.set(kind, namespaces);
    }
    const ns = namespaceOf(obj) ?? NO_NAMESPACE;
    let names = namespaces.get(ns);
    if (names === undefined) {
      names = new Map();
      namespaces.set(ns, names);
      this.bump(NAMESPACE_SET);
    }
    names.set(name, obj as KubeObject);
    this.touched(kind);
  }

  /** Removes an object; returns whether it was there. */
  delete(kind: string, namespace: string | undefined, name: string): boolean {
    const namespaces = this.byKind.get(kind);
    const names = namespaces?.get(namespace ?? NO_NAMESPACE);
    if (names === undefined || !names.delete(name)) return false;
    if (names.size === 0) {
      namespaces?.delete(namespace ?? NO_NAMESPACE);
      this.bump(NAMESPACE_SET);
    }
    this.touched(kind);
    return true;
  }

  get<K extends KnownKind>(kind: K, namespace: string | undefined, name: string): KnownKinds[K] | undefined;
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKind
      .get(kind)
      ?.get(namespace ?? NO_NAMESPACE)
      ?.get(name);
  }

  /** All objects of a kind, or only those in one namespace when `namespace` is given. */
  list<K extends KnownKind>(kind: K, namespace?: string): KnownKinds[K][];
  list(kind: string, namespace?: string): KubeObject[];
  list(kind: string, namespace?: string): KubeObject[] {
    const namespaces = this.byKind.get(kind);
    if (namespaces === undefined) return [];
    if (namespace !== undefined) return [...(namespaces.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const names of namespaces.values()) for (const obj of names.values()) out.push(obj);
    return out;
  }

  count(kind: string): number {
    let n = 0;
    for (const names of this.byKind.get(kind)?.values() ?? []) n += names.size;
    return n;
  }

  /** Kind keys present, sorted for deterministic iteration. */
  kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  /**
   * Every namespace known: those with a Namespace object and those that namespaced objects
   * name, so a manifest set without Namespace objects still has its namespaces evaluated.
   */
  namespaces(): readonly string[] {
    // Asked once per evaluation; kept until the set can have changed (see NAMESPACE_SET).
    const token = this.revisionOf(NAMESPACE_LIST_KINDS);
    if (this.namespaceList?.token === token) return this.namespaceList.names;
    const names = new Set<string>();
    for (const ns of this.byKind.get('Namespace')?.get(NO_NAMESPACE)?.keys() ?? []) names.add(ns);
    for (const namespaces of this.byKind.values()) {
      for (const ns of namespaces.keys()) if (ns !== NO_NAMESPACE) names.add(ns);
    }
    this.namespaceList = { token, names: [...names].sort() };
    return this.namespaceList.names;
  }

  /** Namespaced objects of every kind in one namespace. */
  *objectsIn(namespace: string): Iterable<KubeObject> {
    for (const kind of this.kinds()) {
      const names = this.byKind.get(kind)?.get(namespace);
      if (names !== undefined) yield* names.values();
    }
  }

  /** Cluster-scoped objects, and namespaced kinds whose manifests left the namespace unset. */
  *unnamespacedObjects(): Iterable<KubeObject> {
    yield* this.objectsIn(NO_NAMESPACE);
  }

  *all(): Iterable<KubeObject> {
    for (const kind of this.kinds()) {
      for (const names of this.byKind.get(kind)?.values() ?? []) yield* names.values();
    }
  }

  get size(): number {
    let n = 0;
    for (const kind of this.byKind.keys()) n += this.count(kind);
    return n;
  }
}
