import { check } from '../../../src/checks/pss/run-as-user.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  compliantPod,
  forbidden,
  malformed,
  notYet,
  podWith,
  sc,
  setRaw,
  tableTest,
} from './fixtures.js';

const rootInUserNamespace = podWith((spec) => {
  spec.hostUsers = false;
  sc(app(spec)).runAsUser = 0;
});

const cases: Case[] = [
  { name: 'unset', subject: compliantPod(), expected: PASS },
  {
    name: 'non-zero on pod and container',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, runAsUser: 1000 };
      sc(app(spec)).runAsUser = 65532;
    }),
    expected: PASS,
  },
  {
    name: 'UID 0 on the pod',
    subject: podWith((spec) => (spec.securityContext = { ...spec.securityContext, runAsUser: 0 })),
    expected: forbidden('runAsUser=0', 'pod must not set runAsUser=0'),
  },
  {
    name: 'UID 0 on the pod and containers',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, runAsUser: 0 };
      sc(app(spec)).runAsUser = 0;
      sc(addContainer(spec, 'debug', 'ephemeralContainers')).runAsUser = 0;
    }),
    expected: forbidden('runAsUser=0', 'pod and containers "app", "debug" must not set runAsUser=0'),
  },
  {
    name: 'user-namespaced pods are exempt from v1.35',
    subject: rootInUserNamespace,
    version: 'v1.35',
    expected: PASS,
  },
  {
    name: 'but not before v1.35',
    subject: rootInUserNamespace,
    version: 'v1.34',
    expected: forbidden('runAsUser=0', 'container "app" must not set runAsUser=0'),
  },
  {
    name: 'defined from v1.23',
    subject: podWith((spec) => (sc(app(spec)).runAsUser = 0)),
    version: 'v1.23',
    expected: forbidden('runAsUser=0', 'container "app" must not set runAsUser=0'),
  },
  {
    name: 'skipped before v1.23',
    subject: podWith((spec) => (sc(app(spec)).runAsUser = 0)),
    version: 'v1.22',
    expected: notYet('runAsUser', 'v1.22', 23),
  },
  {
    name: 'a string UID is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'runAsUser', '0')),
    expected: malformed(
      'runAsUser',
      'spec.containers[0].securityContext.runAsUser must be an integer, not a string',
    ),
  },
];

tableTest(check, cases);
