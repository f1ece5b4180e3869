import { check } from '../../../src/checks/rbac/escalation-path.js';
import { fail } from '../../../src/engine/types.js';
import type { ClusterCase } from './fixtures.js';
import { CLUSTER_ADMIN, clusterRole, clusterRoleBinding, clusterTable, group, role, roleBinding, rule, sa, serviceAccount, user } from './fixtures.js';

/** ServiceAccount shop/deployer may read Secrets in shop; alice may read pods there. */
const BASE = [
  serviceAccount('shop', 'deployer'),
  role('shop', 'secrets', [rule('get,list', 'secrets')]),
  roleBinding('shop', 'deployer', { kind: 'Role', name: 'secrets' }, [sa('shop', 'deployer')]),
  role('shop', 'dev', [rule('get,list', 'pods')]),
  roleBinding('shop', 'dev', { kind: 'Role', name: 'dev' }, [user('alice')]),
];

/** BASE with alice's role granting `extra` as well. */
function aliceMay(...extra: ReturnType<typeof rule>[]): ClusterCase['objects'] {
  return BASE.map((o) => (o.kind === 'Role' && o.metadata?.name === 'dev' ? role('shop', 'dev', [rule('get,list', 'pods'), ...extra]) : o));
}

const path = (message: string): ReturnType<typeof fail> => fail('EscalationPath', message);

const cases: ClusterCase[] = [
  { name: 'no subject can become another', objects: BASE, expected: {}, passing: 2 },
  {
    name: 'creating pods reaches the namespace’s ServiceAccounts',
    objects: aliceMay(rule('create', 'pods')),
    expected: {
      'User alice': path(
        'can gain the rights of 1 identity or role: create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
    passing: 1,
  },
  {
    name: 'a Deployment is as good as a pod',
    objects: aliceMay(rule('create', 'deployments', { apiGroups: ['apps'] })),
    expected: {
      'User alice': path(
        'can gain the rights of 1 identity or role: create deployments.apps in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
  },
  {
    name: 'a token for the ServiceAccount',
    objects: aliceMay(rule('create', 'serviceaccounts/token', { resourceNames: ['deployer'] })),
    expected: {
      'User alice': path(
        'can gain the rights of 1 identity or role: create a token for shop/deployer (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
  },
  {
    name: 'several targets are counted',
    objects: [
      ...aliceMay(rule('create', 'pods')),
      ...['a', 'b', 'c', 'd'].flatMap((name) => [
        serviceAccount('shop', name),
        roleBinding('shop', name, { kind: 'Role', name: 'secrets' }, [sa('shop', name)]),
      ]),
    ],
    expected: {
      'User alice': path(
        'can gain the rights of 5 identities or roles: ' +
          'create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/a, gaining get,list secrets in shop; ' +
          'create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/b, gaining get,list secrets in shop; ' +
          'create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/c, gaining get,list secrets in shop; ' +
          'and 2 more (ServiceAccount shop/d, ServiceAccount shop/deployer)',
      ),
    },
  },
  {
    name: 'ServiceAccounts can escalate too',
    objects: [
      ...BASE,
      serviceAccount('shop', 'ci'),
      role('shop', 'ci', [rule('create', 'pods')]),
      roleBinding('shop', 'ci', { kind: 'Role', name: 'ci' }, [sa('shop', 'ci')]),
    ],
    expected: {
      'ServiceAccount shop/ci': path(
        'can gain the rights of 1 identity or role: create pods in shop (RoleBinding shop/ci → Role shop/ci) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
  },
  {
    name: 'groups are subjects',
    objects: [...BASE, clusterRole('creator', [rule('create', 'pods')]), roleBinding('shop', 'devs', { kind: 'ClusterRole', name: 'creator' }, [group('devs')])],
    expected: {
      'Group devs': path(
        'can gain the rights of 1 identity or role: create pods in shop (RoleBinding shop/devs → ClusterRole creator) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
  },
  {
    name: 'system components are not analysed',
    objects: [...BASE, clusterRole('creator', [rule('create', 'pods')]), clusterRoleBinding('system:creator', 'creator', [user('system:kube-controller-manager')])],
    expected: {},
    passing: 2,
  },
  {
    name: 'cluster admins have nowhere to go',
    objects: [...BASE, CLUSTER_ADMIN, clusterRoleBinding('root', 'cluster-admin', [user('root')])],
    expected: {},
    passing: 3,
  },
  {
    name: 'the chain depth is a parameter',
    objects: [
      ...aliceMay(rule('create', 'pods')),
      serviceAccount('shop', 'ci'),
      role('shop', 'ci', [rule('impersonate', 'serviceaccounts')]),
      roleBinding('shop', 'ci', { kind: 'Role', name: 'ci' }, [sa('shop', 'ci')]),
      role('shop', 'deployer', [rule('create', 'pods')]),
      roleBinding('shop', 'deployer-pods', { kind: 'Role', name: 'deployer' }, [sa('shop', 'deployer')]),
    ],
    params: { maxDepth: 1 },
    expected: {
      'User alice': path(
        'can gain the rights of 2 identities or roles: ' +
          'create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/ci, gaining impersonate serviceaccounts in shop; ' +
          'create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
      'ServiceAccount shop/ci': path(
        'can gain the rights of 1 identity or role: impersonate ServiceAccount shop/deployer (RoleBinding shop/ci → Role shop/ci) → ServiceAccount shop/deployer, gaining get,list secrets in shop; create pods in shop',
      ),
      'ServiceAccount shop/deployer': path(
        'can gain the rights of 1 identity or role: create pods in shop (RoleBinding shop/deployer-pods → Role shop/deployer) → ServiceAccount shop/ci, gaining impersonate serviceaccounts in shop',
      ),
    },
  },
  {
    name: 'malformed RBAC objects do not stop the analysis',
    objects: [
      ...aliceMay(rule('create', 'pods')),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'junk', namespace: 'shop' }, roleRef: 7, subjects: 'all' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'junk', namespace: 'shop' }, rules: [null, { verbs: 'create' }] },
    ],
    expected: {
      'User alice': path(
        'can gain the rights of 1 identity or role: create pods in shop (RoleBinding shop/dev → Role shop/dev) → ServiceAccount shop/deployer, gaining get,list secrets in shop',
      ),
    },
  },
];

clusterTable(check, cases);
