/**
 * Who a binding names and who a request comes from. A binding subject is a User, a Group or
 * a ServiceAccount; a request comes from a user name with groups. The two meet where the API
 * server's `appliesToUser` meets them: a ServiceAccount subject matches the user name
 * `system:serviceaccount:<namespace>:<name>`, so a User subject spelled that way matches
 * the same requests.
 *
 * Groups: `authorize` takes a request's groups exactly as given, as a SubjectAccessReview
 * does (the API server adds nothing to `spec.groups`). Where we analyse a subject rather than
 * answer a request (effective permissions, escalation paths), `identityOf` adds the groups
 * the authenticator always gives such a principal: every ServiceAccount is in
 * `system:serviceaccounts`, `system:serviceaccounts:<namespace>` and `system:authenticated`,
 * and every other named user in `system:authenticated` (`system:anonymous` instead in
 * `system:unauthenticated`). `impersonatedIdentity` adds groups the way `kubectl --as` does.
 */
import { isRecord } from '../objects.js';

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS = 'system:anonymous';
/** Members bypass authorization altogether (the API server's privileged-group authorizer). */
export const MASTERS = 'system:masters';
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

/** A binding subject; `namespace` only for ServiceAccounts, and unset when it cannot be known. */
export interface Subject {
  readonly kind: SubjectKind;
  readonly name: string;
  readonly namespace?: string;
}

/** Who makes a request: what authentication yields and a SubjectAccessReview carries. */
export interface Identity {
  readonly user: string;
  readonly groups: readonly string[];
}

export function serviceAccountUser(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`, AUTHENTICATED];
}

/** `system:serviceaccount:ns:name` → `{namespace, name}`; undefined for other user names. */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const rest = user.slice(SERVICE_ACCOUNT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1 || rest.indexOf(':', colon + 1) >= 0) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return { user: serviceAccountUser(namespace, name), groups: serviceAccountGroups(namespace) };
}

/** The identity a subject has whenever it makes a request (see the module comment). */
export function identityOf(subject: Subject): Identity {
  switch (subject.kind) {
    case 'ServiceAccount':
      return subject.namespace === undefined
        ? { user: '', groups: [] }
        : serviceAccountIdentity(subject.namespace, subject.name);
    case 'User': {
      const sa = parseServiceAccountUser(subject.name);
      if (sa !== undefined) return serviceAccountIdentity(sa.namespace, sa.name);
      return { user: subject.name, groups: [subject.name === ANONYMOUS ? UNAUTHENTICATED : AUTHENTICATED] };
    }
    case 'Group':
      // Any member of a group other than these two is authenticated as well.
      return {
        user: '',
        groups:
          subject.name === UNAUTHENTICATED || subject.name === AUTHENTICATED
            ? [subject.name]
            : [subject.name, AUTHENTICATED],
      };
  }
}

/**
 * The identity `kubectl --as USER [--as-group G]...` acts as, by the API server's
 * impersonation filter: a ServiceAccount user given no groups gets its two ServiceAccount
 * groups; then any user but `system:anonymous` gets `system:authenticated` unless the groups
 * already hold it or `system:unauthenticated`, and `system:anonymous` gets
 * `system:unauthenticated` unless it is there.
 */
export function impersonatedIdentity(user: string, groups: readonly string[] = []): Identity {
  const sa = parseServiceAccountUser(user);
  const out =
    groups.length === 0 && sa !== undefined
      ? [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${sa.namespace}`]
      : [...groups];
  if (user !== ANONYMOUS) {
    if (!out.includes(AUTHENTICATED) && !out.includes(UNAUTHENTICATED)) out.push(AUTHENTICATED);
  } else if (!out.includes(UNAUTHENTICATED)) {
    out.push(UNAUTHENTICATED);
  }
  return { user, groups: out };
}

/**
 * Ordinal string order, as Go sorts names (the aggregation controller orders ClusterRoles
 * this way); also several times faster than localeCompare on large graphs.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `ServiceAccount shop/web`, `User alice`, `Group dev`. */
export function describeSubject(subject: Subject): string {
  if (subject.kind === 'ServiceAccount') return `ServiceAccount ${subject.namespace ?? '(no namespace)'}/${subject.name}`;
  return `${subject.kind} ${subject.name}`;
}

/** A key unique per subject, for maps and sorting. */
export function subjectKey(subject: Subject): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount:${subject.namespace ?? ''}/${subject.name}`
    : `${subject.kind}:${subject.name}`;
}

function kindOrder(subject: Subject): number {
  return subject.kind === 'User' ? 0 : subject.kind === 'Group' ? 1 : 2;
}

export function compareSubjects(a: Subject, b: Subject): number {
  return (
    kindOrder(a) - kindOrder(b) ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.name, b.name)
  );
}

/** One entry of a binding's `subjects`, as written; undefined when it is not an object. */
export interface RawSubject {
  readonly kind: unknown;
  readonly name: unknown;
  readonly namespace: unknown;
}

/**
 * A binding subject as the authorizer reads it, or a problem saying why it matches no one.
 * A ServiceAccount subject of a RoleBinding without a namespace means the binding's own
 * namespace (the authorizer defaults it); in a ClusterRoleBinding it matches nothing.
 */
export function parseSubject(
  raw: unknown,
  bindingNamespace: string | undefined,
): { readonly subject: Subject } | { readonly problem: string } {
  if (!isRecord(raw)) return { problem: 'is not an object' };
  const { kind, name, namespace } = raw;
  if (typeof name !== 'string' || name === '') return { problem: 'has no name' };
  if (kind === 'User' || kind === 'Group') return { subject: { kind, name } };
  if (kind === 'ServiceAccount') {
    const ns = typeof namespace === 'string' && namespace !== '' ? namespace : bindingNamespace;
    if (ns === undefined || ns === '') return { problem: `ServiceAccount "${name}" has no namespace` };
    return { subject: { kind, name, namespace: ns } };
  }
  return { problem: `has unsupported kind ${JSON.stringify(kind)}` };
}

/** The key a subject is indexed under for request matching: `u:<user name>` or `g:<group>`. */
export function matchKey(subject: Subject): string {
  if (subject.kind === 'Group') return `g:${subject.name}`;
  if (subject.kind === 'ServiceAccount') return `u:${serviceAccountUser(subject.namespace ?? '', subject.name)}`;
  return `u:${subject.name}`;
}

export function identityKeys(identity: Identity): string[] {
  const keys = [`u:${identity.user}`];
  for (const group of identity.groups) keys.push(`g:${group}`);
  return keys;
}

// Groups that stand for whole populations rather than a component; a binding to one of them
// grants every user (or every ServiceAccount) and is never a "system component".
const POPULATION_GROUPS = new Set([AUTHENTICATED, UNAUTHENTICATED, ALL_SERVICE_ACCOUNTS]);

/**
 * A system component, which the role checks leave alone so a fresh cluster is quiet:
 *  - a User or Group named `system:*` — the identities of the control plane and nodes
 *    (`system:kube-controller-manager`, `system:kube-scheduler`, `system:nodes`,
 *    `system:masters`, ...) — except the population groups `system:authenticated`,
 *    `system:unauthenticated`, `system:serviceaccounts[:<ns>]`, the user `system:anonymous`
 *    and ServiceAccount user names, which stand for anyone;
 *  - a ServiceAccount in `kube-system` bound by a binding that follows the bootstrap
 *    policy's naming, binding and role both named `system:*` (the controller-manager's
 *    per-controller accounts, bound by `system:controller:*`). A workload in kube-system
 *    bound to cluster-admin under any other binding name is reported.
 */
export function isSystemSubject(subject: Subject, binding: { readonly name: string; readonly roleName: string }): boolean {
  if (subject.kind === 'ServiceAccount') {
    return subject.namespace === 'kube-system' && binding.name.startsWith('system:') && binding.roleName.startsWith('system:');
  }
  const name = subject.name;
  if (!name.startsWith('system:') || name === ANONYMOUS || POPULATION_GROUPS.has(name)) return false;
  return !name.startsWith(`${ALL_SERVICE_ACCOUNTS}:`) && !name.startsWith(SERVICE_ACCOUNT_PREFIX);
}

/** The population groups and the anonymous user: bindings to them grant (nearly) everyone. */
export function isPublicSubject(subject: Subject): boolean {
  return (
    (subject.kind === 'Group' && (subject.name === AUTHENTICATED || subject.name === UNAUTHENTICATED)) ||
    (subject.kind === 'User' && subject.name === ANONYMOUS)
  );
}
