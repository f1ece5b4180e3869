import { check } from '../../../src/checks/pss/selinux-options.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  compliantPod,
  forbidden,
  malformed,
  podWith,
  sc,
  setRaw,
  tableTest,
} from './fixtures.js';

const engineType = podWith((spec) => (sc(app(spec)).seLinuxOptions = { type: 'container_engine_t' }));

const cases: Case[] = [
  { name: 'no seLinuxOptions', subject: compliantPod(), expected: PASS },
  {
    name: 'container types and a level',
    subject: podWith((spec) => {
      spec.securityContext = {
        ...spec.securityContext,
        seLinuxOptions: { type: 'container_init_t', level: 's0:c1,c2' },
      };
      sc(app(spec)).seLinuxOptions = { type: 'container_kvm_t', user: '', role: '' };
    }),
    expected: PASS,
  },
  {
    name: 'a custom type on the pod',
    subject: podWith(
      (spec) => (spec.securityContext = { ...spec.securityContext, seLinuxOptions: { type: 'spc_t' } }),
    ),
    expected: forbidden('seLinuxOptions', 'pod set forbidden securityContext.seLinuxOptions: type "spc_t"'),
  },
  {
    name: 'types, user and role together',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, seLinuxOptions: { user: 'system_u' } };
      sc(app(spec)).seLinuxOptions = { type: 'unconfined_t', role: 'sysadm_r' };
      sc(addContainer(spec, 'setup', 'initContainers')).seLinuxOptions = { type: 'spc_t' };
    }),
    expected: forbidden(
      'seLinuxOptions',
      'pod and containers "setup", "app" set forbidden securityContext.seLinuxOptions: ' +
        'types "spc_t", "unconfined_t"; user may not be set; role may not be set',
    ),
  },
  { name: 'container_engine_t from v1.31', subject: engineType, version: 'v1.31', expected: PASS },
  {
    name: 'container_engine_t before v1.31',
    subject: engineType,
    version: 'v1.30',
    expected: forbidden(
      'seLinuxOptions',
      'container "app" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
    ),
  },
  {
    name: 'a numeric user is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'seLinuxOptions', { user: 0 })),
    expected: malformed(
      'seLinuxOptions',
      'spec.containers[0].securityContext.seLinuxOptions.user must be a string, not a number',
    ),
  },
];

tableTest(check, cases);
