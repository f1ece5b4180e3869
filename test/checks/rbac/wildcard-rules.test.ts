import { check } from '../../../src/checks/rbac/wildcard-rules.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundClusterRole, boundRole, CLUSTER_ADMIN, clusterRoleBinding, HARMLESS, objectTable, rule, urlRule, user } from './fixtures.js';

const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const wild = (message: string): ReturnType<typeof fail> => fail('WildcardRule', message);

const cases: ObjectCase[] = [
  { name: 'explicit lists', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'verbs *', ...boundRole([rule('*', 'configmaps')]), expected: wild(`rules[0] uses * in verbs; ${BOUND}`) },
  { name: 'resources *', ...boundRole([HARMLESS, rule('get', '*')]), expected: wild(`rules[1] uses * in resources; ${BOUND}`) },
  { name: 'apiGroups *', ...boundRole([rule('get', 'widgets', { apiGroups: ['*'] })]), expected: wild(`rules[0] uses * in apiGroups; ${BOUND}`) },
  { name: '*/subresource', ...boundRole([rule('get', '*/status')]), expected: wild(`rules[0] uses * in resources; ${BOUND}`) },
  {
    name: 'every field',
    ...boundRole([rule('*', '*', { apiGroups: ['*'] }), rule('get', '*')]),
    expected: wild(`rules[0] uses * in verbs, apiGroups, resources; rules[1] uses * in resources; ${BOUND}`),
  },
  { name: 'pods/* is literal', ...boundRole([rule('get', 'pods/*')]), expected: PASS },
  { name: 'non-resource URLs with *', ...boundClusterRole([urlRule('get', ['/metrics*'])]), expected: PASS },
  { name: 'cluster-admin bound to system:masters', subject: CLUSTER_ADMIN, objects: [clusterRoleBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }])], expected: PASS },
  {
    name: 'cluster-admin bound to a person',
    subject: CLUSTER_ADMIN,
    objects: [clusterRoleBinding('admins', 'cluster-admin', [user('alice')])],
    expected: wild('rules[0] uses * in verbs, apiGroups, resources; rules[1] uses * in verbs; bound to User alice (ClusterRoleBinding admins)'),
  },
];

objectTable(check, cases);
