/**
 * The RBAC graph: every Role, ClusterRole, RoleBinding and ClusterRoleBinding of an
 * inventory, resolved and indexed once so that the authorizer, the effective-permission
 * views, the escalation analysis and every `rbac.*` check share it (through
 * `ctx.derive('rbac-graph', ...)`, rebuilt only when an object of a kind it reads changes).
 *
 * Resolution follows the API server:
 *  - a RoleBinding's `Role` is looked up in the binding's namespace, a `ClusterRole` by
 *    name; a ClusterRoleBinding can only use a ClusterRole; anything else, or a role that is
 *    not there, is a dangling reference and grants nothing;
 *  - a ClusterRole with an `aggregationRule` whose own `rules` are empty takes the rules of
 *    every other ClusterRole its selectors match, as the controller-manager's aggregation
 *    controller writes them on a live cluster (selectors in order, matching roles by name,
 *    duplicates dropped), to a fixed point so aggregated roles may aggregate others. A role
 *    that carries rules keeps them: on a live cluster those are the controller's output;
 *  - subjects are matched by user name and groups, a ServiceAccount subject by its user name
 *    (see subjects.ts); each binding is indexed under the keys that can match it, so a
 *    question touches only the bindings that name the asker.
 *
 * Pods are deliberately not part of the graph: which pods use which ServiceAccount changes
 * far more often than RBAC, so that lives in its own derived index (`serviceAccountUsage`).
 */
import type { CheckContext } from '../check.js';
import type { Inventory } from '../inventory.js';
import { matchesSelector } from '../label-selector.js';
import type { KubeObject } from '../objects.js';
import { annotationsOf, asArray, isRecord, labelsOf, nameOf, namespaceOf } from '../objects.js';
import type { PolicyRule } from './rules.js';
import { ruleKey, rulesOf } from './rules.js';
import type { Subject } from './subjects.js';
import { ALL_SERVICE_ACCOUNTS, compareSubjects, compareText, matchKey, parseSubject, subjectKey } from './subjects.js';

export type RoleKind = 'Role' | 'ClusterRole';
export type BindingKind = 'RoleBinding' | 'ClusterRoleBinding';

export interface RoleRef {
  readonly kind: RoleKind;
  /** Set for Roles only. */
  readonly namespace?: string;
  readonly name: string;
}

export interface BindingRef {
  readonly kind: BindingKind;
  /** Set for RoleBindings only. */
  readonly namespace?: string;
  readonly name: string;
}

export interface RoleNode {
  readonly ref: RoleRef;
  readonly object: KubeObject;
  /** The rules in force: the object's own, or those aggregated into it. */
  readonly rules: readonly PolicyRule[];
  /** For aggregated rules, the ClusterRole each one came from (index for index with `rules`). */
  readonly origins: readonly string[] | undefined;
  /** The object's `rules` field is present but not a list. */
  readonly malformed: boolean;
}

export interface BoundSubject {
  readonly subject: Subject;
  /** Position in the binding's `subjects`, for messages. */
  readonly index: number;
}

export interface BindingNode {
  readonly ref: BindingRef;
  readonly object: KubeObject;
  /** As written; `kind` and `name` are '' when missing or mistyped. */
  readonly roleRef: { readonly kind: string; readonly name: string; readonly apiGroup: string };
  /** The role it grants, or undefined when the reference dangles or is invalid. */
  readonly role: RoleNode | undefined;
  /** Why `role` is undefined. */
  readonly roleProblem: string | undefined;
  /** Subjects that can match a request. */
  readonly subjects: readonly BoundSubject[];
  /** Subjects that match no one, with the reason: `subjects[2] has no name`. */
  readonly subjectProblems: readonly string[];
}

export interface RbacGraph {
  readonly roles: ReadonlyMap<string, RoleNode>;
  readonly bindings: readonly BindingNode[];
  /** Bindings by `bindingKeyOf`. */
  readonly bindingsByRef: ReadonlyMap<string, BindingNode>;
  /** Bindings by the role key (`roleKeyOf`) they reference, dangling ones included. */
  readonly bindingsByRole: ReadonlyMap<string, readonly BindingNode[]>;
  /** ClusterRoleBindings by match key (`u:<user>`, `g:<group>`). */
  readonly clusterBindingsByKey: ReadonlyMap<string, readonly BindingNode[]>;
  /** RoleBindings by `<namespace>\0<match key>`. */
  readonly roleBindingsByKey: ReadonlyMap<string, readonly BindingNode[]>;
  /** RoleBindings of every namespace by match key. */
  readonly allRoleBindingsByKey: ReadonlyMap<string, readonly BindingNode[]>;
  readonly clusterBindings: readonly BindingNode[];
  readonly roleBindingsByNamespace: ReadonlyMap<string, readonly BindingNode[]>;
  /** ServiceAccount objects by namespace and name. */
  readonly serviceAccounts: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;
  /** Secrets known to hold a ServiceAccount's token: namespace → secret name → account name. */
  readonly tokenSecrets: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Every namespace the RBAC objects and ServiceAccounts mention, sorted. */
  readonly namespaces: readonly string[];
  /** Every subject named by a binding, plus every ServiceAccount object, sorted. */
  readonly subjects: readonly Subject[];
}

/** The kinds the graph reads; the derived graph is rebuilt only when one of them changes. */
export const RBAC_GRAPH_KINDS: readonly string[] = [
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ServiceAccount',
  'Secret',
  'Namespace',
];

export function roleKeyOf(ref: { readonly kind: string; readonly namespace?: string | undefined; readonly name: string }): string {
  return ref.kind === 'Role' ? `Role:${ref.namespace ?? ''}/${ref.name}` : `${ref.kind}:${ref.name}`;
}

export function bindingKeyOf(ref: BindingRef): string {
  return ref.namespace === undefined ? `${ref.kind}:${ref.name}` : `${ref.kind}:${ref.namespace}/${ref.name}`;
}

/** `ClusterRole admin`, `Role shop/deployer`, `RoleBinding shop/web`. */
export function describeRef(ref: RoleRef | BindingRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** The shared graph of a check's inventory. */
export function rbacGraphOf(ctx: CheckContext): RbacGraph {
  return ctx.derive('rbac-graph', buildRbacGraph, RBAC_GRAPH_KINDS);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Objects of a kind as untyped objects: the graph reads every field defensively. */
function listOf(inventory: Inventory, kind: string): KubeObject[] {
  return inventory.list(kind);
}

function byName(a: KubeObject, b: KubeObject): number {
  return compareText(namespaceOf(a) ?? '', namespaceOf(b) ?? '') || compareText(nameOf(a), nameOf(b));
}

function roleNode(kind: RoleKind, object: KubeObject): RoleNode {
  const namespace = kind === 'Role' ? (namespaceOf(object) ?? '') : undefined;
  const raw = object['rules'];
  return {
    ref: namespace === undefined ? { kind, name: nameOf(object) } : { kind, namespace, name: nameOf(object) },
    object,
    rules: rulesOf(raw),
    origins: undefined,
    malformed: raw !== undefined && raw !== null && !Array.isArray(raw),
  };
}

/** The role node for one object, built on its own (no aggregation): for objects outside a graph. */
export function standaloneRoleNode(object: KubeObject): RoleNode | undefined {
  return object.kind === 'Role' || object.kind === 'ClusterRole' ? roleNode(object.kind, object) : undefined;
}

function aggregationSelectors(object: KubeObject): unknown[] | undefined {
  const rule = object['aggregationRule'];
  if (!isRecord(rule)) return undefined;
  const selectors = asArray<unknown>(rule['clusterRoleSelectors']);
  return selectors.length > 0 ? [...selectors] : undefined;
}

/**
 * Whether labels can satisfy a selector's matchLabels: a cheap test that rules out most
 * ClusterRoles before the full (validating) `matchesSelector` runs.
 */
function mayMatch(selector: Record<string, unknown>, labels: Readonly<Record<string, string>>): boolean {
  const wanted = selector['matchLabels'];
  if (!isRecord(wanted)) return true;
  for (const key in wanted) if (labels[key] !== wanted[key]) return false;
  return true;
}

/**
 * Fills in aggregated ClusterRoles. Each round recomputes every aggregating role from the
 * current rules of the others, as the controller does on each change, until nothing moves;
 * the round limit only guards against a bug, since rule sets only grow. Which roles each
 * selector matches does not change between rounds, so it is worked out once.
 */
function aggregate(clusterRoles: Map<string, RoleNode>): void {
  const aggregating = [...clusterRoles.values()]
    .filter((node) => node.rules.length === 0 && !node.malformed && aggregationSelectors(node.object) !== undefined)
    .sort((a, b) => compareText(a.ref.name, b.ref.name));
  if (aggregating.length === 0) return;
  const sorted = [...clusterRoles.values()].sort((a, b) => compareText(a.ref.name, b.ref.name));
  const sources = new Map<string, string[]>();
  for (const target of aggregating) {
    const names: string[] = [];
    for (const selector of aggregationSelectors(target.object) ?? []) {
      if (!isRecord(selector)) continue;
      for (const source of sorted) {
        if (source.ref.name === target.ref.name) continue;
        const labels = labelsOf(source.object);
        if (mayMatch(selector, labels) && matchesSelector(selector, labels)) names.push(source.ref.name);
      }
    }
    sources.set(target.ref.name, names);
  }
  for (let round = 0; round <= aggregating.length + 1; round++) {
    let changed = false;
    for (const target of aggregating) {
      const rules: PolicyRule[] = [];
      const origins: string[] = [];
      const seen = new Set<string>();
      for (const name of sources.get(target.ref.name) ?? []) {
        const current = clusterRoles.get(name);
        current?.rules.forEach((rule, i) => {
          const key = ruleKey(rule);
          if (seen.has(key)) return;
          seen.add(key);
          rules.push(rule);
          origins.push(current.origins?.[i] ?? current.ref.name);
        });
      }
      const before = clusterRoles.get(target.ref.name) ?? target;
      if (rules.length !== before.rules.length || rules.some((r, i) => ruleKey(r) !== ruleKey(before.rules[i] as PolicyRule))) {
        clusterRoles.set(target.ref.name, { ...before, rules, origins });
        changed = true;
      }
    }
    if (!changed) return;
  }
}

function bindingNode(
  kind: BindingKind,
  object: KubeObject,
  roles: ReadonlyMap<string, RoleNode>,
): BindingNode {
  const namespace = kind === 'RoleBinding' ? (namespaceOf(object) ?? '') : undefined;
  const name = nameOf(object);
  const raw = isRecord(object['roleRef']) ? object['roleRef'] : {};
  const roleRef = {
    kind: typeof raw['kind'] === 'string' ? raw['kind'] : '',
    name: typeof raw['name'] === 'string' ? raw['name'] : '',
    apiGroup: typeof raw['apiGroup'] === 'string' ? raw['apiGroup'] : '',
  };
  let role: RoleNode | undefined;
  let roleProblem: string | undefined;
  if (!isRecord(object['roleRef'])) roleProblem = 'has no roleRef';
  else if (roleRef.name === '') roleProblem = 'roleRef has no name';
  else if (roleRef.kind === 'ClusterRole') {
    role = roles.get(roleKeyOf({ kind: 'ClusterRole', name: roleRef.name }));
    if (role === undefined) roleProblem = `references ClusterRole ${roleRef.name}, which does not exist`;
  } else if (roleRef.kind === 'Role' && namespace !== undefined) {
    role = roles.get(roleKeyOf({ kind: 'Role', namespace, name: roleRef.name }));
    if (role === undefined) roleProblem = `references Role ${namespace}/${roleRef.name}, which does not exist`;
  } else if (roleRef.kind === 'Role') {
    roleProblem = `references Role ${roleRef.name}, but a ClusterRoleBinding can only reference a ClusterRole`;
  } else {
    roleProblem = `roleRef has unsupported kind ${JSON.stringify(raw['kind'] ?? null)}`;
  }
  const subjects: BoundSubject[] = [];
  const subjectProblems: string[] = [];
  asArray<unknown>(object['subjects']).forEach((entry, index) => {
    const parsed = parseSubject(entry, namespace);
    if ('subject' in parsed) subjects.push({ subject: parsed.subject, index });
    else subjectProblems.push(`subjects[${index}] ${parsed.problem}`);
  });
  const ref: BindingRef = namespace === undefined ? { kind, name } : { kind, namespace, name };
  return { ref, object, roleRef, role, roleProblem, subjects, subjectProblems };
}

/** The secret names a ServiceAccount lists, and token Secrets that name their account. */
function collectTokenSecrets(inventory: Inventory): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const add = (ns: string, secret: string, account: string): void => {
    let names = out.get(ns);
    if (names === undefined) out.set(ns, (names = new Map()));
    if (!names.has(secret)) names.set(secret, account);
  };
  for (const secret of listOf(inventory, 'Secret')) {
    const ns = namespaceOf(secret);
    const account = annotationsOf(secret)['kubernetes.io/service-account.name'];
    if (ns === undefined || secret['type'] !== 'kubernetes.io/service-account-token') continue;
    if (typeof account === 'string' && account !== '') add(ns, nameOf(secret), account);
  }
  for (const account of listOf(inventory, 'ServiceAccount')) {
    const ns = namespaceOf(account);
    if (ns === undefined) continue;
    // Before 1.24 the token controller listed the token Secret here; such a reference is
    // read as a token, as an auditor reading the object would.
    for (const ref of asArray<unknown>(account['secrets'])) {
      if (isRecord(ref) && typeof ref['name'] === 'string' && ref['name'] !== '') add(ns, ref['name'], nameOf(account));
    }
  }
  return out;
}

export function buildRbacGraph(inventory: Inventory): RbacGraph {
  const roles = new Map<string, RoleNode>();
  const clusterRoles = new Map<string, RoleNode>();
  for (const object of listOf(inventory, 'ClusterRole').sort(byName)) {
    if (nameOf(object) !== '') clusterRoles.set(nameOf(object), roleNode('ClusterRole', object));
  }
  aggregate(clusterRoles);
  for (const node of clusterRoles.values()) roles.set(roleKeyOf(node.ref), node);
  for (const object of listOf(inventory, 'Role').sort(byName)) {
    const node = roleNode('Role', object);
    roles.set(roleKeyOf(node.ref), node);
  }

  const bindings: BindingNode[] = [];
  for (const object of listOf(inventory, 'ClusterRoleBinding').sort(byName)) {
    bindings.push(bindingNode('ClusterRoleBinding', object, roles));
  }
  for (const object of listOf(inventory, 'RoleBinding').sort(byName)) {
    bindings.push(bindingNode('RoleBinding', object, roles));
  }

  const bindingsByRole = new Map<string, BindingNode[]>();
  const clusterBindingsByKey = new Map<string, BindingNode[]>();
  const roleBindingsByKey = new Map<string, BindingNode[]>();
  const allRoleBindingsByKey = new Map<string, BindingNode[]>();
  const clusterBindings: BindingNode[] = [];
  const roleBindingsByNamespace = new Map<string, BindingNode[]>();
  const namespaces = new Set<string>();
  const subjects = new Map<string, Subject>();

  for (const binding of bindings) {
    const { roleRef } = binding;
    if (roleRef.kind === 'ClusterRole' || roleRef.kind === 'Role') {
      push(bindingsByRole, roleKeyOf({ kind: roleRef.kind, namespace: binding.ref.namespace, name: roleRef.name }), binding);
    }
    const namespace = binding.ref.namespace;
    if (namespace === undefined) clusterBindings.push(binding);
    else {
      push(roleBindingsByNamespace, namespace, binding);
      if (namespace !== '') namespaces.add(namespace);
    }
    // One entry per binding and key: a binding naming a user twice still grants once.
    const keys = new Set<string>();
    for (const { subject } of binding.subjects) {
      subjects.set(subjectKey(subject), subject);
      if (subject.namespace !== undefined) namespaces.add(subject.namespace);
      if (subject.kind === 'Group' && subject.name.startsWith(`${ALL_SERVICE_ACCOUNTS}:`)) {
        namespaces.add(subject.name.slice(ALL_SERVICE_ACCOUNTS.length + 1));
      }
      keys.add(matchKey(subject));
    }
    for (const key of keys) {
      if (namespace === undefined) push(clusterBindingsByKey, key, binding);
      else {
        push(roleBindingsByKey, `${namespace}\u0000${key}`, binding);
        push(allRoleBindingsByKey, key, binding);
      }
    }
  }

  const serviceAccounts = new Map<string, Map<string, KubeObject>>();
  for (const account of listOf(inventory, 'ServiceAccount')) {
    const ns = namespaceOf(account);
    const name = nameOf(account);
    if (ns === undefined || name === '') continue;
    let names = serviceAccounts.get(ns);
    if (names === undefined) serviceAccounts.set(ns, (names = new Map()));
    names.set(name, account);
    namespaces.add(ns);
    const subject: Subject = { kind: 'ServiceAccount', namespace: ns, name };
    subjects.set(subjectKey(subject), subject);
  }
  for (const ns of listOf(inventory, 'Namespace')) if (nameOf(ns) !== '') namespaces.add(nameOf(ns));
  for (const role of roles.values()) if (role.ref.namespace) namespaces.add(role.ref.namespace);

  return {
    roles,
    bindings,
    bindingsByRef: new Map(bindings.map((b) => [bindingKeyOf(b.ref), b])),
    bindingsByRole,
    clusterBindingsByKey,
    roleBindingsByKey,
    allRoleBindingsByKey,
    clusterBindings,
    roleBindingsByNamespace,
    serviceAccounts,
    tokenSecrets: collectTokenSecrets(inventory),
    namespaces: [...namespaces].sort(),
    subjects: [...subjects.values()].sort(compareSubjects),
  };
}

/** The graph's node for a Role or ClusterRole object, or a standalone one if the graph lacks it. */
export function roleNodeFor(graph: RbacGraph, object: KubeObject): RoleNode | undefined {
  if (object.kind !== 'Role' && object.kind !== 'ClusterRole') return undefined;
  const key = roleKeyOf({ kind: object.kind, namespace: namespaceOf(object) ?? '', name: nameOf(object) });
  return graph.roles.get(key) ?? standaloneRoleNode(object);
}

/** The graph's node for a binding object, or one built on the spot if the graph lacks it. */
export function bindingNodeFor(graph: RbacGraph, object: KubeObject): BindingNode | undefined {
  if (object.kind !== 'RoleBinding' && object.kind !== 'ClusterRoleBinding') return undefined;
  const namespace = object.kind === 'RoleBinding' ? (namespaceOf(object) ?? '') : undefined;
  const name = nameOf(object);
  const ref: BindingRef = namespace === undefined ? { kind: object.kind, name } : { kind: object.kind, namespace, name };
  return graph.bindingsByRef.get(bindingKeyOf(ref)) ?? bindingNode(object.kind, object, graph.roles);
}

/** Whether a ServiceAccount exists: an object in the inventory, or `default`, which every namespace has. */
export function serviceAccountExists(graph: RbacGraph, namespace: string, name: string): boolean {
  return name === 'default' || (graph.serviceAccounts.get(namespace)?.has(name) ?? false);
}
