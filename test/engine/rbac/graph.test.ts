import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { buildRbacGraph, rbacGraphOf } from '../../../src/engine/rbac/graph.js';
import { describeRule } from '../../../src/engine/rbac/rules.js';
import { contextFor } from '../../support/check-harness.js';
import { clusterRole, clusterRoleBinding, role, roleBinding, rule, sa, serviceAccount, user } from './objects.js';

const AGG = 'example.com/aggregate-to-ops';

function aggregating(name: string, selectors: unknown[], rules?: unknown[]): KubeObject {
  return clusterRole(name, rules as never, { aggregationRule: { clusterRoleSelectors: selectors } });
}

function rulesOf(objects: KubeObject[], name: string): string[] {
  const node = buildRbacGraph(new Inventory(objects)).roles.get(`ClusterRole:${name}`);
  return (node?.rules ?? []).map(describeRule);
}

describe('rbac graph: aggregation', () => {
  it('takes the rules of every ClusterRole a selector matches, by name, without duplicates', () => {
    const objects = [
      aggregating('ops', [{ matchLabels: { [AGG]: 'true' } }]),
      clusterRole('b-nodes', [rule('get', 'nodes'), rule('list', 'pods')], { labels: { [AGG]: 'true' } }),
      clusterRole('a-pods', [rule('list', 'pods')], { labels: { [AGG]: 'true' } }),
      clusterRole('other', [rule('*', 'secrets')]),
    ];
    assert.deepEqual(rulesOf(objects, 'ops'), ['list pods', 'get nodes']);
  });

  it('goes through the selectors in order', () => {
    const objects = [
      aggregating('ops', [{ matchLabels: { second: 'x' } }, { matchLabels: { first: 'x' } }]),
      clusterRole('a', [rule('get', 'a')], { labels: { first: 'x' } }),
      clusterRole('b', [rule('get', 'b')], { labels: { second: 'x' } }),
    ];
    assert.deepEqual(rulesOf(objects, 'ops'), ['get b', 'get a']);
  });

  it('follows aggregation through aggregated roles to a fixed point', () => {
    const objects = [
      aggregating('admin', [{ matchLabels: { 'to-admin': 'true' } }]),
      { ...aggregating('edit', [{ matchLabels: { 'to-edit': 'true' } }]), metadata: { name: 'edit', labels: { 'to-admin': 'true' } } },
      clusterRole('edit-pods', [rule('create', 'pods')], { labels: { 'to-edit': 'true' } }),
    ];
    assert.deepEqual(rulesOf(objects, 'admin'), ['create pods']);
  });

  it('never aggregates a role into itself, and survives cycles', () => {
    const objects = [
      { ...aggregating('a', [{ matchLabels: { ring: 'x' } }]), metadata: { name: 'a', labels: { ring: 'x' } } },
      { ...aggregating('b', [{ matchLabels: { ring: 'x' } }]), metadata: { name: 'b', labels: { ring: 'x' } } },
      clusterRole('c', [rule('get', 'pods')], { labels: { ring: 'x' } }),
    ];
    assert.deepEqual(rulesOf(objects, 'a'), ['get pods']);
    assert.deepEqual(rulesOf(objects, 'b'), ['get pods']);
  });

  it('keeps rules a live cluster has already filled in', () => {
    const objects = [
      aggregating('ops', [{ matchLabels: { [AGG]: 'true' } }], [rule('get', 'configmaps')]),
      clusterRole('x', [rule('list', 'pods')], { labels: { [AGG]: 'true' } }),
    ];
    assert.deepEqual(rulesOf(objects, 'ops'), ['get configmaps']);
  });

  it('matches with matchExpressions, and an empty selector matches every ClusterRole', () => {
    const objects = [
      aggregating('expr', [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['ops'] }] }]),
      aggregating('all', [{}]),
      clusterRole('x', [rule('list', 'pods')], { labels: { tier: 'ops' } }),
      clusterRole('y', [rule('get', 'nodes')]),
    ];
    assert.deepEqual(rulesOf(objects, 'expr'), ['list pods']);
    assert.deepEqual(rulesOf(objects, 'all'), ['list pods', 'get nodes']);
  });

  it('ignores invalid selectors and malformed aggregation rules', () => {
    const objects = [
      aggregating('bad', [{ matchExpressions: [{ key: 'tier', operator: 'Near' }] }, 'nonsense']),
      clusterRole('broken', undefined, { aggregationRule: 'yes' }),
      clusterRole('x', [rule('list', 'pods')], { labels: { tier: 'ops' } }),
    ];
    assert.deepEqual(rulesOf(objects, 'bad'), []);
    assert.deepEqual(rulesOf(objects, 'broken'), []);
  });
});

describe('rbac graph: bindings and subjects', () => {
  it('records why a binding grants nothing, and which subjects match no one', () => {
    const graph = buildRbacGraph(
      new Inventory([
        clusterRoleBinding('missing', 'nope', [user('alice')]),
        clusterRoleBinding('to-role', 'r', [sa(undefined, 'web'), { kind: 'Robot', name: 'r2' }, { kind: 'User' }] as never, 'Role'),
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'no-ref', namespace: 'shop' } },
      ]),
    );
    const byName = new Map(graph.bindings.map((b) => [b.ref.name, b]));
    assert.equal(byName.get('missing')?.roleProblem, 'references ClusterRole nope, which does not exist');
    assert.equal(byName.get('to-role')?.roleProblem, 'references Role r, but a ClusterRoleBinding can only reference a ClusterRole');
    assert.deepEqual(byName.get('to-role')?.subjectProblems, [
      'subjects[0] ServiceAccount "web" has no namespace',
      'subjects[1] has unsupported kind "Robot"',
      'subjects[2] has no name',
    ]);
    assert.equal(byName.get('no-ref')?.roleProblem, 'has no roleRef');
  });

  it('lists subjects and namespaces from bindings and ServiceAccounts', () => {
    const graph = buildRbacGraph(
      new Inventory([
        role('shop', 'r', [rule('get', 'pods')]),
        roleBinding('shop', 'b', { kind: 'Role', name: 'r' }, [sa(undefined, 'web'), user('alice')]),
        serviceAccount('bank', 'teller'),
      ]),
    );
    assert.deepEqual(
      graph.subjects.map((s) => `${s.kind}:${s.namespace ?? ''}/${s.name}`),
      ['User:/alice', 'ServiceAccount:bank/teller', 'ServiceAccount:shop/web'],
    );
    assert.deepEqual(graph.namespaces, ['bank', 'shop']);
  });

  it('knows ServiceAccount token Secrets from Secrets and from the account', () => {
    const graph = buildRbacGraph(
      new Inventory([
        {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/service-account-token',
          metadata: { name: 'ci-token', namespace: 'shop', annotations: { 'kubernetes.io/service-account.name': 'ci' } },
        },
        { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'db', namespace: 'shop' } },
        serviceAccount('shop', 'legacy', { secrets: [{ name: 'legacy-token-x' }, 'junk'] }),
      ]),
    );
    assert.deepEqual([...(graph.tokenSecrets.get('shop') ?? [])], [
      ['ci-token', 'ci'],
      ['legacy-token-x', 'legacy'],
    ]);
  });

  it('is shared through the check context and survives pod changes', () => {
    const ctx = contextFor({ objects: [clusterRole('r', [rule('get', 'pods')])] });
    const first = rbacGraphOf(ctx);
    ctx.inventory.upsert({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' } });
    assert.equal(rbacGraphOf(ctx), first);
    ctx.inventory.upsert(clusterRole('r2', []));
    assert.notEqual(rbacGraphOf(ctx), first);
  });

  it('tolerates objects with missing or mistyped fields', () => {
    const junk = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [null, 3, { verbs: 'get' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: 'admin', subjects: { kind: 'User' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' }, secrets: 'no' },
    ] as KubeObject[];
    const graph = buildRbacGraph(new Inventory(junk));
    assert.equal(graph.bindings.length, 2);
    assert.equal(graph.roles.get('Role:/r')?.rules.length, 3);
  });
});
