import { check } from '../../../src/checks/pss/capabilities-restricted.js';
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

const REASON = 'unrestricted capabilities';
const DROP = 'must set securityContext.capabilities.drop=["ALL"]';

const noCapabilities = podWith((spec) => delete sc(app(spec)).capabilities);

const cases: Case[] = [
  { name: 'drops ALL', subject: compliantPod(), expected: PASS },
  {
    name: 'drops ALL and adds NET_BIND_SERVICE',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] })),
    expected: PASS,
  },
  {
    name: 'no capabilities',
    subject: noCapabilities,
    expected: forbidden(REASON, `container "app" ${DROP}`),
  },
  {
    name: 'drop spelled in lower case',
    subject: podWith((spec) => (sc(app(spec)).capabilities = { drop: ['all'] })),
    expected: forbidden(REASON, `container "app" ${DROP}`),
  },
  {
    name: 'both problems, joined by a semicolon',
    subject: podWith((spec) => {
      delete addContainer(spec, 'setup', 'initContainers').securityContext;
      sc(app(spec)).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN', 'CHOWN', 'NET_BIND_SERVICE'] };
    }),
    expected: forbidden(
      REASON,
      `container "setup" ${DROP}; container "app" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add`,
    ),
  },
  {
    name: 'Windows pods are exempt from v1.25',
    subject: podWith((spec) => {
      spec.os = { name: 'windows' };
      delete app(spec).securityContext;
    }),
    version: 'v1.25',
    expected: PASS,
  },
  {
    name: 'defined from v1.22',
    subject: noCapabilities,
    version: 'v1.22',
    expected: forbidden(REASON, `container "app" ${DROP}`),
  },
  {
    name: 'skipped before v1.22',
    subject: noCapabilities,
    version: 'v1.21',
    expected: notYet('capabilities_restricted', 'v1.21', 22),
  },
  {
    name: 'a drop list that is a string is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'capabilities', { drop: 'ALL' })),
    expected: malformed(
      'capabilities_restricted',
      'spec.containers[0].securityContext.capabilities.drop must be a list, not a string',
    ),
  },
];

tableTest(check, cases);
