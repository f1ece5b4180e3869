import { check } from '../../../src/checks/pss/seccomp-profile-restricted.js';
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

const MUST_SET = 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"';

const unset = podWith((spec) => delete spec.securityContext?.seccompProfile);
const windowsUnset = podWith((spec) => {
  delete spec.securityContext?.seccompProfile;
  spec.os = { name: 'windows' };
});

const cases: Case[] = [
  { name: 'RuntimeDefault on the pod', subject: compliantPod(), expected: PASS },
  {
    name: 'every container sets Localhost itself',
    subject: podWith((spec) => {
      delete spec.securityContext?.seccompProfile;
      sc(app(spec)).seccompProfile = { type: 'Localhost', localhostProfile: 'web.json' };
      sc(addContainer(spec, 'setup', 'initContainers')).seccompProfile = { type: 'RuntimeDefault' };
    }),
    expected: PASS,
  },
  {
    name: 'unset everywhere',
    subject: unset,
    expected: forbidden('seccompProfile', `pod or container "app" ${MUST_SET}`),
  },
  {
    name: 'a container left unset without a pod default',
    subject: podWith((spec) => {
      delete spec.securityContext?.seccompProfile;
      sc(app(spec)).seccompProfile = { type: 'RuntimeDefault' };
      addContainer(spec, 'setup', 'initContainers').securityContext = {};
    }),
    expected: forbidden('seccompProfile', `pod or container "setup" ${MUST_SET}`),
  },
  {
    name: 'an explicit bad value is reported alone',
    subject: podWith((spec) => {
      addContainer(spec, 'setup', 'initContainers');
      spec.securityContext = { ...spec.securityContext, seccompProfile: { type: 'Unconfined' } };
      sc(app(spec)).seccompProfile = { type: 'Unconfined' };
    }),
    expected: forbidden(
      'seccompProfile',
      'pod and container "app" must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
  },
  { name: 'Windows pods are exempt from v1.25', subject: windowsUnset, version: 'v1.25', expected: PASS },
  {
    name: 'but not before v1.25',
    subject: windowsUnset,
    version: 'v1.24',
    expected: forbidden('seccompProfile', `pod or container "app" ${MUST_SET}`),
  },
  {
    name: 'defined from v1.19',
    subject: unset,
    version: 'v1.19',
    expected: forbidden('seccompProfile', `pod or container "app" ${MUST_SET}`),
  },
  {
    name: 'skipped before v1.19',
    subject: unset,
    version: 'v1.18',
    expected: notYet('seccompProfile_restricted', 'v1.18', 19),
  },
  {
    name: 'an os that is a string is malformed',
    subject: podWith((spec) => setRaw(spec, 'os', 'windows')),
    expected: malformed('seccompProfile_restricted', 'spec.os must be an object, not a string'),
  },
];

tableTest(check, cases);
