import { check } from '../../../src/checks/rbac/secrets-read.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import {
  boundClusterRole,
  boundRole,
  clusterRole,
  clusterRoleBinding,
  HARMLESS,
  objectTable,
  pod,
  role,
  roleBinding,
  rule,
  sa,
  user,
} from './fixtures.js';

const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const secrets = (message: string): ReturnType<typeof fail> => fail('SecretsRead', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'get and list on secrets', ...boundRole([rule('get,list', 'secrets')]), expected: secrets(`rules[0] grants get,list on secrets; ${BOUND}`) },
  { name: 'watch alone', ...boundRole([HARMLESS, rule('watch', 'secrets')]), expected: secrets(`rules[1] grants watch on secrets; ${BOUND}`) },
  { name: 'all verbs', ...boundRole([rule('*', 'secrets')]), expected: secrets(`rules[0] grants get,list,watch on secrets; ${BOUND}`) },
  { name: 'all resources of all groups', ...boundRole([rule('get', '*', { apiGroups: ['*'] })]), expected: secrets(`rules[0] grants get on secrets; ${BOUND}`) },
  { name: 'limited to names, still reads them', ...boundRole([rule('get', 'secrets', { resourceNames: ['db'] })]), expected: secrets(`rules[0] grants get on secrets (only names db); ${BOUND}`) },
  { name: 'create and delete only', ...boundRole([rule('create,delete', 'secrets')]), expected: PASS },
  { name: 'secrets of another API group', ...boundRole([rule('get', 'secrets', { apiGroups: ['example.com'] })]), expected: PASS },
  { name: 'a subresource of secrets is not the secrets', ...boundRole([rule('get', 'secrets/status')]), expected: PASS },
  { name: 'an unbound role grants nothing', subject: role('shop', 'app', [rule('get', 'secrets')]), expected: PASS },
  {
    name: 'an unbound role with includeUnbound',
    subject: role('shop', 'app', [rule('get', 'secrets')]),
    params: { includeUnbound: true },
    expected: secrets('rules[0] grants get on secrets; not bound to any subject'),
  },
  {
    name: 'bound to a system component only',
    ...boundRole([rule('get', 'secrets')], [user('system:kube-controller-manager')]),
    expected: PASS,
  },
  {
    name: 'bound to everyone authenticated is not a system component',
    ...boundRole([rule('get', 'secrets')], [{ kind: 'Group', name: 'system:authenticated' }]),
    expected: secrets('rules[0] grants get on secrets; bound to Group system:authenticated (RoleBinding shop/app)'),
  },
  {
    name: 'a ClusterRole bound cluster-wide and in a namespace, each subject named once',
    ...boundClusterRole([rule('list', 'secrets')], [sa('shop', 'app'), user('alice')]),
    objects: [
      clusterRoleBinding('app', 'app', [sa('shop', 'app'), user('alice')]),
      roleBinding('bank', 'app', { kind: 'ClusterRole', name: 'app' }, [user('alice'), user('bob')]),
    ],
    expected: secrets('rules[0] grants list on secrets; bound to User alice (ClusterRoleBinding app), User bob (RoleBinding bank/app), ServiceAccount shop/app (ClusterRoleBinding app)'),
  },
  {
    name: 'a Role of the same name in another namespace is another role',
    subject: role('shop', 'app', [rule('get', 'secrets')]),
    objects: [roleBinding('bank', 'app', { kind: 'Role', name: 'app' }, [user('alice')])],
    expected: PASS,
  },
  {
    name: 'aggregated rules count as the role’s own',
    subject: clusterRole('monitoring', undefined, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'mon' } }] } }),
    objects: [
      clusterRole('monitoring-secrets', [rule('get', 'secrets')], { labels: { agg: 'mon' } }),
      clusterRoleBinding('monitoring', 'monitoring', [sa('mon', 'prometheus')]),
    ],
    expected: secrets('rules[0] (from ClusterRole monitoring-secrets) grants get on secrets; bound to ServiceAccount mon/prometheus (ClusterRoleBinding monitoring)'),
  },
  {
    name: 'many subjects are counted, not listed',
    ...boundRole([rule('get', 'secrets')], ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(user)),
    expected: secrets(
      'rules[0] grants get on secrets; bound to User a (RoleBinding shop/app), User b (RoleBinding shop/app), User c (RoleBinding shop/app), User d (RoleBinding shop/app), User e (RoleBinding shop/app) and 2 more',
    ),
  },
  { name: 'rules that are not a list', subject: { ...role('shop', 'app', []), rules: { verbs: ['get'] } }, expected: checkError('InvalidRules', 'rules is not a list') },
  {
    name: 'rule entries of the wrong type are skipped',
    ...boundRole([null, 'secrets', { verbs: 'get', resources: ['secrets'], apiGroups: [''] }, rule('get', 'secrets')] as never),
    expected: secrets(`rules[3] grants get on secrets; ${BOUND}`),
  },
  { name: 'not a role', subject: pod('shop', 'web'), expected: skip('not a Role or ClusterRole') },
];

objectTable(check, cases);
