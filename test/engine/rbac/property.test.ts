/**
 * Property tests over random RBAC graphs: nothing crashes on any input, the authorizer
 * agrees with a literal reading of the API server's algorithm written here independently,
 * and who-can, effective permissions and the authorizer agree with one another.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { authorize } from '../../../src/engine/rbac/authorize.js';
import type { ResourceRequest } from '../../../src/engine/rbac/authorize.js';
import { allEscalationPaths } from '../../../src/engine/rbac/escalation.js';
import { buildRbacGraph } from '../../../src/engine/rbac/graph.js';
import { grantsIn, permissionsOf, whoCan } from '../../../src/engine/rbac/permissions.js';
import { ruleAllowsResource } from '../../../src/engine/rbac/rules.js';
import type { Subject } from '../../../src/engine/rbac/subjects.js';
import { identityOf, serviceAccountUser } from '../../../src/engine/rbac/subjects.js';

const RUNS = 200;

const NAMESPACES = ['shop', 'bank'];
const NAMES = ['a', 'b', 'default', 'system:x'];
const ROLE_NAMES = ['a', 'b'];
const VERBS = ['get', 'list', 'create', 'update', 'impersonate', 'bind', 'escalate', '*'];
const GROUPS = ['', 'apps', 'rbac.authorization.k8s.io', '*'];
const RESOURCES = ['pods', 'pods/exec', 'pods/*', '*/exec', '*', 'secrets', 'serviceaccounts', 'serviceaccounts/token', 'deployments', 'roles', 'clusterroles', 'rolebindings', 'users', 'groups'];
const URLS = ['/healthz', '/api/*', '/api', '*'];

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const some = <T>(values: readonly T[], max = 3, min = 0): fc.Arbitrary<T[]> => fc.uniqueArray(pick(values), { minLength: min, maxLength: max });

const ruleArb = fc.record(
  {
    verbs: some(VERBS, 3, 1),
    apiGroups: some(GROUPS, 2, 1),
    resources: some(RESOURCES, 3, 1),
    resourceNames: fc.oneof(fc.constant([]), some(NAMES, 2)),
    nonResourceURLs: some(URLS, 2),
  },
  { requiredKeys: ['verbs', 'apiGroups', 'resources'] },
);

const subjectArb = fc.oneof(
  fc.record({ kind: fc.constant('User'), name: pick([...NAMES, 'system:serviceaccount:shop:a']) }),
  fc.record({ kind: fc.constant('Group'), name: pick([...NAMES, 'system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated']) }),
  fc.record({ kind: fc.constant('ServiceAccount'), name: pick(NAMES), namespace: fc.option(pick(NAMESPACES), { nil: undefined }) }),
  fc.record({ kind: fc.constant('Robot'), name: pick(NAMES) }),
);

const rbac = 'rbac.authorization.k8s.io/v1';
const roleArb: fc.Arbitrary<KubeObject> = fc.oneof(
  fc.record({
    apiVersion: fc.constant(rbac),
    kind: fc.constant('Role'),
    metadata: fc.record({ name: pick(ROLE_NAMES), namespace: pick(NAMESPACES) }),
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    apiVersion: fc.constant(rbac),
    kind: fc.constant('ClusterRole'),
    metadata: fc.record({ name: pick(ROLE_NAMES) }),
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
  }),
) as fc.Arbitrary<KubeObject>;

const accountArb = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('ServiceAccount'),
  metadata: fc.record({ name: pick(NAMES), namespace: pick(NAMESPACES) }),
}) as fc.Arbitrary<KubeObject>;

/** A binding, usually to one of `roles` (and then as the API allows), sometimes dangling. */
function bindingArb(roles: readonly KubeObject[]): fc.Arbitrary<KubeObject> {
  const refs = roles.map((r) => ({ kind: String(r.kind), name: r.metadata?.name ?? '', namespace: r.metadata?.namespace }));
  const ref = fc.oneof(
    { weight: 4, arbitrary: pick(refs) },
    { weight: 1, arbitrary: fc.record({ kind: pick(['Role', 'ClusterRole', 'Other']), name: pick(ROLE_NAMES), namespace: pick(NAMESPACES) }) },
  );
  return fc.tuple(ref, fc.array(subjectArb, { minLength: 1, maxLength: 3 }), pick(NAMES), fc.boolean(), pick(NAMESPACES)).map(
    ([target, subjects, name, cluster, otherNs]) => {
      const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: target.kind, name: target.name };
      if (target.kind === 'ClusterRole' && cluster) {
        return { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name }, roleRef, subjects } as KubeObject;
      }
      const namespace = target.kind === 'Role' ? (target.namespace ?? otherNs) : otherNs;
      return { apiVersion: rbac, kind: 'RoleBinding', metadata: { name, namespace }, roleRef, subjects } as KubeObject;
    },
  );
}

const graphArb: fc.Arbitrary<KubeObject[]> = fc
  .tuple(fc.array(roleArb, { minLength: 1, maxLength: 4 }), fc.array(accountArb, { maxLength: 3 }))
  .chain(([roles, accounts]) => fc.array(bindingArb(roles), { minLength: 1, maxLength: 6 }).map((bindings) => [...roles, ...accounts, ...bindings]));

const requestArb: fc.Arbitrary<ResourceRequest> = fc.record({
  user: pick(['a', 'b', 'system:x', serviceAccountUser('shop', 'a'), serviceAccountUser('bank', 'default')]),
  groups: some(['a', 'system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'], 2),
  verb: pick(VERBS.filter((v) => v !== '*')),
  apiGroup: pick(GROUPS.filter((g) => g !== '*')),
  resource: pick(['pods', 'secrets', 'serviceaccounts', 'deployments', 'roles', 'users']),
  subresource: pick(['', '', 'exec', 'token', '*']),
  name: pick(['', 'a', 'b']),
  namespace: pick(['', ...NAMESPACES]),
});

/**
 * Requests drawn close to a graph's own rules and subjects, so that "allowed" is common:
 * a subject of some binding asks for something a rule of some role names.
 */
function nearRequest(objects: readonly KubeObject[]): fc.Arbitrary<ResourceRequest> {
  type RawRule = { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] };
  type RawSubject = { kind: string; name: string; namespace?: string };
  const raw = objects as unknown as Raw[];
  const pairs: { subjects: RawSubject[]; rules: RawRule[]; namespace: string | undefined }[] = [];
  for (const binding of raw) {
    if ((binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') || (binding.subjects ?? []).length === 0) continue;
    const ns = binding.kind === 'RoleBinding' ? binding.metadata?.namespace : undefined;
    for (const role of raw) {
      const sameName = role.kind === binding.roleRef?.kind && role.metadata?.name === binding.roleRef?.name;
      const sameScope = role.kind === 'ClusterRole' || role.metadata?.namespace === ns;
      if (sameName && sameScope && Array.isArray(role.rules) && role.rules.length > 0) {
        pairs.push({ subjects: binding.subjects as RawSubject[], rules: role.rules as RawRule[], namespace: ns });
      }
    }
  }
  if (pairs.length === 0) return requestArb;
  const concrete = (values: readonly string[] | undefined, wildcard: string): fc.Arbitrary<string> => {
    const list = (values ?? []).map((v) => (v === '*' ? wildcard : v));
    return list.length === 0 ? fc.constant(wildcard) : pick(list);
  };
  const resourceOf = (entry: string): { resource: string; subresource: string } => {
    const [resource = '', subresource = ''] = entry.split('/');
    return { resource: resource === '*' ? 'pods' : resource, subresource: subresource === '*' ? 'exec' : subresource };
  };
  return pick(pairs).chain((pair) =>
    fc
      .tuple(pick(pair.subjects), pick(pair.rules), pick(pair.namespace === undefined ? ['', ...NAMESPACES] : [pair.namespace, pair.namespace, '']))
      .chain(([subject, rule, namespace]) =>
        fc
          .tuple(
            concrete(rule.verbs, 'get'),
            concrete(rule.apiGroups, 'apps'),
            concrete(rule.resources, 'pods').map(resourceOf),
            (rule.resourceNames ?? []).length > 0 ? fc.oneof(pick(rule.resourceNames ?? []), fc.constant('')) : fc.constant(''),
          )
          .map(([verb, apiGroup, { resource, subresource }, name]) => ({
            user:
              subject.kind === 'ServiceAccount'
                ? serviceAccountUser(subject.namespace ?? namespace, subject.name)
                : subject.kind === 'User'
                  ? subject.name
                  : 'someone',
            groups: subject.kind === 'Group' ? [subject.name] : [],
            verb,
            apiGroup,
            resource,
            subresource,
            name,
            namespace,
          })),
      ),
  );
}

const graphAndRequests = graphArb.chain((objects) => fc.tuple(fc.constant(objects), fc.array(fc.oneof({ weight: 1, arbitrary: requestArb }, { weight: 3, arbitrary: nearRequest(objects) }), { minLength: 1, maxLength: 10 })));

// --- an independent, literal reading of VisitRulesFor + appliesToUser + RuleAllows ---

interface Raw {
  kind?: unknown;
  metadata?: { name?: string; namespace?: string };
  rules?: unknown;
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

function referenceAllows(objects: readonly KubeObject[], req: ResourceRequest): boolean {
  // The inventory keeps the last object of each kind/namespace/name, as the API server keeps one.
  const latest = new Map<string, Raw>();
  for (const o of objects as unknown as Raw[]) latest.set(`${String(o.kind)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o);
  const all = [...latest.values()];
  const groups = req.groups ?? [];
  const applies = (s: { kind?: string; name?: string; namespace?: string }, ns: string): boolean => {
    if (s.kind === 'User') return s.name === req.user;
    if (s.kind === 'Group') return groups.includes(s.name ?? '');
    if (s.kind === 'ServiceAccount') {
      const saNs = s.namespace !== undefined && s.namespace !== '' ? s.namespace : ns;
      return saNs !== '' && `system:serviceaccount:${saNs}:${s.name}` === req.user;
    }
    return false;
  };
  const rulesOf = (ref: { kind?: string; name?: string } | undefined, ns: string): unknown[] => {
    const found =
      ref?.kind === 'ClusterRole'
        ? all.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === ref.name)
        : ref?.kind === 'Role' && ns !== ''
          ? all.find((o) => o.kind === 'Role' && o.metadata?.namespace === ns && o.metadata?.name === ref.name)
          : undefined;
    return Array.isArray(found?.rules) ? found.rules : [];
  };
  const ruleAllows = (r: Record<string, string[] | undefined>): boolean => {
    const has = (list: string[] | undefined, v: string): boolean => (list ?? []).includes('*') || (list ?? []).includes(v);
    const combined = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
    const resOk = (r['resources'] ?? []).some((x) => x === '*' || x === combined || (req.subresource !== '' && x === `*/${req.subresource}`));
    const names = r['resourceNames'] ?? [];
    return has(r['verbs'], req.verb) && has(r['apiGroups'], req.apiGroup ?? '') && resOk && (names.length === 0 || names.includes(req.name ?? ''));
  };
  const ns = req.namespace ?? '';
  const bindings = all.filter((o) => o.kind === 'ClusterRoleBinding' || (ns !== '' && o.kind === 'RoleBinding' && o.metadata?.namespace === ns));
  for (const b of bindings) {
    const bns = b.kind === 'RoleBinding' ? ns : '';
    if (!(b.subjects ?? []).some((s) => applies(s, bns))) continue;
    if ((rulesOf(b.roleRef, bns) as Record<string, string[]>[]).some(ruleAllows)) return true;
  }
  return false;
}

/** The identity of a subject with no groups beyond its own, for who-can cross-checks. */
function bare(subject: Subject): { user: string; groups: string[] } {
  if (subject.kind === 'Group') return { user: '\u0000', groups: [subject.name] };
  if (subject.kind === 'ServiceAccount') return { user: serviceAccountUser(subject.namespace ?? '', subject.name), groups: [] };
  return { user: subject.name, groups: [] };
}

describe('rbac properties', () => {
  it('never crashes on arbitrary objects', () => {
    const junk = graphArb.chain((graph) => fc.array(
      fc.oneof(
        roleArb,
        accountArb,
        fc.record({ kind: pick(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount', 'Secret']), metadata: fc.record({ name: pick(NAMES) }) }).chain((base) =>
          fc.dictionary(pick(['rules', 'roleRef', 'subjects', 'aggregationRule', 'secrets', 'type']), fc.anything()).map((fields) => ({ ...base, ...fields }) as KubeObject),
        ),
      ),
      { maxLength: 8 },
    ).map((extra) => [...graph, ...extra]));
    fc.assert(
      fc.property(junk, requestArb, (objects, request) => {
        const graph = buildRbacGraph(new Inventory(objects));
        authorize(graph, request);
        authorize(graph, { user: request.user, verb: request.verb, path: '/healthz' });
        whoCan(graph, request, { allNamespaces: true });
        for (const subject of graph.subjects) permissionsOf(graph, identityOf(subject));
        allEscalationPaths(graph);
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with a literal reading of the API server on every request', () => {
    const tally = { asked: 0, allowed: 0 };
    fc.assert(
      fc.property(graphAndRequests, ([objects, requests]) => {
        const graph = buildRbacGraph(new Inventory(objects));
        for (const request of requests) {
          const allowed: boolean = authorize(graph, request, { privilegedGroup: false }).allowed;
          assert.equal(allowed, referenceAllows(objects, request), JSON.stringify(request));
          tally.asked++;
          if (allowed) tally.allowed++;
        }
      }),
      { numRuns: RUNS },
    );
    // A differential test that only ever says "no" proves nothing.
    assert.ok(tally.allowed > tally.asked / 10, `only ${tally.allowed} of ${tally.asked} requests allowed`);
  });

  it('lists in who-can exactly the binding subjects the authorizer allows', () => {
    fc.assert(
      fc.property(graphAndRequests, ([objects, [request]]) => {
        if (request === undefined) return;
        const graph = buildRbacGraph(new Inventory(objects));
        const ns = request.namespace ?? '';
        // A User subject spelled `system:serviceaccount:ns:name` is that ServiceAccount.
        const key = (subject: Subject): string => JSON.stringify(bare(subject));
        const listed = new Set(whoCan(graph, request).map((e) => key(e.subject)));
        for (const subject of graph.subjects) {
          const allowed: boolean = authorize(graph, { ...request, ...bare(subject) }, { privilegedGroup: false }).allowed;
          assert.equal(listed.has(key(subject)), allowed, `${JSON.stringify(subject)} in ${ns}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('allows exactly what the effective permissions list', () => {
    fc.assert(
      fc.property(graphAndRequests, ([objects, [request]]) => {
        if (request === undefined) return;
        const graph = buildRbacGraph(new Inventory(objects));
        const identity = { user: request.user, groups: request.groups ?? [] };
        const grants = grantsIn(permissionsOf(graph, identity), request.namespace ?? '');
        const attrs = { verb: request.verb, apiGroup: request.apiGroup ?? '', resource: request.resource, subresource: request.subresource ?? '', name: request.name ?? '' };
        assert.equal(grants.some((g) => ruleAllowsResource(g.rule, attrs)), authorize(graph, request, { privilegedGroup: false }).allowed);
      }),
      { numRuns: RUNS },
    );
  });
});
