import { check } from '../../../src/checks/pss/windows-host-process.js';
import { PASS } from '../../../src/engine/types.js';
import type { Case } from './fixtures.js';
import {
  addContainer,
  app,
  asDeployment,
  compliantPod,
  forbidden,
  malformed,
  podWith,
  sc,
  setRaw,
  tableTest,
} from './fixtures.js';

const DETAIL = 'must not set securityContext.windowsOptions.hostProcess=true';

const cases: Case[] = [
  { name: 'no windowsOptions', subject: compliantPod(), expected: PASS },
  {
    name: 'hostProcess false on pod and container',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, windowsOptions: { hostProcess: false } };
      sc(app(spec)).windowsOptions = { hostProcess: false };
    }),
    expected: PASS,
  },
  {
    name: 'hostProcess on the pod',
    subject: podWith(
      (spec) => (spec.securityContext = { ...spec.securityContext, windowsOptions: { hostProcess: true } }),
    ),
    expected: forbidden('hostProcess', `pod ${DETAIL}`),
  },
  {
    name: 'hostProcess on a container',
    subject: podWith((spec) => (sc(app(spec)).windowsOptions = { hostProcess: true })),
    expected: forbidden('hostProcess', `container "app" ${DETAIL}`),
  },
  {
    name: 'pod and init and ephemeral containers are all named',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, windowsOptions: { hostProcess: true } };
      sc(addContainer(spec, 'setup', 'initContainers')).windowsOptions = { hostProcess: true };
      sc(addContainer(spec, 'debug', 'ephemeralContainers')).windowsOptions = { hostProcess: true };
    }),
    expected: forbidden('hostProcess', `pod and containers "setup", "debug" ${DETAIL}`),
  },
  {
    name: 'in a Deployment template',
    subject: asDeployment(podWith((spec) => (sc(app(spec)).windowsOptions = { hostProcess: true }))),
    expected: forbidden('hostProcess', `container "app" ${DETAIL}`),
  },
  {
    name: 'defined from v1.0',
    subject: podWith((spec) => (sc(app(spec)).windowsOptions = { hostProcess: true })),
    version: 'v1.0',
    expected: forbidden('hostProcess', `container "app" ${DETAIL}`),
  },
  {
    name: 'a string hostProcess is malformed, not true',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'windowsOptions', { hostProcess: 'true' })),
    expected: malformed(
      'windowsHostProcess',
      'spec.containers[0].securityContext.windowsOptions.hostProcess must be a boolean, not a string',
    ),
  },
  {
    name: 'a containers field that is not a list is malformed',
    subject: podWith((spec) => setRaw(spec, 'containers', { name: 'app' })),
    expected: malformed('windowsHostProcess', 'spec.containers must be a list, not an object'),
  },
  {
    name: 'null fields read as unset',
    subject: podWith((spec) => {
      setRaw(spec, 'securityContext', null);
      setRaw(sc(app(spec)), 'windowsOptions', null);
    }),
    expected: PASS,
  },
];

tableTest(check, cases);
