import { check } from '../../../src/checks/rbac/cluster-admin-binding.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { CLUSTER_ADMIN, clusterRole, clusterRoleBinding, group, objectTable, role, roleBinding, rule, sa, user } from './fixtures.js';

const admin = (message: string): ReturnType<typeof fail> => fail('ClusterAdminBound', message);

const cases: ObjectCase[] = [
  { name: 'the bootstrap binding to system:masters', subject: clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')]), objects: [CLUSTER_ADMIN], expected: PASS },
  {
    name: 'cluster-admin for a user',
    subject: clusterRoleBinding('alice-admin', 'cluster-admin', [user('alice')]),
    objects: [CLUSTER_ADMIN],
    expected: admin('binds ClusterRole cluster-admin cluster-wide to User alice'),
  },
  {
    name: 'cluster-admin counts by name when the inventory lacks it',
    subject: clusterRoleBinding('tiller', 'cluster-admin', [sa('kube-system', 'tiller')]),
    expected: admin('binds ClusterRole cluster-admin cluster-wide to ServiceAccount kube-system/tiller'),
  },
  {
    name: 'a role of its own that grants */*/*',
    subject: clusterRoleBinding('ci', 'god-mode', [sa('ci', 'runner')]),
    objects: [clusterRole('god-mode', [rule('*', '*', { apiGroups: ['*'] })])],
    expected: admin('binds ClusterRole god-mode (all verbs on all resources) cluster-wide to ServiceAccount ci/runner'),
  },
  {
    name: 'a namespaced Role that grants */*/*',
    subject: roleBinding('shop', 'owner', { kind: 'Role', name: 'owner' }, [user('alice')]),
    objects: [role('shop', 'owner', [rule('*', '*', { apiGroups: ['*'] })])],
    expected: admin('binds Role shop/owner (all verbs on all resources) in namespace shop to User alice'),
  },
  {
    name: 'cluster-admin through a RoleBinding',
    subject: roleBinding('shop', 'admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [group('shop-admins')]),
    objects: [CLUSTER_ADMIN],
    expected: admin('binds ClusterRole cluster-admin in namespace shop to Group shop-admins'),
  },
  { name: 'a wildcard limited by names is not cluster-admin', subject: clusterRoleBinding('b', 'r', [user('alice')]), objects: [clusterRole('r', [rule('*', '*', { apiGroups: ['*'], resourceNames: ['x'] })])], expected: PASS },
  { name: 'all of one group is not cluster-admin', subject: clusterRoleBinding('b', 'r', [user('alice')]), objects: [clusterRole('r', [rule('*', '*', { apiGroups: ['apps'] })])], expected: PASS },
  { name: 'edit is not cluster-admin', subject: clusterRoleBinding('b', 'edit', [user('alice')]), objects: [clusterRole('edit', [rule('*', 'pods')])], expected: PASS },
  {
    name: 'system components pass, others are named',
    subject: clusterRoleBinding('mixed', 'cluster-admin', [group('system:masters'), user('system:kube-controller-manager'), group('system:authenticated'), user('bob')]),
    objects: [CLUSTER_ADMIN],
    expected: admin('binds ClusterRole cluster-admin cluster-wide to Group system:authenticated, User bob'),
  },
  {
    name: 'accepted subjects pass',
    subject: clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')]),
    objects: [CLUSTER_ADMIN],
    params: { allowedSubjects: ['Group:kubeadm:cluster-admins'] },
    expected: PASS,
  },
  { name: 'a binding without subjects', subject: { ...clusterRoleBinding('empty', 'cluster-admin', []), subjects: undefined }, expected: PASS },
  { name: 'subjects that are not a list', subject: { ...clusterRoleBinding('odd', 'cluster-admin', []), subjects: 'alice' }, expected: checkError('InvalidSubjects', 'subjects is not a list') },
  { name: 'not a binding', subject: CLUSTER_ADMIN, expected: skip('not a RoleBinding or ClusterRoleBinding') },
];

objectTable(check, cases);
