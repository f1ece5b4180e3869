import { check } from '../../../src/checks/pss/proc-mount-restricted.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
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

const unmaskedInUserNamespace = podWith((spec) => {
  spec.hostUsers = false;
  sc(app(spec)).procMount = 'Unmasked';
});

const cases: Case[] = [
  { name: 'no procMount', subject: compliantPod(), expected: PASS },
  { name: 'Default', subject: podWith((spec) => (sc(app(spec)).procMount = 'Default')), expected: PASS },
  {
    name: 'Unmasked in a user namespace still fails',
    subject: unmaskedInUserNamespace,
    expected: forbidden('procMount', 'container "app" must not set securityContext.procMount to "Unmasked"'),
  },
  {
    name: 'defined from v1.35',
    subject: unmaskedInUserNamespace,
    version: 'v1.35',
    expected: forbidden('procMount', 'container "app" must not set securityContext.procMount to "Unmasked"'),
  },
  {
    name: 'skipped before v1.35, where the baseline rule is already strict',
    subject: unmaskedInUserNamespace,
    version: 'v1.34',
    expected: notYet('procMount_restricted', 'v1.34', 35),
  },
  {
    name: 'a numeric procMount is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'procMount', 1)),
    expected: malformed(
      'procMount_restricted',
      'spec.containers[0].securityContext.procMount must be a string, not a number',
    ),
  },
];

tableTest(check, cases);
