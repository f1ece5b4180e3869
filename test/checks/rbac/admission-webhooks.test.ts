import { check } from '../../../src/checks/rbac/admission-webhooks.js';
import { fail, PASS } from '../../../src/engine/types.js';
import type { ObjectCase } from './fixtures.js';
import { boundClusterRole, boundRole, HARMLESS, objectTable, rule } from './fixtures.js';

const ADM = { apiGroups: ['admissionregistration.k8s.io'] };
const CBOUND = 'bound to ServiceAccount shop/app (ClusterRoleBinding app)';
const hooks = (message: string): ReturnType<typeof fail> => fail('AdmissionWebhooks', message);

const cases: ObjectCase[] = [
  { name: 'a role that reads ConfigMaps', ...boundClusterRole([HARMLESS]), expected: PASS },
  {
    name: 'create mutating webhooks',
    ...boundClusterRole([rule('create', 'mutatingwebhookconfigurations', ADM)]),
    expected: hooks(`rules[0] grants create on mutatingwebhookconfigurations.admissionregistration.k8s.io; ${CBOUND}`),
  },
  {
    name: 'delete validating webhooks, by name',
    ...boundClusterRole([rule('delete,patch', 'validatingwebhookconfigurations', { ...ADM, resourceNames: ['kyverno'] })]),
    expected: hooks(`rules[0] grants patch,delete on validatingwebhookconfigurations.admissionregistration.k8s.io (only names kyverno); ${CBOUND}`),
  },
  { name: 'reading webhooks is fine', ...boundClusterRole([rule('get,list,watch', 'mutatingwebhookconfigurations,validatingwebhookconfigurations', ADM)]), expected: PASS },
  { name: 'webhook rules in a Role grant nothing', ...boundRole([rule('*', 'mutatingwebhookconfigurations', ADM)]), expected: PASS },
];

objectTable(check, cases);
