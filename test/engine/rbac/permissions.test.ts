import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import { authorize } from '../../../src/engine/rbac/authorize.js';
import { buildRbacGraph } from '../../../src/engine/rbac/graph.js';
import type { Grant, WhoCanEntry } from '../../../src/engine/rbac/permissions.js';
import { grantsIn, permissionsOf, whoCan } from '../../../src/engine/rbac/permissions.js';
import { describeRule } from '../../../src/engine/rbac/rules.js';
import { identityOf, serviceAccountIdentity } from '../../../src/engine/rbac/subjects.js';
import { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, serviceAccount, urlRule, user } from './objects.js';

const objects = [
  clusterRole('reader', [rule('get,list', 'pods'), urlRule('get', ['/healthz'])]),
  clusterRoleBinding('readers', 'reader', [group('dev'), user('carol')]),
  clusterRole('secret-reader', [rule('get', 'secrets')]),
  roleBinding('shop', 'secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [sa(undefined, 'web'), group('system:serviceaccounts:shop')]),
  role('bank', 'deployer', [rule('create', 'deployments', { apiGroups: ['apps'] })]),
  roleBinding('bank', 'deployer', { kind: 'Role', name: 'deployer' }, [user('alice'), sa('shop', 'web')]),
  roleBinding('bank', 'dangling', { kind: 'Role', name: 'gone' }, [user('alice')]),
  clusterRoleBinding('everyone', 'reader', [group('system:authenticated')]),
  serviceAccount('shop', 'web'),
];
const graph = buildRbacGraph(new Inventory(objects));

function summary(grants: readonly Grant[]): string[] {
  return grants.map((g) => `${g.binding.name}:${describeRule(g.rule)}`);
}

describe('rbac effective permissions', () => {
  it('unites every binding of a ServiceAccount, its implicit groups included', () => {
    const perms = permissionsOf(graph, serviceAccountIdentity('shop', 'web'));
    assert.deepEqual(summary(perms.cluster), ['everyone:get,list pods', 'everyone:get URLs /healthz']);
    assert.deepEqual([...perms.namespaces.keys()].sort(), ['bank', 'shop']);
    assert.deepEqual(summary(perms.namespaces.get('shop') ?? []), ['secrets:get secrets']);
    assert.deepEqual(summary(perms.namespaces.get('bank') ?? []), ['deployer:create deployments in apps']);
  });

  it('counts a binding once however many of its subjects match', () => {
    const perms = permissionsOf(graph, { user: 'carol', groups: ['dev'] });
    assert.deepEqual(summary(perms.cluster), ['readers:get,list pods', 'readers:get URLs /healthz']);
  });

  it('puts cluster-wide grants in force in every namespace', () => {
    const perms = permissionsOf(graph, identityOf({ kind: 'User', name: 'alice' }));
    assert.deepEqual(summary(grantsIn(perms, 'bank')), [
      'everyone:get,list pods',
      'everyone:get URLs /healthz',
      'deployer:create deployments in apps',
    ]);
    assert.deepEqual(summary(grantsIn(perms, 'other')), ['everyone:get,list pods', 'everyone:get URLs /healthz']);
    assert.deepEqual(summary(grantsIn(perms, '')), ['everyone:get,list pods', 'everyone:get URLs /healthz']);
  });

  it('agrees with the authorizer on every rule it lists', () => {
    const identity = serviceAccountIdentity('shop', 'web');
    const perms = permissionsOf(graph, identity);
    for (const [ns, grants] of perms.namespaces) {
      for (const grant of grants) {
        const [verb = ''] = grant.rule.verbs;
        const [resource = ''] = grant.rule.resources;
        const apiGroup = grant.rule.apiGroups[0] ?? '';
        assert.equal(authorize(graph, { ...identity, verb, apiGroup, resource, namespace: ns }).allowed, true);
      }
    }
  });
});

function who(entries: readonly WhoCanEntry[]): string[] {
  return entries.map((e) => `${e.namespace || '*'} ${e.subject.kind}:${e.subject.namespace ?? ''}/${e.subject.name} via ${e.grants.map((g) => g.binding.name).join(',')}`);
}

describe('rbac who-can', () => {
  it('lists the subjects of every binding that allows a namespaced request', () => {
    assert.deepEqual(who(whoCan(graph, { verb: 'get', resource: 'secrets', namespace: 'shop' })), [
      'shop Group:/system:serviceaccounts:shop via secrets',
      'shop ServiceAccount:shop/web via secrets',
    ]);
  });

  it('includes ClusterRoleBindings for namespaced requests', () => {
    assert.deepEqual(who(whoCan(graph, { verb: 'list', resource: 'pods', namespace: 'bank' })), [
      '* User:/carol via readers',
      '* Group:/dev via readers',
      '* Group:/system:authenticated via everyone',
    ]);
  });

  it('answers cluster-wide requests from ClusterRoleBindings only', () => {
    assert.deepEqual(who(whoCan(graph, { verb: 'get', resource: 'secrets' })), []);
  });

  it('answers for every namespace at once', () => {
    assert.deepEqual(who(whoCan(graph, { verb: 'create', apiGroup: 'apps', resource: 'deployments' }, { allNamespaces: true })), [
      'bank User:/alice via deployer',
      'bank ServiceAccount:shop/web via deployer',
    ]);
  });

  it('answers non-resource URLs', () => {
    assert.equal(whoCan(graph, { verb: 'get', path: '/healthz' }).length, 3);
    assert.equal(whoCan(graph, { verb: 'get', path: '/metrics' }).length, 0);
  });

  it('honours wildcards, subresources and resourceNames through its index', () => {
    const g = buildRbacGraph(
      new Inventory([
        clusterRole('any', [rule('get', '*', { apiGroups: ['*'] })]),
        clusterRole('status', [rule('get', '*/status', { apiGroups: ['apps'] })]),
        clusterRole('named', [rule('get', 'deployments', { apiGroups: ['apps'], resourceNames: ['web'] })]),
        clusterRoleBinding('any', 'any', [user('a')]),
        clusterRoleBinding('status', 'status', [user('s')]),
        clusterRoleBinding('named', 'named', [user('n')]),
      ]),
    );
    const names = (q: Parameters<typeof whoCan>[1]): string[] => whoCan(g, q).map((e) => e.subject.name);
    assert.deepEqual(names({ verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status' }), ['a', 's']);
    assert.deepEqual(names({ verb: 'get', apiGroup: 'apps', resource: 'deployments', name: 'web' }), ['a', 'n']);
    assert.deepEqual(names({ verb: 'get', apiGroup: 'apps', resource: 'deployments' }), ['a']);
    assert.deepEqual(names({ verb: 'list', apiGroup: 'apps', resource: 'deployments' }), []);
  });

  it('agrees with the authorizer for each subject it lists', () => {
    const query = { verb: 'get', resource: 'pods', namespace: 'shop' };
    for (const entry of whoCan(graph, query)) {
      const identity = identityOf(entry.subject);
      assert.equal(authorize(graph, { ...identity, ...query }).allowed, true, entry.subject.name);
    }
  });
});
