import { check } from '../../../src/checks/pss/allow-privilege-escalation.js';
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

const REASON = 'allowPrivilegeEscalation != false';
const MUST = 'must set securityContext.allowPrivilegeEscalation=false';

const unsetOnWindows = podWith((spec) => {
  spec.os = { name: 'windows' };
  delete app(spec).securityContext;
});

const cases: Case[] = [
  { name: 'false on every container', subject: compliantPod(), expected: PASS },
  {
    name: 'unset',
    subject: podWith((spec) => delete sc(app(spec)).allowPrivilegeEscalation),
    expected: forbidden(REASON, `container "app" ${MUST}`),
  },
  {
    name: 'true, and a container without a securityContext',
    subject: podWith((spec) => {
      sc(app(spec)).allowPrivilegeEscalation = true;
      delete addContainer(spec, 'setup', 'initContainers').securityContext;
    }),
    expected: forbidden(REASON, `containers "setup", "app" ${MUST}`),
  },
  { name: 'Windows pods are exempt from v1.25', subject: unsetOnWindows, version: 'v1.25', expected: PASS },
  {
    name: 'but not before v1.25',
    subject: unsetOnWindows,
    version: 'v1.24',
    expected: forbidden(REASON, `container "app" ${MUST}`),
  },
  {
    name: 'a linux os does not exempt',
    subject: podWith((spec) => {
      spec.os = { name: 'linux' };
      delete sc(app(spec)).allowPrivilegeEscalation;
    }),
    expected: forbidden(REASON, `container "app" ${MUST}`),
  },
  {
    name: 'defined from v1.8',
    subject: podWith((spec) => delete sc(app(spec)).allowPrivilegeEscalation),
    version: 'v1.8',
    expected: forbidden(REASON, `container "app" ${MUST}`),
  },
  {
    name: 'skipped before v1.8',
    subject: podWith((spec) => delete sc(app(spec)).allowPrivilegeEscalation),
    version: 'v1.7',
    expected: notYet('allowPrivilegeEscalation', 'v1.7', 8),
  },
  {
    name: 'a string "false" is malformed, not false',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'allowPrivilegeEscalation', 'false')),
    expected: malformed(
      'allowPrivilegeEscalation',
      'spec.containers[0].securityContext.allowPrivilegeEscalation must be a boolean, not a string',
    ),
  },
];

tableTest(check, cases);
