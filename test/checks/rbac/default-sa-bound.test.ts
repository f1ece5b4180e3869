import { check } from '../../../src/checks/rbac/default-sa-bound.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { clusterRoleBinding, objectTable, roleBinding, sa, user } from './fixtures.js';

const bound = (message: string): ReturnType<typeof fail> => fail('DefaultServiceAccountBound', message);

const cases: ObjectCase[] = [
  { name: 'a named ServiceAccount', subject: roleBinding('shop', 'web', { kind: 'Role', name: 'web' }, [sa('shop', 'web')]), expected: PASS },
  {
    name: 'the default ServiceAccount',
    subject: roleBinding('shop', 'web', { kind: 'Role', name: 'web' }, [sa('shop', 'default')]),
    expected: bound('binds Role web to ServiceAccount shop/default'),
  },
  {
    name: 'default without a namespace in a RoleBinding is the binding’s',
    subject: roleBinding('shop', 'web', { kind: 'ClusterRole', name: 'view' }, [sa(undefined, 'default')]),
    expected: bound('binds ClusterRole view to ServiceAccount shop/default'),
  },
  {
    name: 'defaults of several namespaces in a ClusterRoleBinding',
    subject: clusterRoleBinding('all-defaults', 'view', [sa('shop', 'default'), sa('bank', 'default'), sa('bank', 'teller')]),
    expected: bound('binds ClusterRole view to ServiceAccount shop/default, ServiceAccount bank/default'),
  },
  {
    name: 'spelled as a user name',
    subject: clusterRoleBinding('b', 'view', [user('system:serviceaccount:shop:default')]),
    expected: bound('binds ClusterRole view to User system:serviceaccount:shop:default'),
  },
  { name: 'a user named default is a person', subject: clusterRoleBinding('b', 'view', [user('default')]), expected: PASS },
  { name: 'a binding whose roleRef is missing', subject: { ...roleBinding('shop', 'b', { kind: 'Role', name: 'x' }, [sa('shop', 'default')]), roleRef: undefined }, expected: bound('binds its role to ServiceAccount shop/default') },
];

objectTable(check, cases);
