import { check } from '../../../src/checks/rbac/escalate-bind-impersonate.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundClusterRole, boundRole, HARMLESS, objectTable, rule, user } from './fixtures.js';

const RBAC = { apiGroups: ['rbac.authorization.k8s.io'] };
const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const CBOUND = 'bound to ServiceAccount shop/app (ClusterRoleBinding app)';
const esc = (message: string): ReturnType<typeof fail> => fail('EscalateBindImpersonate', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'bind on roles', ...boundRole([rule('bind', 'roles', RBAC)]), expected: esc(`rules[0] grants bind on roles.rbac.authorization.k8s.io; ${BOUND}`) },
  {
    name: 'escalate on clusterroles, by name',
    ...boundClusterRole([rule('escalate', 'clusterroles', { ...RBAC, resourceNames: ['edit'] })]),
    expected: esc(`rules[0] grants escalate on clusterroles.rbac.authorization.k8s.io (only names edit); ${CBOUND}`),
  },
  {
    name: 'impersonate users and groups',
    ...boundClusterRole([rule('impersonate', 'users,groups')]),
    expected: esc(`rules[0] grants impersonate on users, groups; ${CBOUND}`),
  },
  {
    name: 'impersonate uids',
    ...boundClusterRole([rule('impersonate', 'uids', { apiGroups: ['authentication.k8s.io'] })]),
    expected: esc(`rules[0] grants impersonate on uids.authentication.k8s.io; ${CBOUND}`),
  },
  {
    name: 'all verbs on all resources',
    ...boundClusterRole([rule('*', '*', { apiGroups: ['*'] })]),
    expected: esc(
      `rules[0] grants bind,escalate,impersonate on roles.rbac.authorization.k8s.io, clusterroles.rbac.authorization.k8s.io, users, groups, serviceaccounts, uids.authentication.k8s.io; ${CBOUND}`,
    ),
  },
  { name: 'bind in the wrong group does nothing', ...boundRole([rule('bind', 'roles')]), expected: PASS },
  { name: 'creating roles is not escalate', ...boundRole([rule('create,update', 'roles,rolebindings', RBAC)]), expected: PASS },
  { name: 'bound to a system user', ...boundClusterRole([rule('impersonate', 'users')], [user('system:kube-scheduler')]), expected: PASS },
];

objectTable(check, cases);
