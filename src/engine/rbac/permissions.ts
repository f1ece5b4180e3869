/**
 * Effective permissions: what an identity may do, as the union of the rules of every
 * binding that applies to it, cluster-wide (ClusterRoleBindings) and per namespace
 * (RoleBindings, which add to the cluster-wide rules only in their own namespace). Each
 * permission is a `Grant` naming the binding, the role and the rule, so every answer can
 * say why.
 *
 * `whoCan` inverts the question with an index from (scope, API group, resource) to the
 * rules that mention them, so it touches only rules that could match instead of every rule
 * of every binding. The index is built on first use and kept with the graph.
 */
import type { BindingNode, BindingRef, RbacGraph, RoleRef } from './graph.js';
import type { PolicyRule } from './rules.js';
import { ALL, ruleAllowsNonResource, ruleAllowsResource } from './rules.js';
import type { Identity, Subject } from './subjects.js';
import { compareSubjects, compareText, identityKeys, identityOf, isSystemSubject, matchKey, subjectKey } from './subjects.js';

/** One rule granted to a subject through one binding. */
export interface Grant {
  readonly binding: BindingRef;
  readonly role: RoleRef;
  /** Index into the role's rules in force (the aggregated list for aggregated ClusterRoles). */
  readonly ruleIndex: number;
  readonly rule: PolicyRule;
  /** The binding subject through which the grant applies (the first that matches, as the API server picks). */
  readonly subject: Subject;
  /** For a rule aggregated into a ClusterRole: the ClusterRole it came from. */
  readonly aggregatedFrom?: string;
}

export interface Permissions {
  /** Grants from ClusterRoleBindings: in force in every namespace and cluster-wide. */
  readonly cluster: readonly Grant[];
  /** Grants from RoleBindings, by namespace: in force in that namespace only. */
  readonly namespaces: ReadonlyMap<string, readonly Grant[]>;
}

/** The first subject of a binding that one of `keys` matches. */
export function matchingSubject(binding: BindingNode, keys: ReadonlySet<string>): Subject | undefined {
  return binding.subjects.find(({ subject }) => keys.has(matchKey(subject)))?.subject;
}

/** The grant of one rule of a binding's role through one of its subjects. */
export function grantAt(binding: BindingNode, subject: Subject, ruleIndex: number): Grant | undefined {
  const role = binding.role;
  const rule = role?.rules[ruleIndex];
  if (role === undefined || rule === undefined) return undefined;
  const from = role.origins?.[ruleIndex];
  return {
    binding: binding.ref,
    role: role.ref,
    ruleIndex,
    rule,
    subject,
    ...(from !== undefined ? { aggregatedFrom: from } : {}),
  };
}

/** The grants one binding gives through one of its subjects; none when the role dangles. */
export function grantsOf(binding: BindingNode, subject: Subject): Grant[] {
  const out: Grant[] = [];
  for (let i = 0; i < (binding.role?.rules.length ?? 0); i++) {
    const grant = grantAt(binding, subject, i);
    if (grant !== undefined) out.push(grant);
  }
  return out;
}

// ClusterRoleBindings first, as the API server visits them.
function bindingRank(ref: BindingRef): number {
  return ref.kind === 'ClusterRoleBinding' ? 0 : 1;
}

export function compareBindingRefs(a: BindingRef, b: BindingRef): number {
  return bindingRank(a) - bindingRank(b) || compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name, b.name);
}

function compareGrants(a: Grant, b: Grant): number {
  return compareBindingRefs(a.binding, b.binding) || a.ruleIndex - b.ruleIndex;
}

/** Bindings applying to an identity: ClusterRoleBindings, and RoleBindings of `namespace` (or of all namespaces). */
export function bindingsFor(
  graph: RbacGraph,
  identity: Identity,
  namespace?: string,
): { binding: BindingNode; subject: Subject }[] {
  const keys = new Set(identityKeys(identity));
  const seen = new Set<BindingNode>();
  const out: { binding: BindingNode; subject: Subject }[] = [];
  const visit = (bindings: readonly BindingNode[] | undefined): void => {
    for (const binding of bindings ?? []) {
      if (seen.has(binding)) continue;
      seen.add(binding);
      const subject = matchingSubject(binding, keys);
      if (subject !== undefined) out.push({ binding, subject });
    }
  };
  for (const key of keys) visit(graph.clusterBindingsByKey.get(key));
  for (const key of keys) {
    visit(
      namespace === undefined
        ? graph.allRoleBindingsByKey.get(key)
        : namespace === ''
          ? undefined
          : graph.roleBindingsByKey.get(`${namespace}\u0000${key}`),
    );
  }
  return out.sort((a, b) => compareBindingRefs(a.binding.ref, b.binding.ref));
}

/** Every grant an identity holds, cluster-wide and per namespace. */
export function permissionsOf(graph: RbacGraph, identity: Identity): Permissions {
  const cluster: Grant[] = [];
  const namespaces = new Map<string, Grant[]>();
  for (const { binding, subject } of bindingsFor(graph, identity)) {
    const grants = grantsOf(binding, subject);
    const ns = binding.ref.namespace;
    if (ns === undefined) cluster.push(...grants);
    else if (ns !== '') {
      const list = namespaces.get(ns);
      if (list === undefined) namespaces.set(ns, grants);
      else list.push(...grants);
    }
  }
  return { cluster, namespaces };
}

/** The grants in force in a namespace ('' for cluster-wide requests). */
export function grantsIn(permissions: Permissions, namespace: string): readonly Grant[] {
  if (namespace === '') return permissions.cluster;
  const local = permissions.namespaces.get(namespace);
  return local === undefined ? permissions.cluster : [...permissions.cluster, ...local];
}

/**
 * Whether a subject is a system component (subjects.ts): by name for users and groups; a
 * ServiceAccount when some binding naming it follows the bootstrap policy's naming.
 */
export function isSystemComponent(graph: RbacGraph, subject: Subject): boolean {
  if (subject.kind !== 'ServiceAccount') return isSystemSubject(subject, { name: '', roleName: '' });
  if (subject.namespace !== 'kube-system') return false;
  const key = matchKey(subject);
  return bindingsFor(graph, identityOf(subject)).some(
    ({ binding, subject: matched }) =>
      matchKey(matched) === key && isSystemSubject(matched, { name: binding.ref.name, roleName: binding.roleRef.name }),
  );
}

/** Grants through bindings that name the subject itself, not through its groups. */
export function directGrants(graph: RbacGraph, subject: Subject): Grant[] {
  const key = matchKey(subject);
  const out: Grant[] = [];
  for (const binding of [...(graph.clusterBindingsByKey.get(key) ?? []), ...(graph.allRoleBindingsByKey.get(key) ?? [])]) {
    const matched = binding.subjects.find((b) => matchKey(b.subject) === key)?.subject;
    if (matched !== undefined) out.push(...grantsOf(binding, matched));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// who-can

interface IndexEntry {
  readonly binding: BindingNode;
  readonly ruleIndex: number;
}

interface RuleIndex {
  /** `<scope>\0<group>\0<resource entry>` → rules; scope is '' for ClusterRoleBindings. */
  readonly resource: Map<string, IndexEntry[]>;
  /** ClusterRoleBinding rules with nonResourceURLs (RoleBindings never grant those). */
  readonly nonResource: IndexEntry[];
  /** Namespaces that hold at least one RoleBinding. */
  readonly scopes: readonly string[];
}

const indexes = new WeakMap<RbacGraph, RuleIndex>();

function ruleIndexOf(graph: RbacGraph): RuleIndex {
  let index = indexes.get(graph);
  if (index !== undefined) return index;
  const resource = new Map<string, IndexEntry[]>();
  const nonResource: IndexEntry[] = [];
  for (const binding of graph.bindings) {
    const rules = binding.role?.rules ?? [];
    const scope = binding.ref.namespace ?? '';
    rules.forEach((rule, ruleIndex) => {
      const entry = { binding, ruleIndex };
      if (rule.nonResourceURLs.length > 0 && binding.ref.namespace === undefined) nonResource.push(entry);
      for (const group of new Set(rule.apiGroups)) {
        for (const res of new Set(rule.resources)) {
          const key = `${scope}\u0000${group}\u0000${res}`;
          const list = resource.get(key);
          if (list === undefined) resource.set(key, [entry]);
          else list.push(entry);
        }
      }
    });
  }
  index = { resource, nonResource, scopes: [...graph.roleBindingsByNamespace.keys()].filter((ns) => ns !== '') };
  indexes.set(graph, index);
  return index;
}

export interface ResourceQuery {
  readonly verb: string;
  readonly apiGroup?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
  /** '' or absent: a cluster-wide request. */
  readonly namespace?: string;
}

export interface NonResourceQuery {
  readonly verb: string;
  readonly path: string;
}

export interface WhoCanEntry {
  readonly subject: Subject;
  /** Where the permission holds: '' cluster-wide (and so in every namespace), else one namespace. */
  readonly namespace: string;
  readonly grants: readonly Grant[];
}

export interface WhoCanOptions {
  /** Ask for every namespace at once (kubectl-who-can's `--all-namespaces`). */
  readonly allNamespaces?: boolean;
}

function isNonResourceQuery(query: ResourceQuery | NonResourceQuery): query is NonResourceQuery {
  return typeof (query as NonResourceQuery).path === 'string';
}

/**
 * The subjects a binding names that may make the request, each with the grants that allow
 * it and where. Subjects are those written in bindings: a Group stays a group (its members
 * are not known to RBAC), as kubectl-who-can reports them.
 */
export function whoCan(
  graph: RbacGraph,
  query: ResourceQuery | NonResourceQuery,
  options: WhoCanOptions = {},
): WhoCanEntry[] {
  const index = ruleIndexOf(graph);
  const hits: IndexEntry[] = [];
  if (isNonResourceQuery(query)) {
    const request = { verb: query.verb, path: query.path };
    for (const entry of index.nonResource) {
      const rule = entry.binding.role?.rules[entry.ruleIndex];
      if (rule !== undefined && ruleAllowsNonResource(rule, request)) hits.push(entry);
    }
  } else {
    const request = {
      verb: query.verb,
      apiGroup: query.apiGroup ?? '',
      resource: query.resource,
      subresource: query.subresource ?? '',
      name: query.name ?? '',
    };
    const combined = request.subresource === '' ? request.resource : `${request.resource}/${request.subresource}`;
    const resourceKeys = [combined, ALL];
    if (request.subresource !== '') resourceKeys.push(`*/${request.subresource}`);
    const ns = query.namespace ?? '';
    const scopes = options.allNamespaces === true ? ['', ...index.scopes] : ns === '' ? [''] : ['', ns];
    const seen = new Set<IndexEntry>();
    for (const scope of scopes) {
      for (const group of new Set([request.apiGroup, ALL])) {
        for (const res of resourceKeys) {
          for (const entry of index.resource.get(`${scope}\u0000${group}\u0000${res}`) ?? []) {
            if (seen.has(entry)) continue;
            seen.add(entry);
            const rule = entry.binding.role?.rules[entry.ruleIndex];
            if (rule !== undefined && ruleAllowsResource(rule, request)) hits.push(entry);
          }
        }
      }
    }
  }
  const bySubject = new Map<string, { subject: Subject; namespace: string; grants: Grant[] }>();
  for (const { binding, ruleIndex } of hits) {
    const namespace = binding.ref.namespace ?? '';
    for (const { subject } of binding.subjects) {
      const key = `${namespace}\u0000${subjectKey(subject)}`;
      let entry = bySubject.get(key);
      if (entry === undefined) bySubject.set(key, (entry = { subject, namespace, grants: [] }));
      const grant = grantAt(binding, subject, ruleIndex);
      if (grant !== undefined) entry.grants.push(grant);
    }
  }
  return [...bySubject.values()]
    .map((e) => ({ ...e, grants: e.grants.sort(compareGrants) }))
    .sort((a, b) => compareText(a.namespace, b.namespace) || compareSubjects(a.subject, b.subject));
}
