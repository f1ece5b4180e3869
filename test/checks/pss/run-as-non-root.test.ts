import { check } from '../../../src/checks/pss/run-as-non-root.js';
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

const REASON = 'runAsNonRoot != true';

const unsetInUserNamespace = podWith((spec) => {
  spec.hostUsers = false;
  delete spec.securityContext?.runAsNonRoot;
});

const cases: Case[] = [
  { name: 'true on the pod', subject: compliantPod(), expected: PASS },
  {
    name: 'true on every container instead',
    subject: podWith((spec) => {
      delete spec.securityContext?.runAsNonRoot;
      sc(app(spec)).runAsNonRoot = true;
    }),
    expected: PASS,
  },
  {
    name: 'unset everywhere',
    subject: podWith((spec) => delete spec.securityContext?.runAsNonRoot),
    expected: forbidden(REASON, 'pod or container "app" must set securityContext.runAsNonRoot=true'),
  },
  {
    name: 'false on the pod, containers silent',
    subject: podWith((spec) => (spec.securityContext = { ...spec.securityContext, runAsNonRoot: false })),
    expected: forbidden(REASON, 'pod must not set securityContext.runAsNonRoot=false'),
  },
  {
    name: 'a container overriding the pod with false',
    subject: podWith((spec) => {
      addContainer(spec, 'setup', 'initContainers');
      sc(app(spec)).runAsNonRoot = false;
    }),
    expected: forbidden(REASON, 'container "app" must not set securityContext.runAsNonRoot=false'),
  },
  {
    name: 'user-namespaced pods are exempt from v1.35',
    subject: unsetInUserNamespace,
    version: 'v1.35',
    expected: PASS,
  },
  {
    name: 'but not before v1.35',
    subject: unsetInUserNamespace,
    version: 'v1.34',
    expected: forbidden(REASON, 'pod or container "app" must set securityContext.runAsNonRoot=true'),
  },
  {
    name: 'defined from v1.0',
    subject: podWith((spec) => delete spec.securityContext?.runAsNonRoot),
    version: 'v1.0',
    expected: forbidden(REASON, 'pod or container "app" must set securityContext.runAsNonRoot=true'),
  },
  {
    name: 'a pod securityContext that is a string is malformed',
    subject: podWith((spec) => setRaw(spec, 'securityContext', 'nonroot')),
    expected: malformed('runAsNonRoot', 'spec.securityContext must be an object, not a string'),
  },
];

tableTest(check, cases);
