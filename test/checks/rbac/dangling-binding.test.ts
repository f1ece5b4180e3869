import { check } from '../../../src/checks/rbac/dangling-binding.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { clusterRole, clusterRoleBinding, objectTable, role, roleBinding, rule, sa, serviceAccount, user } from './fixtures.js';

const AROUND = [role('shop', 'web', [rule('get', 'pods')]), serviceAccount('shop', 'web'), clusterRole('custom', [rule('get', 'pods')])];
const dangling = (message: string): ReturnType<typeof fail> => fail('DanglingReference', message);

const cases: ObjectCase[] = [
  { name: 'role and ServiceAccount exist', subject: roleBinding('shop', 'web', { kind: 'Role', name: 'web' }, [sa('shop', 'web')]), objects: AROUND, expected: PASS },
  {
    name: 'the Role is missing',
    subject: roleBinding('shop', 'web', { kind: 'Role', name: 'gone' }, [sa('shop', 'web')]),
    objects: AROUND,
    expected: dangling('references Role shop/gone, which does not exist'),
  },
  {
    name: 'the ClusterRole is missing',
    subject: clusterRoleBinding('b', 'gone', [user('alice')]),
    objects: AROUND,
    expected: dangling('references ClusterRole gone, which does not exist'),
  },
  { name: 'bootstrap ClusterRoles always exist', subject: clusterRoleBinding('b', 'view', [user('alice')]), expected: PASS },
  { name: 'system: ClusterRoles always exist', subject: clusterRoleBinding('b', 'system:node-proxier', [user('alice')]), expected: PASS },
  {
    name: 'a ClusterRoleBinding to a Role',
    subject: clusterRoleBinding('b', 'web', [user('alice')], 'Role'),
    objects: AROUND,
    expected: dangling('references Role web, but a ClusterRoleBinding can only reference a ClusterRole'),
  },
  {
    name: 'the ServiceAccount is missing',
    subject: roleBinding('shop', 'web', { kind: 'Role', name: 'web' }, [sa('shop', 'web'), sa('shop', 'ghost')]),
    objects: AROUND,
    expected: dangling('subjects[1] ServiceAccount shop/ghost does not exist'),
  },
  {
    name: 'controller accounts the bootstrap policy binds before the controller-manager makes them',
    subject: clusterRoleBinding('system:controller:ttl-controller', 'system:controller:ttl-controller', [sa('kube-system', 'ttl-controller')]),
    expected: PASS,
  },
  {
    name: 'a kube-system account under a binding of its own is checked',
    subject: clusterRoleBinding('tiller', 'cluster-admin', [sa('kube-system', 'tiller')]),
    expected: dangling('subjects[0] ServiceAccount kube-system/tiller does not exist'),
  },
  { name: 'default always exists', subject: roleBinding('shop', 'web', { kind: 'Role', name: 'web' }, [sa('bank', 'default')]), objects: AROUND, expected: PASS },
  {
    name: 'a ServiceAccount without namespace in a ClusterRoleBinding',
    subject: clusterRoleBinding('b', 'custom', [sa(undefined, 'web')]),
    objects: AROUND,
    expected: dangling('subjects[0] ServiceAccount "web" has no namespace'),
  },
  {
    name: 'every problem is listed',
    subject: { ...roleBinding('shop', 'web', { kind: 'Widget', name: 'x' }, []), subjects: [{ kind: 'Robot', name: 'r' }, { kind: 'User' }, sa('shop', 'ghost')] },
    objects: AROUND,
    expected: dangling('roleRef has unsupported kind "Widget"; subjects[0] has unsupported kind "Robot"; subjects[1] has no name; subjects[2] ServiceAccount shop/ghost does not exist'),
  },
  { name: 'no roleRef at all', subject: { ...clusterRoleBinding('b', 'x', []), roleRef: null }, expected: dangling('has no roleRef') },
];

objectTable(check, cases);
