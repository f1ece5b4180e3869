import { check } from '../../../src/checks/rbac/pod-create.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundRole, HARMLESS, objectTable, role, rule } from './fixtures.js';

const BOUND = 'bound to ServiceAccount shop/app (RoleBinding shop/app)';
const create = (message: string): ReturnType<typeof fail> => fail('PodCreate', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundRole([HARMLESS]), expected: PASS },
  { name: 'create pods', ...boundRole([rule('create', 'pods')]), expected: create(`rules[0] grants create on pods; ${BOUND}`) },
  {
    name: 'create Deployments and CronJobs',
    ...boundRole([rule('create,update', 'deployments', { apiGroups: ['apps'] }), rule('create', 'cronjobs', { apiGroups: ['batch'] })]),
    expected: create(`rules[0] grants create on deployments.apps; rules[1] grants create on cronjobs.batch; ${BOUND}`),
  },
  { name: 'create ReplicationControllers', ...boundRole([rule('create', 'replicationcontrollers')]), expected: create(`rules[0] grants create on replicationcontrollers; ${BOUND}`) },
  {
    name: 'all of apps',
    ...boundRole([rule('*', '*', { apiGroups: ['apps'] })]),
    expected: create(`rules[0] grants create on deployments.apps, replicasets.apps, statefulsets.apps, daemonsets.apps; ${BOUND}`),
  },
  { name: 'deployments in the core group do not exist', ...boundRole([rule('create', 'deployments')]), expected: PASS },
  { name: 'update pods cannot change their ServiceAccount', ...boundRole([rule('get,list,update,patch,delete', 'pods')]), expected: PASS },
  { name: 'create is never name-limited', ...boundRole([rule('create', 'pods', { resourceNames: ['web'] })]), expected: PASS },
  { name: 'create pods/eviction is not a pod', ...boundRole([rule('create', 'pods/eviction')]), expected: PASS },
  { name: 'unbound, with includeUnbound', subject: role('shop', 'app', [rule('create', 'pods')]), params: { includeUnbound: true }, expected: create('rules[0] grants create on pods; not bound to any subject') },
];

objectTable(check, cases);
