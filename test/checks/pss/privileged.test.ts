import { check } from '../../../src/checks/pss/privileged.js';
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

const cases: Case[] = [
  { name: 'not privileged', subject: compliantPod(), expected: PASS },
  {
    name: 'privileged: false',
    subject: podWith((spec) => (sc(app(spec)).privileged = false)),
    expected: PASS,
  },
  {
    name: 'privileged container',
    subject: podWith((spec) => (sc(app(spec)).privileged = true)),
    expected: forbidden('privileged', 'container "app" must not set securityContext.privileged=true'),
  },
  {
    name: 'init, regular and ephemeral containers in visiting order',
    subject: podWith((spec) => {
      sc(addContainer(spec, 'debug', 'ephemeralContainers')).privileged = true;
      sc(app(spec)).privileged = true;
      sc(addContainer(spec, 'setup', 'initContainers')).privileged = true;
    }),
    expected: forbidden(
      'privileged',
      'containers "setup", "app", "debug" must not set securityContext.privileged=true',
    ),
  },
  {
    name: 'a container without a name is named by position',
    subject: podWith((spec) => {
      sc(app(spec)).privileged = true;
      setRaw(app(spec), 'name', undefined);
    }),
    expected: forbidden(
      'privileged',
      'container "containers[0]" must not set securityContext.privileged=true',
    ),
  },
  {
    name: 'in a Deployment template',
    subject: asDeployment(podWith((spec) => (sc(app(spec)).privileged = true))),
    expected: forbidden('privileged', 'container "app" must not set securityContext.privileged=true'),
  },
  {
    name: 'a string is malformed, naming the template path',
    subject: asDeployment(podWith((spec) => setRaw(sc(app(spec)), 'privileged', 'true'))),
    expected: malformed(
      'privileged',
      'spec.template.spec.containers[0].securityContext.privileged must be a boolean, not a string',
    ),
  },
  {
    name: 'a container that is not an object is malformed',
    subject: podWith((spec) => setRaw(spec, 'initContainers', ['setup'])),
    expected: malformed('privileged', 'spec.initContainers[0] must be an object, not a string'),
  },
  {
    name: 'a securityContext that is a list is malformed',
    subject: podWith((spec) => setRaw(app(spec), 'securityContext', [])),
    expected: malformed('privileged', 'spec.containers[0].securityContext must be an object, not a list'),
  },
];

tableTest(check, cases);
