import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { EscalationPath } from '../../../src/engine/rbac/escalation.js';
import { allEscalationPaths, describePath, escalationPaths } from '../../../src/engine/rbac/escalation.js';
import { buildRbacGraph } from '../../../src/engine/rbac/graph.js';
import type { Subject } from '../../../src/engine/rbac/subjects.js';
import {
  CLUSTER_ADMIN,
  clusterRole,
  clusterRoleBinding,
  group,
  role,
  roleBinding,
  rule,
  sa,
  serviceAccount,
  user,
} from './objects.js';

const ALICE: Subject = { kind: 'User', name: 'alice' };

/** `alice` holds `rules` in shop through a RoleBinding. */
function aliceInShop(...rules: ReturnType<typeof rule>[]): KubeObject[] {
  return [role('shop', 'alice', rules), roleBinding('shop', 'alice', { kind: 'Role', name: 'alice' }, [user('alice')])];
}

/** `alice` holds `rules` cluster-wide through a ClusterRoleBinding. */
function aliceEverywhere(...rules: ReturnType<typeof rule>[]): KubeObject[] {
  return [clusterRole('alice', rules), clusterRoleBinding('alice', 'alice', [user('alice')])];
}

/** ServiceAccount shop/deployer, which may read Secrets in shop. */
const DEPLOYER = [
  serviceAccount('shop', 'deployer'),
  role('shop', 'secrets', [rule('get,list', 'secrets')]),
  roleBinding('shop', 'deployer', { kind: 'Role', name: 'secrets' }, [sa('shop', 'deployer')]),
];

function chains(objects: readonly KubeObject[], source: Subject = ALICE, maxDepth?: number): string[] {
  const graph = buildRbacGraph(new Inventory(objects));
  return escalationPaths(graph, source, maxDepth === undefined ? {} : { maxDepth }).map(describePath);
}

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly source?: Subject;
  readonly maxDepth?: number;
  readonly expected: readonly string[];
}

const cases: Case[] = [
  {
    name: 'creating pods in a namespace reaches its ServiceAccounts',
    objects: [...aliceInShop(rule('create', 'pods')), ...DEPLOYER],
    expected: [
      'create pods in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
    ],
  },
  {
    name: 'a pod controller is as good as a pod',
    objects: [...aliceInShop(rule('create', 'cronjobs', { apiGroups: ['batch'] })), ...DEPLOYER],
    expected: [
      'create cronjobs.batch in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
    ],
  },
  {
    name: 'no path when the ServiceAccount holds nothing more',
    objects: [...aliceInShop(rule('create', 'pods'), rule('get,list', 'secrets')), ...DEPLOYER],
    expected: [],
  },
  {
    name: 'no path into a namespace where the subject cannot create pods',
    objects: [...aliceInShop(rule('create', 'pods')), ...DEPLOYER.map((o) => JSON.parse(JSON.stringify(o).replaceAll('"shop"', '"bank"')) as KubeObject)],
    expected: [],
  },
  {
    name: 'ServiceAccounts gain the rights of their namespace group',
    objects: [
      ...aliceInShop(rule('create', 'pods')),
      clusterRole('cm', [rule('get', 'configmaps')]),
      roleBinding('shop', 'all-sa', { kind: 'ClusterRole', name: 'cm' }, [group('system:serviceaccounts:shop')]),
    ],
    expected: [
      'create pods in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/default, gaining get configmaps in shop',
    ],
  },
  {
    name: 'a token for a named ServiceAccount',
    objects: [...aliceInShop(rule('create', 'serviceaccounts/token', { resourceNames: ['deployer'] })), ...DEPLOYER],
    expected: [
      'create a token for shop/deployer (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
    ],
  },
  {
    name: 'reading a legacy token Secret',
    objects: [
      ...aliceInShop(rule('get', 'secrets', { resourceNames: ['deployer-token'] })),
      ...DEPLOYER.slice(1),
      serviceAccount('shop', 'deployer', { secrets: [{ name: 'deployer-token' }] }),
      role('shop', 'pods', [rule('delete', 'pods')]),
      roleBinding('shop', 'deployer-pods', { kind: 'Role', name: 'pods' }, [sa('shop', 'deployer')]),
    ],
    expected: [
      'read Secret shop/deployer-token (a token of deployer) (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/deployer, gaining get,list secrets in shop; delete pods in shop',
    ],
  },
  {
    name: 'impersonating a user',
    objects: [
      ...aliceEverywhere(rule('impersonate', 'users', { resourceNames: ['bob'] })),
      clusterRole('nodes', [rule('delete', 'nodes')]),
      clusterRoleBinding('bob', 'nodes', [user('bob')]),
    ],
    expected: [
      'impersonate User bob (ClusterRoleBinding alice → ClusterRole alice) → User bob, gaining delete nodes cluster-wide',
    ],
  },
  {
    name: 'impersonating groups needs a user as well; system:masters is always a group',
    objects: [...aliceEverywhere(rule('impersonate', 'users,groups'))],
    expected: [
      'impersonate Group system:masters (ClusterRoleBinding alice → ClusterRole alice) → any permission cluster-wide (system:masters bypasses authorization), gaining every permission cluster-wide',
    ],
  },
  {
    name: 'impersonating groups alone is refused by the API server',
    objects: [...aliceEverywhere(rule('impersonate', 'groups'))],
    expected: [],
  },
  {
    name: 'binding a role to oneself',
    objects: [
      ...aliceInShop(rule('create', 'rolebindings', { apiGroups: ['rbac.authorization.k8s.io'] }), rule('bind', 'clusterroles', { apiGroups: ['rbac.authorization.k8s.io'], resourceNames: ['edit'] })),
      clusterRole('edit', [rule('create,delete', 'pods')]),
      clusterRole('view', [rule('get', 'pods')]),
    ],
    expected: [
      'create RoleBindings in shop and bind ClusterRole edit (RoleBinding shop/alice → Role shop/alice) → ClusterRole edit bound in shop, gaining create,delete pods in shop',
    ],
  },
  {
    name: 'unlimited bind cluster-wide: one step to the strongest role',
    objects: [
      ...aliceEverywhere(rule('create', 'clusterrolebindings', { apiGroups: ['rbac.authorization.k8s.io'] }), rule('bind', 'clusterroles', { apiGroups: ['rbac.authorization.k8s.io'] })),
      CLUSTER_ADMIN,
      clusterRole('view', [rule('get', 'pods')]),
    ],
    expected: [
      'create ClusterRoleBindings and bind ClusterRole cluster-admin (ClusterRoleBinding alice → ClusterRole alice) → ClusterRole cluster-admin bound cluster-wide, gaining * * in * cluster-wide; * URLs * cluster-wide',
    ],
  },
  {
    name: 'bind without permission to create the binding is no path',
    objects: [...aliceEverywhere(rule('bind', 'clusterroles', { apiGroups: ['rbac.authorization.k8s.io'] })), CLUSTER_ADMIN],
    expected: [],
  },
  {
    name: 'escalate on a role bound to oneself',
    objects: [...aliceInShop(rule('escalate,update', 'roles', { apiGroups: ['rbac.authorization.k8s.io'] }))],
    expected: [
      'escalate and update Role shop/alice, which RoleBinding shop/alice grants it (RoleBinding shop/alice → Role shop/alice) → any permission in shop (rules of Role shop/alice rewritten), gaining every permission in shop',
    ],
  },
  {
    name: 'escalate without update is no path',
    objects: [...aliceInShop(rule('escalate', 'roles', { apiGroups: ['rbac.authorization.k8s.io'] }))],
    expected: [],
  },
  {
    name: 'chains through a ServiceAccount',
    objects: [
      ...aliceInShop(rule('create', 'pods')),
      serviceAccount('shop', 'ci'),
      role('shop', 'ci', [rule('create', 'serviceaccounts/token')]),
      roleBinding('shop', 'ci', { kind: 'Role', name: 'ci' }, [sa('shop', 'ci')]),
      serviceAccount('bank', 'vault'),
      clusterRole('vault', [rule('get', 'secrets')]),
      clusterRoleBinding('vault', 'vault', [sa('bank', 'vault')]),
      roleBinding('bank', 'ci-tokens', { kind: 'Role', name: 'tokens' }, [sa('shop', 'ci')]),
      role('bank', 'tokens', [rule('create', 'serviceaccounts/token', { resourceNames: ['vault'] })]),
    ],
    expected: [
      'create pods in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/ci, gaining create serviceaccounts/token named vault in bank; create serviceaccounts/token in shop',
      'create pods in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/ci → create a token for bank/vault (RoleBinding bank/ci-tokens → Role bank/tokens) → ServiceAccount bank/vault, gaining get secrets cluster-wide',
    ],
  },
  {
    name: 'chains stop at the depth limit',
    objects: [
      ...aliceInShop(rule('create', 'pods')),
      serviceAccount('shop', 'ci'),
      role('shop', 'ci', [rule('create', 'serviceaccounts/token')]),
      roleBinding('shop', 'ci', { kind: 'Role', name: 'ci' }, [sa('shop', 'ci')]),
      serviceAccount('bank', 'vault'),
      clusterRole('vault', [rule('get', 'secrets')]),
      clusterRoleBinding('vault', 'vault', [sa('bank', 'vault')]),
      roleBinding('bank', 'ci-tokens', { kind: 'Role', name: 'tokens' }, [sa('shop', 'ci')]),
      role('bank', 'tokens', [rule('create', 'serviceaccounts/token', { resourceNames: ['vault'] })]),
    ],
    maxDepth: 1,
    expected: [
      'create pods in shop (RoleBinding shop/alice → Role shop/alice) → ServiceAccount shop/ci, gaining create serviceaccounts/token named vault in bank; create serviceaccounts/token in shop',
    ],
  },
  {
    name: 'cluster admins can become no one stronger',
    objects: [CLUSTER_ADMIN, clusterRoleBinding('admins', 'cluster-admin', [user('alice')]), ...DEPLOYER],
    expected: [],
  },
];

describe('rbac escalation paths', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(chains(c.objects, c.source, c.maxDepth), c.expected));
  }

  it('names the grants of each step and the source', () => {
    const graph = buildRbacGraph(new Inventory([...aliceInShop(rule('create', 'pods')), ...DEPLOYER]));
    const [path] = escalationPaths(graph, ALICE) as [EscalationPath];
    assert.deepEqual(path.source, ALICE);
    assert.equal(path.steps[0]?.kind, 'create-pods');
    assert.equal(path.steps[0]?.via[0]?.binding.name, 'alice');
    assert.deepEqual(path.steps[0]?.target, { kind: 'subject', subject: { kind: 'ServiceAccount', namespace: 'shop', name: 'deployer' } });
  });

  it('analyses every subject at once', () => {
    const graph = buildRbacGraph(new Inventory([...aliceInShop(rule('create', 'pods')), ...DEPLOYER]));
    const all = allEscalationPaths(graph);
    assert.deepEqual([...all.keys()], ['User:alice']);
    assert.equal(allEscalationPaths(graph, { include: (s) => s.kind !== 'User' }).size, 0);
  });
});
