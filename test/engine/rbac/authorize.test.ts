import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { AccessRequest } from '../../../src/engine/rbac/authorize.js';
import { authorize, parseResourceSpec } from '../../../src/engine/rbac/authorize.js';
import { buildRbacGraph } from '../../../src/engine/rbac/graph.js';
import { impersonatedIdentity } from '../../../src/engine/rbac/subjects.js';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, urlRule, user } from './objects.js';
import type { RuleSpec } from './objects.js';

/** A cluster where `alice` holds exactly `rules` through a ClusterRoleBinding. */
function clusterWide(rules: readonly RuleSpec[]): KubeObject[] {
  return [clusterRole('r', rules), clusterRoleBinding('b', 'r', [user('alice')])];
}

/** A cluster where `alice` holds exactly `rules` through a RoleBinding in `shop`. */
function inShop(rules: readonly RuleSpec[]): KubeObject[] {
  return [role('shop', 'r', rules), roleBinding('shop', 'b', { kind: 'Role', name: 'r' }, [user('alice')])];
}

const alice = { user: 'alice', groups: [] as string[] };

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly request: AccessRequest;
  readonly allowed: boolean;
}

const cases: Case[] = [
  // verbs
  { name: 'exact verb', objects: clusterWide([rule('get', 'pods')]), request: { ...alice, verb: 'get', resource: 'pods', namespace: 'shop' }, allowed: true },
  { name: 'other verb', objects: clusterWide([rule('get', 'pods')]), request: { ...alice, verb: 'list', resource: 'pods', namespace: 'shop' }, allowed: false },
  { name: 'verb *', objects: clusterWide([rule('*', 'pods')]), request: { ...alice, verb: 'deletecollection', resource: 'pods' }, allowed: true },
  { name: 'no verbs grant nothing', objects: clusterWide([rule([], 'pods')]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  { name: 'verbs are case-sensitive', objects: clusterWide([rule('GET', 'pods')]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  // API groups
  { name: 'core group is the empty string', objects: clusterWide([rule('get', 'deployments')]), request: { ...alice, verb: 'get', apiGroup: 'apps', resource: 'deployments' }, allowed: false },
  { name: 'named group', objects: clusterWide([rule('get', 'deployments', { apiGroups: ['apps'] })]), request: { ...alice, verb: 'get', apiGroup: 'apps', resource: 'deployments' }, allowed: true },
  { name: 'group *', objects: clusterWide([rule('get', 'widgets', { apiGroups: ['*'] })]), request: { ...alice, verb: 'get', apiGroup: 'example.com', resource: 'widgets' }, allowed: true },
  { name: 'no apiGroups grant nothing', objects: clusterWide([rule('get', 'pods', { apiGroups: [] })]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  // resources and subresources
  { name: 'resource *', objects: clusterWide([rule('get', '*')]), request: { ...alice, verb: 'get', resource: 'secrets' }, allowed: true },
  { name: 'resource * covers subresources', objects: clusterWide([rule('create', '*')]), request: { ...alice, verb: 'create', resource: 'pods', subresource: 'exec' }, allowed: true },
  { name: 'plain resource does not cover its subresources', objects: clusterWide([rule('create', 'pods')]), request: { ...alice, verb: 'create', resource: 'pods', subresource: 'exec' }, allowed: false },
  { name: 'resource/subresource', objects: clusterWide([rule('create', 'pods/exec')]), request: { ...alice, verb: 'create', resource: 'pods', subresource: 'exec' }, allowed: true },
  { name: 'resource/subresource does not grant the resource', objects: clusterWide([rule('get', 'pods/log')]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  { name: '*/subresource', objects: clusterWide([rule('get', '*/status', { apiGroups: ['*'] })]), request: { ...alice, verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status' }, allowed: true },
  { name: '*/subresource needs that subresource', objects: clusterWide([rule('get', '*/status')]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  { name: '*/subresource is exact about the subresource', objects: clusterWide([rule('get', '*/status')]), request: { ...alice, verb: 'get', resource: 'pods', subresource: 'xstatus' }, allowed: false },
  { name: 'resource/* is not a wildcard to the API server', objects: clusterWide([rule('create', 'pods/*')]), request: { ...alice, verb: 'create', resource: 'pods', subresource: 'exec' }, allowed: false },
  { name: 'resource/* matches a literal * subresource only', objects: clusterWide([rule('create', 'pods/*')]), request: { ...alice, verb: 'create', resource: 'pods', subresource: '*' }, allowed: true },
  // resourceNames
  { name: 'resourceNames: listed name', objects: clusterWide([rule('get', 'secrets', { resourceNames: ['tls'] })]), request: { ...alice, verb: 'get', resource: 'secrets', name: 'tls' }, allowed: true },
  { name: 'resourceNames: other name', objects: clusterWide([rule('get', 'secrets', { resourceNames: ['tls'] })]), request: { ...alice, verb: 'get', resource: 'secrets', name: 'db' }, allowed: false },
  { name: 'resourceNames: a request without a name (list) does not match', objects: clusterWide([rule('list', 'secrets', { resourceNames: ['tls'] })]), request: { ...alice, verb: 'list', resource: 'secrets' }, allowed: false },
  { name: 'resourceNames: create has no name', objects: clusterWide([rule('create', 'pods', { resourceNames: ['web'] })]), request: { ...alice, verb: 'create', resource: 'pods' }, allowed: false },
  { name: 'empty resourceNames: every name', objects: clusterWide([rule('get', 'secrets', { resourceNames: [] })]), request: { ...alice, verb: 'get', resource: 'secrets', name: 'db' }, allowed: true },
  { name: 'resourceNames are not globs', objects: clusterWide([rule('get', 'secrets', { resourceNames: ['*'] })]), request: { ...alice, verb: 'get', resource: 'secrets', name: 'db' }, allowed: false },
  // non-resource URLs
  { name: 'URL exact', objects: clusterWide([urlRule('get', ['/healthz'])]), request: { ...alice, verb: 'get', path: '/healthz' }, allowed: true },
  { name: 'URL not a prefix without *', objects: clusterWide([urlRule('get', ['/healthz'])]), request: { ...alice, verb: 'get', path: '/healthz/etcd' }, allowed: false },
  { name: 'URL trailing *', objects: clusterWide([urlRule('get', ['/healthz/*'])]), request: { ...alice, verb: 'get', path: '/healthz/etcd' }, allowed: true },
  { name: 'URL trailing * is a plain prefix', objects: clusterWide([urlRule('get', ['/api*'])]), request: { ...alice, verb: 'get', path: '/apis/apps' }, allowed: true },
  { name: 'URL *', objects: clusterWide([urlRule('*', ['*'])]), request: { ...alice, verb: 'post', path: '/anything' }, allowed: true },
  { name: 'URL rules grant no resources', objects: clusterWide([urlRule('*', ['*'])]), request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  { name: 'resource rules grant no URLs', objects: clusterWide([rule('*', '*', { apiGroups: ['*'] })]), request: { ...alice, verb: 'get', path: '/healthz' }, allowed: false },
  { name: 'URL rules from a RoleBinding never apply', objects: inShop([urlRule('get', ['/healthz'])]), request: { ...alice, verb: 'get', path: '/healthz' }, allowed: false },
  // scope
  { name: 'RoleBinding: its namespace', objects: inShop([rule('get', 'pods')]), request: { ...alice, verb: 'get', resource: 'pods', namespace: 'shop' }, allowed: true },
  { name: 'RoleBinding: another namespace', objects: inShop([rule('get', 'pods')]), request: { ...alice, verb: 'get', resource: 'pods', namespace: 'bank' }, allowed: false },
  { name: 'RoleBinding: not cluster-wide', objects: inShop([rule('list', 'pods')]), request: { ...alice, verb: 'list', resource: 'pods' }, allowed: false },
  { name: 'ClusterRoleBinding: every namespace', objects: clusterWide([rule('get', 'pods')]), request: { ...alice, verb: 'get', resource: 'pods', namespace: 'bank' }, allowed: true },
  {
    name: 'RoleBinding to a ClusterRole: scoped to the binding namespace',
    objects: [clusterRole('reader', [rule('get', 'pods')]), roleBinding('shop', 'b', { kind: 'ClusterRole', name: 'reader' }, [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'pods', namespace: 'shop' },
    allowed: true,
  },
  {
    name: 'RoleBinding to a ClusterRole: not elsewhere',
    objects: [clusterRole('reader', [rule('get', 'pods')]), roleBinding('shop', 'b', { kind: 'ClusterRole', name: 'reader' }, [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'pods', namespace: 'bank' },
    allowed: false,
  },
  {
    name: 'RoleBinding to a ClusterRole: not for cluster-scoped resources',
    objects: [clusterRole('nodes', [rule('get', 'nodes')]), roleBinding('shop', 'b', { kind: 'ClusterRole', name: 'nodes' }, [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'nodes' },
    allowed: false,
  },
  {
    name: 'RoleBinding uses the Role of its own namespace',
    objects: [role('bank', 'r', [rule('get', 'pods')]), roleBinding('shop', 'b', { kind: 'Role', name: 'r' }, [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'pods', namespace: 'shop' },
    allowed: false,
  },
  // dangling references
  { name: 'dangling ClusterRole grants nothing', objects: [clusterRoleBinding('b', 'missing', [user('alice')])], request: { ...alice, verb: 'get', resource: 'pods' }, allowed: false },
  {
    name: 'ClusterRoleBinding to a Role grants nothing',
    objects: [role('shop', 'r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [user('alice')], 'Role')],
    request: { ...alice, verb: 'get', resource: 'pods', namespace: 'shop' },
    allowed: false,
  },
  {
    name: 'unknown roleRef kind grants nothing',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [user('alice')], 'Thing')],
    request: { ...alice, verb: 'get', resource: 'pods' },
    allowed: false,
  },
  // subjects
  { name: 'User by name', objects: clusterWide([rule('get', 'pods')]), request: { user: 'bob', verb: 'get', resource: 'pods' }, allowed: false },
  {
    name: 'Group membership from the request',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [group('dev')])],
    request: { user: 'bob', groups: ['dev'], verb: 'get', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'a user named like a group is not in it',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [group('dev')])],
    request: { user: 'dev', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'ServiceAccount subject matches its user name',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [sa('shop', 'web')])],
    request: { user: 'system:serviceaccount:shop:web', verb: 'get', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'ServiceAccount subject of another namespace',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [sa('shop', 'web')])],
    request: { user: 'system:serviceaccount:bank:web', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'ServiceAccount without namespace in a RoleBinding: the binding namespace',
    objects: [role('shop', 'r', [rule('get', 'pods')]), roleBinding('shop', 'b', { kind: 'Role', name: 'r' }, [sa(undefined, 'web')])],
    request: { user: 'system:serviceaccount:shop:web', verb: 'get', resource: 'pods', namespace: 'shop' },
    allowed: true,
  },
  {
    name: 'ServiceAccount without namespace in a ClusterRoleBinding matches no one',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [sa(undefined, 'web')])],
    request: { user: 'system:serviceaccount:default:web', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'RoleBinding for a ServiceAccount of another namespace',
    objects: [role('shop', 'r', [rule('get', 'pods')]), roleBinding('shop', 'b', { kind: 'Role', name: 'r' }, [sa('ci', 'deployer')])],
    request: { user: 'system:serviceaccount:ci:deployer', verb: 'get', resource: 'pods', namespace: 'shop' },
    allowed: true,
  },
  {
    name: 'a User subject spelled as a ServiceAccount user name matches it',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [user('system:serviceaccount:shop:web')])],
    request: { user: 'system:serviceaccount:shop:web', verb: 'get', resource: 'pods' },
    allowed: true,
  },
  {
    name: 'system:serviceaccounts:<ns> is not added to SubjectAccessReview groups',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [group('system:serviceaccounts:shop')])],
    request: { user: 'system:serviceaccount:shop:web', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'system:authenticated is not added to SubjectAccessReview groups',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [group('system:authenticated')])],
    request: { user: 'alice', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'unknown subject kinds match no one',
    objects: [clusterRole('r', [rule('get', 'pods')]), clusterRoleBinding('b', 'r', [{ kind: 'Robot', name: 'alice' }])],
    request: { user: 'alice', verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'system:masters is allowed everything',
    objects: [],
    request: { user: 'root', groups: ['system:masters'], verb: 'delete', resource: 'nodes' },
    allowed: true,
  },
  // aggregation
  {
    name: 'aggregated ClusterRole resolved from selectors',
    objects: [
      clusterRole('monitoring', undefined, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }] } }),
      clusterRole('monitoring-pods', [rule('list', 'pods')], { labels: { 'example.com/aggregate-to-monitoring': 'true' } }),
      clusterRoleBinding('b', 'monitoring', [user('alice')]),
    ],
    request: { ...alice, verb: 'list', resource: 'pods' },
    allowed: true,
  },
  // malformed input
  {
    name: 'rules that are not a list grant nothing',
    objects: [{ ...clusterRole('r', []), rules: 'everything' }, clusterRoleBinding('b', 'r', [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'pods' },
    allowed: false,
  },
  {
    name: 'mistyped rule fields are ignored, the rest still applies',
    objects: [clusterRole('r', [{ verbs: ['get', 7], apiGroups: [''], resources: ['pods', null] } as unknown as RuleSpec]), clusterRoleBinding('b', 'r', [user('alice')])],
    request: { ...alice, verb: 'get', resource: 'pods' },
    allowed: true,
  },
];

describe('rbac authorize', () => {
  for (const c of cases) {
    it(c.name, () => {
      const graph = buildRbacGraph(new Inventory(c.objects));
      assert.equal(authorize(graph, c.request).allowed, c.allowed);
    });
  }

  it('names every grant, ClusterRoleBindings first, with the API server reason', () => {
    const graph = buildRbacGraph(
      new Inventory([
        clusterRole('reader', [rule('get', 'configmaps'), rule('get,list', 'pods')]),
        clusterRoleBinding('z-readers', 'reader', [group('dev')]),
        role('shop', 'pods', [rule('*', 'pods')]),
        roleBinding('shop', 'a-pods', { kind: 'Role', name: 'pods' }, [user('alice')]),
      ]),
    );
    const decision = authorize(graph, { user: 'alice', groups: ['dev'], verb: 'get', resource: 'pods', namespace: 'shop' });
    assert.deepEqual(
      decision.grants.map((g) => [g.binding.kind, g.binding.name, g.role.name, g.ruleIndex, g.subject.name]),
      [
        ['ClusterRoleBinding', 'z-readers', 'reader', 1, 'dev'],
        ['RoleBinding', 'a-pods', 'pods', 0, 'alice'],
      ],
    );
    assert.equal(decision.reason, 'RBAC: allowed by ClusterRoleBinding "z-readers" of ClusterRole "reader" to Group "dev"');
    assert.equal(authorize(graph, { user: 'alice', groups: ['dev'], verb: 'get', resource: 'pods', namespace: 'shop' }, { firstOnly: true }).grants.length, 1);
  });

  it('names the ClusterRole an aggregated rule came from', () => {
    const graph = buildRbacGraph(
      new Inventory([
        clusterRole('view-all', undefined, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'view' } }] } }),
        clusterRole('view-pods', [rule('get', 'pods')], { labels: { agg: 'view' } }),
        clusterRoleBinding('b', 'view-all', [user('alice')]),
      ]),
    );
    const [grant] = authorize(graph, { ...alice, verb: 'get', resource: 'pods' }).grants;
    assert.equal(grant?.role.name, 'view-all');
    assert.equal(grant?.aggregatedFrom, 'view-pods');
  });

  it('asks RBAC alone when told to', () => {
    const graph = buildRbacGraph(new Inventory([]));
    assert.equal(authorize(graph, { user: 'root', groups: ['system:masters'], verb: 'get', resource: 'pods' }, { privilegedGroup: false }).allowed, false);
  });

  it('answers malformed requests without throwing', () => {
    const graph = buildRbacGraph(new Inventory(clusterWide([rule('get', 'pods')])));
    const odd = { user: 7, groups: 'dev', verb: null, resource: {} } as unknown as AccessRequest;
    assert.equal(authorize(graph, odd).allowed, false);
  });
});

describe('rbac impersonatedIdentity', () => {
  it('gives a ServiceAccount user its groups and system:authenticated', () => {
    assert.deepEqual(impersonatedIdentity('system:serviceaccount:shop:web'), {
      user: 'system:serviceaccount:shop:web',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
    });
  });
  it('adds system:authenticated to given groups', () => {
    assert.deepEqual(impersonatedIdentity('alice', ['dev']), { user: 'alice', groups: ['dev', 'system:authenticated'] });
  });
  it('keeps system:unauthenticated when asked for', () => {
    assert.deepEqual(impersonatedIdentity('alice', ['system:unauthenticated']), { user: 'alice', groups: ['system:unauthenticated'] });
  });
  it('makes system:anonymous unauthenticated', () => {
    assert.deepEqual(impersonatedIdentity('system:anonymous'), { user: 'system:anonymous', groups: ['system:unauthenticated'] });
  });
});

describe('rbac parseResourceSpec', () => {
  const specs: [string, ReturnType<typeof parseResourceSpec>][] = [
    ['pods', { resource: 'pods', apiGroup: '', subresource: '' }],
    ['pods/exec', { resource: 'pods', apiGroup: '', subresource: 'exec' }],
    ['deployments', { resource: 'deployments', apiGroup: 'apps', subresource: '' }],
    ['deployments.apps/scale', { resource: 'deployments', apiGroup: 'apps', subresource: 'scale' }],
    ['widgets.example.com', { resource: 'widgets', apiGroup: 'example.com', subresource: '' }],
    ['constructor', { resource: 'constructor', apiGroup: '', subresource: '' }],
  ];
  for (const [spec, expected] of specs) it(spec, () => assert.deepEqual(parseResourceSpec(spec), expected));
});
