import { check } from '../../../src/checks/pss/proc-mount.js';
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

const unmaskedInUserNamespace = podWith((spec) => {
  spec.hostUsers = false;
  sc(app(spec)).procMount = 'Unmasked';
});

const cases: Case[] = [
  { name: 'no procMount', subject: compliantPod(), expected: PASS },
  { name: 'Default', subject: podWith((spec) => (sc(app(spec)).procMount = 'Default')), expected: PASS },
  {
    name: 'Unmasked',
    subject: podWith((spec) => (sc(app(spec)).procMount = 'Unmasked')),
    expected: forbidden('procMount', 'container "app" must not set securityContext.procMount to "Unmasked"'),
  },
  {
    name: 'an empty string is a value, and not Default',
    subject: podWith((spec) => {
      sc(app(spec)).procMount = '';
      sc(addContainer(spec, 'setup', 'initContainers')).procMount = 'Unmasked';
    }),
    expected: forbidden(
      'procMount',
      'containers "setup", "app" must not set securityContext.procMount to "", "Unmasked"',
    ),
  },
  {
    name: 'user-namespaced pods may unmask from v1.35',
    subject: unmaskedInUserNamespace,
    version: 'v1.35',
    expected: PASS,
  },
  { name: 'and at latest', subject: unmaskedInUserNamespace, expected: PASS },
  {
    name: 'but not before v1.35',
    subject: unmaskedInUserNamespace,
    version: 'v1.34',
    expected: forbidden('procMount', 'container "app" must not set securityContext.procMount to "Unmasked"'),
  },
  {
    name: 'hostUsers: true does not relax',
    subject: podWith((spec) => {
      spec.hostUsers = true;
      sc(app(spec)).procMount = 'Unmasked';
    }),
    expected: forbidden('procMount', 'container "app" must not set securityContext.procMount to "Unmasked"'),
  },
  {
    name: 'a string hostUsers is malformed',
    subject: podWith((spec) => setRaw(spec, 'hostUsers', 'false')),
    expected: malformed('procMount', 'spec.hostUsers must be a boolean, not a string'),
  },
];

tableTest(check, cases);
