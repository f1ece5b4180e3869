import { check } from '../../../src/checks/rbac/anonymous-binding.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { clusterRole, clusterRoleBinding, group, objectTable, roleBinding, rule, urlRule, user } from './fixtures.js';

const AUTHN = group('system:authenticated');
const UNAUTHN = group('system:unauthenticated');

/** The bootstrap policy's roles for everyone, as the API server writes them. */
const DISCOVERY = clusterRole('system:discovery', [
  urlRule('get', ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
]);
const BASIC_USER = clusterRole('system:basic-user', [
  rule('create', 'selfsubjectreviews', { apiGroups: ['authentication.k8s.io'] }),
  rule('create', 'selfsubjectaccessreviews,selfsubjectrulesreviews', { apiGroups: ['authorization.k8s.io'] }),
]);
const PUBLIC_INFO = clusterRole('system:public-info-viewer', [urlRule('get', ['/healthz', '/livez', '/readyz', '/version', '/version/'])]);

const everyone = (message: string): ReturnType<typeof fail> => fail('PublicBinding', message);

const cases: ObjectCase[] = [
  { name: 'system:discovery for authenticated users', subject: clusterRoleBinding('system:discovery', 'system:discovery', [AUTHN]), objects: [DISCOVERY], expected: PASS },
  { name: 'system:basic-user for authenticated users', subject: clusterRoleBinding('system:basic-user', 'system:basic-user', [AUTHN]), objects: [BASIC_USER], expected: PASS },
  {
    name: 'system:public-info-viewer for everyone',
    subject: clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [AUTHN, UNAUTHN]),
    objects: [PUBLIC_INFO],
    expected: PASS,
  },
  {
    name: 'view for all authenticated users',
    subject: clusterRoleBinding('view-all', 'view', [AUTHN]),
    objects: [clusterRole('view', [rule('get,list,watch', 'pods,configmaps')])],
    expected: everyone('binds ClusterRole view to Group system:authenticated, granting more than discovery: rules[0] get,list,watch pods,configmaps'),
  },
  {
    name: 'the anonymous user in a RoleBinding',
    subject: roleBinding('shop', 'anon', { kind: 'ClusterRole', name: 'reader' }, [user('system:anonymous')]),
    objects: [clusterRole('reader', [rule('get', 'configmaps')])],
    expected: everyone('binds ClusterRole reader to User system:anonymous, granting more than discovery: rules[0] get configmaps'),
  },
  {
    name: 'an edited discovery role',
    subject: clusterRoleBinding('system:discovery', 'system:discovery', [UNAUTHN]),
    objects: [clusterRole('system:discovery', [urlRule('get', ['/api', '/metrics']), urlRule('get', ['*'])])],
    expected: everyone('binds ClusterRole system:discovery to Group system:unauthenticated, granting more than discovery: rules[0] get URLs /api,/metrics; rules[1] get URLs *'),
  },
  {
    name: 'many rules are counted',
    subject: clusterRoleBinding('b', 'r', [AUTHN]),
    objects: [clusterRole('r', ['a', 'b', 'c', 'd', 'e'].map((r) => rule('get', r)))],
    expected: everyone('binds ClusterRole r to Group system:authenticated, granting more than discovery: rules[0] get a; rules[1] get b; rules[2] get c and 2 more'),
  },
  { name: 'a named group', subject: clusterRoleBinding('b', 'view', [group('dev')]), objects: [clusterRole('view', [rule('get', 'pods')])], expected: PASS },
  { name: 'all ServiceAccounts is not everyone', subject: clusterRoleBinding('b', 'view', [group('system:serviceaccounts')]), objects: [clusterRole('view', [rule('get', 'pods')])], expected: PASS },
  { name: 'a missing role grants nothing (yet)', subject: clusterRoleBinding('b', 'nope', [AUTHN]), expected: PASS },
];

objectTable(check, cases);
