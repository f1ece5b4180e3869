import { check } from '../../../src/checks/rbac/nodes-proxy.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundClusterRole, clusterRole, HARMLESS, objectTable, roleBinding, rule, user } from './fixtures.js';

const CBOUND = 'bound to ServiceAccount shop/app (ClusterRoleBinding app)';
const proxy = (message: string): ReturnType<typeof fail> => fail('NodesProxy', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundClusterRole([HARMLESS]), expected: PASS },
  { name: 'get nodes/proxy', ...boundClusterRole([rule('get', 'nodes/proxy')]), expected: proxy(`rules[0] grants get on nodes/proxy; ${CBOUND}`) },
  { name: 'any verb counts', ...boundClusterRole([rule('create,delete', 'nodes/proxy')]), expected: proxy(`rules[0] grants create,delete on nodes/proxy; ${CBOUND}`) },
  { name: '*/proxy', ...boundClusterRole([rule('*', '*/proxy')]), expected: proxy(`rules[0] grants * on nodes/proxy; ${CBOUND}`) },
  { name: 'nodes/metrics and nodes/stats are fine', ...boundClusterRole([rule('get', 'nodes,nodes/metrics,nodes/stats')]), expected: PASS },
  { name: 'services/proxy is not the kubelet', ...boundClusterRole([rule('get', 'services/proxy')]), expected: PASS },
  {
    name: 'a RoleBinding grants nothing on nodes',
    subject: clusterRole('app', [rule('get', 'nodes/proxy')]),
    objects: [roleBinding('shop', 'app', { kind: 'ClusterRole', name: 'app' }, [user('alice')])],
    expected: PASS,
  },
  { name: 'bound to the nodes group', ...boundClusterRole([rule('get', 'nodes/proxy')], [{ kind: 'Group', name: 'system:nodes' }]), expected: PASS },
];

objectTable(check, cases);
