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
import { ALL, apiGroupMatches, describeRule, ruleAllowsResource, RuleCoverage, rulesCover, verbMatches } from './rules.js';
import type { Subject } from './subjects.js';
import {
  compareText,
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
  /** Stop after this many paths (the shortest ones); unlimited by default. */
  readonly maxPaths?: number;
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
/**
 * Paths the `rbac.escalation-path` check asks for per subject: enough to show the shortest
 * few and say "at least N", and it bounds the work for subjects that may create pods
 * everywhere in a large cluster (every account of every namespace is a target).
 */
export const ESCALATION_PATH_LIMIT = 25;
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
  /** Every grant counted, for "has nothing at all". */
  readonly empty: boolean;
  readonly cluster: readonly PolicyRule[];
  /** RoleBinding rules by namespace (without the cluster-wide ones). */
  readonly local: ReadonlyMap<string, readonly PolicyRule[]>;
}

function rightsOf(permissions: Permissions): Rights {
  const cluster = permissions.cluster.map((g) => g.rule);
  const local = new Map<string, PolicyRule[]>();
  for (const [ns, grants] of permissions.namespaces) local.set(ns, grants.map((g) => g.rule));
  return { empty: cluster.length === 0 && local.size === 0, cluster, local };
}

/** A source's rights, indexed for coverage questions per namespace ('' cluster-wide). */
class SourceRights {
  private readonly coverage = new Map<string, RuleCoverage>();

  constructor(readonly rights: Rights) {}

  at(namespace: string): RuleCoverage {
    const key = namespace !== '' && this.rights.local.has(namespace) ? namespace : '';
    let found = this.coverage.get(key);
    if (found === undefined) {
      const rules = key === '' ? this.rights.cluster : [...this.rights.cluster, ...(this.rights.local.get(key) ?? [])];
      this.coverage.set(key, (found = new RuleCoverage(rules)));
    }
    return found;
  }

  /** Whoever may do everything cluster-wide can become no one stronger. */
  get isAllPowerful(): boolean {
    return this.at('').covers(EVERYTHING_CLUSTER);
  }
}

/**
 * A way to ServiceAccounts: an action allowed in a namespace (or, from a cluster-wide grant,
 * in every namespace) that reaches all its accounts or only those named.
 */
interface AccountMove {
  readonly kind: 'create-pods' | 'create-token' | 'impersonate';
  /** A namespace, or '*' for every namespace. */
  readonly namespace: string;
  /** Accounts the grant is limited to; undefined for all. */
  readonly names: readonly string[] | undefined;
  readonly grant: Grant;
  /** What the resource was, for pod moves: `pods`, `deployments.apps`. */
  readonly resource: string;
}

interface Moves {
  readonly accounts: readonly AccountMove[];
  readonly steps: readonly Step[];
}

/** Shared state of one analysis: permissions and moves per subject, computed once. */
class Analysis {
  private readonly permissions = new Map<string, Permissions>();
  private readonly rights = new Map<string, Rights>();
  private readonly moves = new Map<string, Moves>();
  private readonly accountsByNamespace = new Map<string, readonly string[]>();
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

  movesOf(subject: Subject): Moves {
    const key = subjectKey(subject);
    let found = this.moves.get(key);
    if (found === undefined) this.moves.set(key, (found = movesFrom(this, subject)));
    return found;
  }

  serviceAccounts(namespace: string): readonly string[] {
    let names = this.accountsByNamespace.get(namespace);
    if (names !== undefined) return names;
    const found = new Set<string>(['default']);
    const objects = this.graph.serviceAccounts.get(namespace);
    if (objects !== undefined) for (const name of objects.keys()) found.add(name);
    else {
      for (const subject of this.graph.subjects) {
        if (subject.kind === 'ServiceAccount' && subject.namespace === namespace) found.add(subject.name);
      }
    }
    names = [...found].sort(compareText);
    this.accountsByNamespace.set(namespace, names);
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
      const power = (node: RoleNode): number => (node.rules.some((r) => rulesCover([r], EVERYTHING)) ? 1e9 : node.rules.length);
      this.clusterRolesByPower = [...this.graph.roles.values()]
        .filter((node) => node.ref.kind === 'ClusterRole')
        .sort((a, b) => power(b) - power(a) || compareText(a.ref.name, b.ref.name));
    }
    return this.clusterRolesByPower;
  }

  /** What `rules` (in force in `namespace`) grant that the source lacks, the first few. */
  private gainsOver(source: SourceRights, rules: readonly PolicyRule[], namespace: string, out: string[]): void {
    if (rules.length === 0) return;
    const mine = source.at(namespace);
    for (const rule of rules) {
      if (out.length >= MAX_GAINS) return;
      if (!mine.covers(rule)) out.push(`${describeRule(rule)} ${namespace === '' ? 'cluster-wide' : `in ${namespace}`}`);
    }
  }

  gains(source: SourceRights, target: Target): string[] {
    const out: string[] = [];
    if (target.kind === 'everything') {
      const rule = target.namespace === '' ? EVERYTHING_CLUSTER : EVERYTHING;
      if (!source.at(target.namespace).covers(rule)) {
        out.push(target.namespace === '' ? 'every permission cluster-wide' : `every permission in ${target.namespace}`);
      }
      return out;
    }
    if (target.kind === 'role') {
      this.gainsOver(source, this.graph.roles.get(roleKeyOf(target.role))?.rules ?? [], target.namespace, out);
      return out;
    }
    const rights = this.rightsOf(target.subject);
    if (rights.empty) return out;
    this.gainsOver(source, rights.cluster, '', out);
    for (const [ns, rules] of rights.local) {
      if (out.length >= MAX_GAINS) break;
      this.gainsOver(source, rules, ns, out);
    }
    return out;
  }
}

/** The namespaces where a request is allowed, each with the grant that allows it; '*' for all. */
function allowedNamespaces(permissions: Permissions, request: ResourceAttributes): { namespace: string; grant: Grant }[] {
  const clusterGrant = allowing(permissions.cluster, request);
  if (clusterGrant !== undefined) return [{ namespace: '*', grant: clusterGrant }];
  const out: { namespace: string; grant: Grant }[] = [];
  for (const [namespace, grants] of permissions.namespaces) {
    const grant = allowing(grants, request);
    if (grant !== undefined) out.push({ namespace, grant });
  }
  return out.sort((a, b) => compareText(a.namespace, b.namespace));
}

/** The names a grant limits an account action to, checked against the request it allows. */
function limitedNames(grant: Grant): readonly string[] | undefined {
  return grant.rule.resourceNames.length === 0 ? undefined : grant.rule.resourceNames;
}

/** Everything one subject can do to become someone else, from its own permissions. */
function movesFrom(analysis: Analysis, subject: Subject): Moves {
  const graph = analysis.graph;
  const permissions = analysis.permissionsOf(subject);
  const accounts: AccountMove[] = [];
  const steps: Step[] = [];

  // Pods and pod controllers: the first kind allowed per namespace names the way in.
  const podNamespaces = new Map<string, { grant: Grant; resource: string }>();
  for (const [group, resource] of POD_KINDS) {
    for (const { namespace, grant } of allowedNamespaces(permissions, attrs('create', group, resource))) {
      if (!podNamespaces.has(namespace)) podNamespaces.set(namespace, { grant, resource: group === '' ? resource : `${resource}.${group}` });
    }
  }
  const everywhere = podNamespaces.get('*');
  for (const [namespace, { grant, resource }] of podNamespaces) {
    if (everywhere === undefined || namespace === '*') accounts.push({ kind: 'create-pods', namespace, names: undefined, grant, resource });
  }

  // Tokens and ServiceAccount impersonation. A rule limited by name reaches those names only.
  for (const [kind, request] of [
    ['create-token', attrs('create', '', 'serviceaccounts', ANY_NAME, 'token')],
    ['impersonate', attrs('impersonate', '', 'serviceaccounts', ANY_NAME)],
  ] as const) {
    const unlimited = allowedNamespaces(permissions, request);
    for (const { namespace, grant } of unlimited) accounts.push({ kind, namespace, names: undefined, grant, resource: '' });
    if (unlimited.some((m) => m.namespace === '*')) continue;
    const covered = new Set(unlimited.map((m) => m.namespace));
    const scopes: [string, readonly Grant[]][] = [['*', permissions.cluster], ...permissions.namespaces];
    for (const [namespace, grants] of scopes) {
      for (const grant of grants) {
        const names = limitedNames(grant);
        if (names === undefined || covered.has(namespace)) continue;
        const allowed = names.filter((name) => ruleAllowsResource(grant.rule, { ...request, name }));
        if (allowed.length > 0) accounts.push({ kind, namespace, names: allowed, grant, resource: '' });
      }
    }
  }

  // Secrets that hold ServiceAccount tokens.
  for (const [namespace, secrets] of graph.tokenSecrets) {
    const grants = grantsIn(permissions, namespace);
    if (grants.length === 0) continue;
    const listing = allowing(grants, attrs('list', '', 'secrets')) ?? allowing(grants, attrs('watch', '', 'secrets'));
    for (const [secret, account] of secrets) {
      const read = listing ?? allowing(grants, attrs('get', '', 'secrets', secret));
      if (read === undefined) continue;
      steps.push({
        kind: 'read-token-secret',
        action: `read Secret ${namespace}/${secret} (a token of ${account})`,
        namespace,
        via: [read],
        target: { kind: 'subject', subject: serviceAccount(namespace, account) },
      });
    }
  }

  // Users and groups are cluster-scoped for impersonation: only ClusterRoleBindings count.
  const cluster = permissions.cluster.filter((g) => verbMatches(g.rule, 'impersonate'));
  let someUser: Grant | undefined = accounts.find((m) => m.kind === 'impersonate')?.grant;
  if (cluster.length > 0) {
    for (const other of graph.subjects) {
      if (other.kind !== 'User' || parseServiceAccountUser(other.name) !== undefined) continue;
      const grant = allowing(cluster, attrs('impersonate', '', 'users', other.name));
      if (grant === undefined) continue;
      someUser ??= grant;
      steps.push({ kind: 'impersonate', action: `impersonate User ${other.name}`, namespace: '', via: [grant], target: { kind: 'subject', subject: other } });
    }
    someUser ??= allowing(cluster, attrs('impersonate', '', 'users', ANY_NAME));
  }
  // The API server refuses to impersonate a group without a user, so groups need one too.
  if (someUser !== undefined) {
    const groups = new Set<string>([MASTERS]);
    for (const other of graph.subjects) if (other.kind === 'Group') groups.add(other.name);
    for (const group of [...groups].sort(compareText)) {
      const grant = allowing(cluster, attrs('impersonate', '', 'groups', group));
      if (grant === undefined) continue;
      const target: Target =
        group === MASTERS
          ? { kind: 'everything', namespace: '', why: `${MASTERS} bypasses authorization` }
          : { kind: 'subject', subject: { kind: 'Group', name: group } };
      steps.push({ kind: 'impersonate', action: `impersonate Group ${group}`, namespace: '', via: grant === someUser ? [grant] : [grant, someUser], target });
    }
  }

  bindSteps(analysis, subject, permissions, steps);
  escalateSteps(analysis, subject, permissions, steps);
  return { accounts, steps };
}

/**
 * bind: a binding in a scope plus `bind` on the role. An unlimited `bind` is one step to the
 * most powerful role that adds something, rather than one per role in the cluster.
 */
function bindSteps(analysis: Analysis, subject: Subject, permissions: Permissions, steps: Step[]): void {
  const canBind = (grant: Grant): boolean => verbMatches(grant.rule, 'bind') && apiGroupMatches(grant.rule, RBAC_GROUP);
  const anyBind = permissions.cluster.some(canBind) || [...permissions.namespaces.values()].some((grants) => grants.some(canBind));
  if (!anyBind) return;
  const source = new SourceRights(analysis.rightsOf(subject));
  const inScope = (namespace: string, create: Grant, candidates: readonly RoleNode[]): boolean => {
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
      steps.push({ kind: 'bind', action: `${what} and bind ${describeRef(node.ref)}`, namespace, via: bind === create ? [bind] : [create, bind], target });
      if (unlimited && node.ref.kind === 'ClusterRole') return true;
    }
    return false;
  };
  const clusterBinding = allowing(permissions.cluster, attrs('create', RBAC_GROUP, 'clusterrolebindings'));
  // Binding the strongest ClusterRole cluster-wide subsumes binding anything in a namespace.
  if (clusterBinding !== undefined && inScope('', clusterBinding, analysis.clusterRoles())) return;
  for (const { namespace, grant } of allowedNamespaces(permissions, attrs('create', RBAC_GROUP, 'rolebindings'))) {
    for (const ns of namespace === '*' ? analysis.graph.namespaces : [namespace]) {
      if (!grantsIn(permissions, ns).some(canBind)) continue;
      inScope(ns, grant, [...analysis.rolesIn(ns), ...analysis.clusterRoles()]);
    }
  }
}

/** escalate: rewrite a role bound to oneself. */
function escalateSteps(analysis: Analysis, subject: Subject, permissions: Permissions, steps: Step[]): void {
  const canEscalate = (grant: Grant): boolean => verbMatches(grant.rule, 'escalate');
  if (!permissions.cluster.some(canEscalate) && ![...permissions.namespaces.values()].some((g) => g.some(canEscalate))) return;
  for (const { binding } of bindingsFor(analysis.graph, identityOf(subject))) {
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
}

function serviceAccount(namespace: string, name: string): Subject {
  return { kind: 'ServiceAccount', namespace, name };
}

function accountAction(move: AccountMove, namespace: string, name: string): string {
  switch (move.kind) {
    case 'create-pods':
      return `create ${move.resource} in ${namespace}`;
    case 'create-token':
      return `create a token for ${namespace}/${name}`;
    case 'impersonate':
      return `impersonate ServiceAccount ${namespace}/${name}`;
  }
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

/**
 * Breadth-first from the source. Whole namespaces are marked once entered by a move that
 * reaches all their accounts, so a second way into the same namespace costs nothing; that
 * keeps subjects who may create pods everywhere from revisiting every account at each level.
 */
function paths(analysis: Analysis, source: Subject, options: EscalationOptions): EscalationPath[] {
  const maxDepth = options.maxDepth ?? 3;
  const maxPaths = options.maxPaths ?? Number.POSITIVE_INFINITY;
  const rights = new SourceRights(analysis.rightsOf(source));
  if (rights.isAllPowerful) return [];
  const seen = new Set<string>([subjectKey(source)]);
  const entered = new Set<string>();
  let everywhere = false;
  const out: EscalationPath[] = [];
  let frontier: { subject: Subject; steps: readonly Step[] }[] = [{ subject: source, steps: [] }];
  const reach = (step: Step, before: readonly Step[], next: typeof frontier): boolean => {
    const key = targetKey(step.target);
    if (seen.has(key)) return out.length < maxPaths;
    seen.add(key);
    const gains = analysis.gains(rights, step.target);
    if (gains.length === 0) return true;
    const steps = [...before, step];
    out.push({ source, steps, gains });
    if (step.target.kind === 'subject') next.push({ subject: step.target.subject, steps });
    return out.length < maxPaths;
  };
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const node of frontier) {
      const moves = analysis.movesOf(node.subject);
      for (const move of moves.accounts) {
        if (everywhere) break;
        const namespaces = move.namespace === '*' ? analysis.graph.namespaces : [move.namespace];
        for (const namespace of namespaces) {
          if (entered.has(namespace)) continue;
          const known = analysis.serviceAccounts(namespace);
          for (const name of move.names === undefined ? known : move.names.filter((n) => known.includes(n))) {
            const step: Step = {
              kind: move.kind,
              action: accountAction(move, namespace, name),
              namespace,
              via: [move.grant],
              target: { kind: 'subject', subject: serviceAccount(namespace, name) },
            };
            if (!reach(step, node.steps, next)) return out;
          }
          if (move.names === undefined) entered.add(namespace);
        }
        if (move.namespace === '*' && move.names === undefined) everywhere = true;
      }
      for (const step of moves.steps) if (!reach(step, node.steps, next)) return out;
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
  for (const subject of graph.subjects) {
    if (options.include !== undefined && !options.include(subject)) continue;
    const found = paths(analysis, subject, options);
    if (found.length > 0) out.set(subjectKey(subject), { subject, paths: found });
  }
  return out;
}
