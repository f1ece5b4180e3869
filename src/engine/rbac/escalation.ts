/**
 * Escalation paths: what a subject can become beyond its own rights. Each step is an action
 * the subject's rules allow, naming the grants (binding → role) that allow it:
 *  - create pods or pod controllers in a namespace → run a pod as any ServiceAccount there;
 *  - create `serviceaccounts/token` for a ServiceAccount → hold its token;
 *  - read a Secret that holds a ServiceAccount's token (get it by name, or list/watch the
 *    namespace's Secrets) → hold that token;
 *  - `impersonate` users, ServiceAccounts, or groups (with some user to impersonate: the
 *    API server refuses group impersonation alone) → act as them; `system:masters` is
 *    always such a group, and members bypass authorization;
 *  - create RoleBindings (ClusterRoleBindings) together with `bind` on a role → bind it to
 *    oneself, gaining its rules in that namespace (cluster-wide);
 *  - `escalate` together with update or patch on a role bound to oneself → rewrite it to
 *    grant anything in the binding's scope.
 * From a ServiceAccount, user or group reached this way the search goes on (breadth first,
 * up to `maxDepth` steps), so every target comes with its shortest chain. A target is
 * reported only when it holds rights the source lacks, judged per namespace with the API
 * server's own coverage rule (rules.ts); a target that adds nothing is not explored either,
 * since everything it could do the source can do already.
 *
 * The ServiceAccounts of a namespace are its ServiceAccount objects and `default`, which
 * every namespace has; where the inventory holds no ServiceAccount of a namespace at all (a
 * manifest set), the accounts its bindings name stand in for them.
 */
import type { RbacGraph, RoleNode, RoleRef } from './graph.js';
import { describeRef, roleKeyOf } from './graph.js';
import type { Grant, Permissions } from './permissions.js';
import { bindingsFor, grantsIn, permissionsOf } from './permissions.js';
import type { PolicyRule, ResourceAttributes } from './rules.js';
import { ALL, apiGroupMatches, describeRule, resourceMatches, ruleAllowsResource, rulesCover, verbMatches } from './rules.js';
import type { Subject } from './subjects.js';
import {
  compareSubjects,
  describeSubject,
  identityOf,
  MASTERS,
  parseServiceAccountUser,
  RBAC_GROUP,
  subjectKey,
} from './subjects.js';

export type Target =
  | { readonly kind: 'subject'; readonly subject: Subject }
  /** A role the source can bind to itself, in `namespace` ('' cluster-wide). */
  | { readonly kind: 'role'; readonly role: RoleRef; readonly namespace: string }
  /** Any permission at all, in `namespace` ('' cluster-wide). */
  | { readonly kind: 'everything'; readonly namespace: string; readonly why: string };

export type StepKind = 'create-pods' | 'create-token' | 'read-token-secret' | 'impersonate' | 'bind' | 'escalate';

export interface Step {
  readonly kind: StepKind;
  /** What the subject does, e.g. `create pods in shop`. */
  readonly action: string;
  /** Where: a namespace, or '' for a cluster-wide action. */
  readonly namespace: string;
  /** The grants that allow it, one per permission the step needs. */
  readonly via: readonly Grant[];
  readonly target: Target;
}

export interface EscalationPath {
  readonly source: Subject;
  readonly steps: readonly Step[];
  /** What the final target holds that the source lacks (the first few): `get,list secrets in shop`. */
  readonly gains: readonly string[];
}

export interface EscalationOptions {
  /** Longest chain followed; 3 by default. */
  readonly maxDepth?: number;
}

const POD_KINDS: readonly (readonly [group: string, resource: string])[] = [
  ['', 'pods'],
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];

const MAX_GAINS = 3;
// A name no real object has (a NUL is invalid in names), to ask whether a rule is name-limited.
const ANY_NAME = '\u0000any';

const EVERYTHING: PolicyRule = { verbs: [ALL], apiGroups: [ALL], resources: [ALL], resourceNames: [], nonResourceURLs: [] };
const EVERYTHING_CLUSTER: PolicyRule = { ...EVERYTHING, nonResourceURLs: [ALL] };

function attrs(verb: string, apiGroup: string, resource: string, name = '', subresource = ''): ResourceAttributes {
  return { verb, apiGroup, resource, subresource, name };
}

function allowing(grants: readonly Grant[], request: ResourceAttributes): Grant | undefined {
  return grants.find((grant) => ruleAllowsResource(grant.rule, request));
}

export function describeTarget(target: Target): string {
  const where = (ns: string): string => (ns === '' ? 'cluster-wide' : `in ${ns}`);
  switch (target.kind) {
    case 'subject':
      return describeSubject(target.subject);
    case 'role':
      return `${describeRef(target.role)} bound ${where(target.namespace)}`;
    case 'everything':
      return `any permission ${where(target.namespace)} (${target.why})`;
  }
}

function describeGrant(grant: Grant): string {
  return `${describeRef(grant.binding)} → ${describeRef(grant.role)}`;
}

export function describeStep(step: Step): string {
  // Two rules of one role read as one way in.
  const via = [...new Set(step.via.map(describeGrant))].join(' + ');
  return `${step.action} (${via})`;
}

/** `create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/ci, gaining ...`. */
export function describePath(path: EscalationPath): string {
  const chain = path.steps.map((step) => `${describeStep(step)} → ${describeTarget(step.target)}`).join(' → ');
  return path.gains.length === 0 ? chain : `${chain}, gaining ${path.gains.join('; ')}`;
}

interface Rights {
  readonly cluster: readonly PolicyRule[];
  readonly namespaces: ReadonlyMap<string, readonly PolicyRule[]>;
}

function rightsOf(permissions: Permissions): Rights {
  const cluster = permissions.cluster.map((g) => g.rule);
  const namespaces = new Map<string, PolicyRule[]>();
  for (const [ns, grants] of permissions.namespaces) namespaces.set(ns, [...cluster, ...grants.map((g) => g.rule)]);
  return { cluster, namespaces };
}

function rulesAt(rights: Rights, namespace: string): readonly PolicyRule[] {
  return namespace === '' ? rights.cluster : (rights.namespaces.get(namespace) ?? rights.cluster);
}

/** Shared state of one analysis: permissions per subject, computed once. */
class Analysis {
  private readonly permissions = new Map<string, Permissions>();
  private readonly rights = new Map<string, Rights>();
  readonly serviceAccountsByNamespace = new Map<string, readonly string[]>();
  private clusterRolesByPower: readonly RoleNode[] | undefined;
  private rolesByNamespace: Map<string, RoleNode[]> | undefined;

  constructor(readonly graph: RbacGraph) {}

  permissionsOf(subject: Subject): Permissions {
    const key = subjectKey(subject);
    let found = this.permissions.get(key);
    if (found === undefined) this.permissions.set(key, (found = permissionsOf(this.graph, identityOf(subject))));
    return found;
  }

  rightsOf(subject: Subject): Rights {
    const key = subjectKey(subject);
    let found = this.rights.get(key);
    if (found === undefined) this.rights.set(key, (found = rightsOf(this.permissionsOf(subject))));
    return found;
  }

  serviceAccounts(namespace: string): readonly string[] {
    let names = this.serviceAccountsByNamespace.get(namespace);
    if (names !== undefined) return names;
    const found = new Set<string>(['default']);
    const objects = this.graph.serviceAccounts.get(namespace);
    if (objects !== undefined) for (const name of objects.keys()) found.add(name);
    else {
      for (const subject of this.graph.subjects) {
        if (subject.kind === 'ServiceAccount' && subject.namespace === namespace) found.add(subject.name);
      }
    }
    names = [...found].sort();
    this.serviceAccountsByNamespace.set(namespace, names);
    return names;
  }

  /** Roles of one namespace, by name. */
  rolesIn(namespace: string): readonly RoleNode[] {
    if (this.rolesByNamespace === undefined) {
      this.rolesByNamespace = new Map();
      for (const node of this.graph.roles.values()) {
        if (node.ref.kind !== 'Role') continue;
        const ns = node.ref.namespace ?? '';
        const list = this.rolesByNamespace.get(ns);
        if (list === undefined) this.rolesByNamespace.set(ns, [node]);
        else list.push(node);
      }
    }
    return this.rolesByNamespace.get(namespace) ?? [];
  }

  /** ClusterRoles, most powerful first (cluster-admin equivalents, then by rule count). */
  clusterRoles(): readonly RoleNode[] {
    if (this.clusterRolesByPower === undefined) {
      const power = (node: RoleNode): number =>
        node.rules.some((r) => rulesCover([r], EVERYTHING)) ? 1e9 : node.rules.length;
      this.clusterRolesByPower = [...this.graph.roles.values()]
        .filter((node) => node.ref.kind === 'ClusterRole')
        .sort((a, b) => power(b) - power(a) || a.ref.name.localeCompare(b.ref.name));
    }
    return this.clusterRolesByPower;
  }

  /** What `rules` (in force in `namespace`) grant that `source` lacks, the first few. */
  gainsOver(source: Rights, rules: readonly PolicyRule[], namespace: string, out: string[]): void {
    const mine = rulesAt(source, namespace);
    for (const rule of rules) {
      if (out.length >= MAX_GAINS) return;
      if (!rulesCover(mine, rule)) out.push(`${describeRule(rule)} ${namespace === '' ? 'cluster-wide' : `in ${namespace}`}`);
    }
  }

  gains(source: Rights, target: Target): string[] {
    const out: string[] = [];
    if (target.kind === 'everything') {
      const rule = target.namespace === '' ? EVERYTHING_CLUSTER : EVERYTHING;
      if (!rulesCover(rulesAt(source, target.namespace), rule)) {
        out.push(target.namespace === '' ? 'every permission cluster-wide' : `every permission in ${target.namespace}`);
      }
      return out;
    }
    if (target.kind === 'role') {
      const role = this.graph.roles.get(roleKeyOf(target.role));
      this.gainsOver(source, role?.rules ?? [], target.namespace, out);
      return out;
    }
    const rights = this.rightsOf(target.subject);
    this.gainsOver(source, rights.cluster, '', out);
    for (const [ns, rules] of rights.namespaces) {
      if (out.length >= MAX_GAINS) break;
      this.gainsOver(source, rules.slice(rights.cluster.length), ns, out);
    }
    return out;
  }
}

/** The namespaces where a request is allowed, each with the grant that allows it. */
function allowedNamespaces(
  analysis: Analysis,
  permissions: Permissions,
  request: ResourceAttributes,
): { namespace: string; grant: Grant }[] {
  const out: { namespace: string; grant: Grant }[] = [];
  const clusterGrant = allowing(permissions.cluster, request);
  if (clusterGrant !== undefined) {
    for (const namespace of analysis.graph.namespaces) out.push({ namespace, grant: clusterGrant });
    return out;
  }
  for (const [namespace, grants] of [...permissions.namespaces].sort((a, b) => a[0].localeCompare(b[0]))) {
    const grant = allowing(grants, request);
    if (grant !== undefined) out.push({ namespace, grant });
  }
  return out;
}

function serviceAccount(namespace: string, name: string): Subject {
  return { kind: 'ServiceAccount', namespace, name };
}

/** Every step one subject can take from its own permissions. */
function stepsFrom(analysis: Analysis, subject: Subject): Step[] {
  const graph = analysis.graph;
  const permissions = analysis.permissionsOf(subject);
  const steps: Step[] = [];
  const toAccount = (kind: StepKind, action: string, namespace: string, via: Grant[], name: string): void => {
    steps.push({ kind, action, namespace, via, target: { kind: 'subject', subject: serviceAccount(namespace, name) } });
  };

  // Pods and pod controllers: one grant per namespace is enough to name the way in.
  const podNamespaces = new Map<string, { grant: Grant; resource: string }>();
  for (const [group, resource] of POD_KINDS) {
    for (const { namespace, grant } of allowedNamespaces(analysis, permissions, attrs('create', group, resource))) {
      if (!podNamespaces.has(namespace)) podNamespaces.set(namespace, { grant, resource: group === '' ? resource : `${resource}.${group}` });
    }
  }
  for (const [namespace, { grant, resource }] of [...podNamespaces].sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const name of analysis.serviceAccounts(namespace)) {
      toAccount('create-pods', `create ${resource} in ${namespace}`, namespace, [grant], name);
    }
  }

  // Tokens and ServiceAccount impersonation: only namespaces where some rule could apply.
  const touchesAccounts = (grant: Grant): boolean =>
    apiGroupMatches(grant.rule, '') &&
    (resourceMatches(grant.rule, 'serviceaccounts/token', 'token') ||
      resourceMatches(grant.rule, 'serviceaccounts', '') ||
      resourceMatches(grant.rule, 'secrets', ''));
  const accountNamespaces = permissions.cluster.some(touchesAccounts)
    ? graph.namespaces
    : [...permissions.namespaces].filter(([, grants]) => grants.some(touchesAccounts)).map(([ns]) => ns).sort();
  let someUser: Grant | undefined;
  for (const namespace of accountNamespaces) {
    const grants = grantsIn(permissions, namespace);
    for (const name of analysis.serviceAccounts(namespace)) {
      const token = allowing(grants, attrs('create', '', 'serviceaccounts', name, 'token'));
      if (token !== undefined) toAccount('create-token', `create a token for ${namespace}/${name}`, namespace, [token], name);
      const imp = allowing(grants, attrs('impersonate', '', 'serviceaccounts', name));
      if (imp === undefined) continue;
      someUser ??= imp;
      toAccount('impersonate', `impersonate ServiceAccount ${namespace}/${name}`, namespace, [imp], name);
    }
    for (const [secret, account] of graph.tokenSecrets.get(namespace) ?? []) {
      const read =
        allowing(grants, attrs('get', '', 'secrets', secret)) ??
        allowing(grants, attrs('list', '', 'secrets')) ??
        allowing(grants, attrs('watch', '', 'secrets'));
      if (read !== undefined) {
        toAccount('read-token-secret', `read Secret ${namespace}/${secret} (a token of ${account})`, namespace, [read], account);
      }
    }
  }

  // Users and groups are cluster-scoped for impersonation: only ClusterRoleBindings count.
  const cluster = permissions.cluster.filter((g) => verbMatches(g.rule, 'impersonate'));
  if (cluster.length > 0) {
    for (const other of graph.subjects) {
      if (other.kind !== 'User' || parseServiceAccountUser(other.name) !== undefined) continue;
      const grant = allowing(cluster, attrs('impersonate', '', 'users', other.name));
      if (grant === undefined) continue;
      someUser ??= grant;
      steps.push({
        kind: 'impersonate',
        action: `impersonate User ${other.name}`,
        namespace: '',
        via: [grant],
        target: { kind: 'subject', subject: other },
      });
    }
    someUser ??= allowing(cluster, attrs('impersonate', '', 'users', ANY_NAME));
  }
  // The API server refuses to impersonate a group without a user, so groups need one too.
  if (someUser !== undefined) {
    const groups = new Set<string>([MASTERS]);
    for (const other of graph.subjects) if (other.kind === 'Group') groups.add(other.name);
    for (const group of [...groups].sort()) {
      const grant = allowing(cluster, attrs('impersonate', '', 'groups', group));
      if (grant === undefined) continue;
      const via = grant === someUser ? [grant] : [grant, someUser];
      const target: Target =
        group === MASTERS
          ? { kind: 'everything', namespace: '', why: `${MASTERS} bypasses authorization` }
          : { kind: 'subject', subject: { kind: 'Group', name: group } };
      steps.push({ kind: 'impersonate', action: `impersonate Group ${group}`, namespace: '', via, target });
    }
  }

  // bind: a binding in a scope plus `bind` on the role. An unlimited `bind` is one step to
  // the most powerful role that adds something, rather than one per role in the cluster.
  const canBind = (grant: Grant): boolean => verbMatches(grant.rule, 'bind') && apiGroupMatches(grant.rule, RBAC_GROUP);
  const source = analysis.rightsOf(subject);
  const bindSteps = (namespace: string, create: Grant, candidates: readonly RoleNode[]): boolean => {
    const grants = grantsIn(permissions, namespace).filter(canBind);
    if (grants.length === 0) return false;
    const unlimited = allowing(grants, attrs('bind', RBAC_GROUP, 'clusterroles', ANY_NAME)) !== undefined;
    const what = namespace === '' ? 'create ClusterRoleBindings' : `create RoleBindings in ${namespace}`;
    for (const node of candidates) {
      const resource = node.ref.kind === 'Role' ? 'roles' : 'clusterroles';
      const bind = allowing(grants, attrs('bind', RBAC_GROUP, resource, node.ref.name));
      if (bind === undefined) continue;
      const target: Target = { kind: 'role', role: node.ref, namespace };
      if (analysis.gains(source, target).length === 0) continue;
      steps.push({
        kind: 'bind',
        action: `${what} and bind ${describeRef(node.ref)}`,
        namespace,
        via: bind === create ? [bind] : [create, bind],
        target,
      });
      if (unlimited && node.ref.kind === 'ClusterRole') return true;
    }
    return false;
  };
  const clusterBinding = allowing(permissions.cluster, attrs('create', RBAC_GROUP, 'clusterrolebindings'));
  // Binding the strongest ClusterRole cluster-wide subsumes binding anything in a namespace.
  const bound = clusterBinding !== undefined && bindSteps('', clusterBinding, analysis.clusterRoles());
  if (!bound) {
    for (const { namespace, grant } of allowedNamespaces(analysis, permissions, attrs('create', RBAC_GROUP, 'rolebindings'))) {
      if (!grantsIn(permissions, namespace).some(canBind)) continue;
      bindSteps(namespace, grant, [...analysis.rolesIn(namespace), ...analysis.clusterRoles()]);
    }
  }

  // escalate: rewrite a role bound to oneself.
  for (const { binding } of bindingsFor(graph, identityOf(subject))) {
    const role = binding.role;
    if (role === undefined) continue;
    const scope = role.ref.kind === 'Role' ? (role.ref.namespace ?? '') : '';
    const resource = role.ref.kind === 'Role' ? 'roles' : 'clusterroles';
    const grants = grantsIn(permissions, scope);
    const escalate = allowing(grants, attrs('escalate', RBAC_GROUP, resource, role.ref.name));
    const update =
      allowing(grants, attrs('update', RBAC_GROUP, resource, role.ref.name)) ??
      allowing(grants, attrs('patch', RBAC_GROUP, resource, role.ref.name));
    if (escalate === undefined || update === undefined) continue;
    const namespace = binding.ref.namespace ?? '';
    steps.push({
      kind: 'escalate',
      action: `escalate and update ${describeRef(role.ref)}, which ${describeRef(binding.ref)} grants it`,
      namespace,
      via: escalate === update ? [escalate] : [escalate, update],
      target: { kind: 'everything', namespace, why: `rules of ${describeRef(role.ref)} rewritten` },
    });
  }
  return steps;
}

function targetKey(target: Target): string {
  switch (target.kind) {
    case 'subject':
      return subjectKey(target.subject);
    case 'role':
      return `role:${roleKeyOf(target.role)}@${target.namespace}`;
    case 'everything':
      return `everything@${target.namespace}`;
  }
}

function paths(analysis: Analysis, source: Subject, options: EscalationOptions): EscalationPath[] {
  const maxDepth = options.maxDepth ?? 3;
  const sourceRights = analysis.rightsOf(source);
  // Whoever may do everything cluster-wide can become no one stronger.
  if (rulesCover(sourceRights.cluster, EVERYTHING_CLUSTER)) return [];
  const seen = new Set<string>([subjectKey(source)]);
  const out: EscalationPath[] = [];
  let frontier: { subject: Subject; steps: readonly Step[] }[] = [{ subject: source, steps: [] }];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: { subject: Subject; steps: readonly Step[] }[] = [];
    for (const node of frontier) {
      for (const step of stepsFrom(analysis, node.subject)) {
        const key = targetKey(step.target);
        if (seen.has(key)) continue;
        seen.add(key);
        const gains = analysis.gains(sourceRights, step.target);
        if (gains.length === 0) continue;
        const steps = [...node.steps, step];
        out.push({ source, steps, gains });
        if (step.target.kind === 'subject') next.push({ subject: step.target.subject, steps });
      }
    }
    frontier = next;
  }
  return out;
}

/** The escalation paths of one subject, shortest first. */
export function escalationPaths(graph: RbacGraph, source: Subject, options: EscalationOptions = {}): EscalationPath[] {
  return paths(new Analysis(graph), source, options);
}

/** The escalation paths of every subject the graph knows, by `subjectKey`; subjects without a path are left out. */
export function allEscalationPaths(
  graph: RbacGraph,
  options: EscalationOptions & { readonly include?: (subject: Subject) => boolean } = {},
): Map<string, { readonly subject: Subject; readonly paths: readonly EscalationPath[] }> {
  const analysis = new Analysis(graph);
  const out = new Map<string, { subject: Subject; paths: EscalationPath[] }>();
  for (const subject of [...graph.subjects].sort(compareSubjects)) {
    if (options.include !== undefined && !options.include(subject)) continue;
    const found = paths(analysis, subject, options);
    if (found.length > 0) out.set(subjectKey(subject), { subject, paths: found });
  }
  return out;
}

