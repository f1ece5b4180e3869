import { check } from '../../../src/checks/pss/seccomp-profile-baseline.js';
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

const POD_KEY = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_KEY = 'container.seccomp.security.alpha.kubernetes.io';

const unconfinedField = podWith(
  (spec) => (spec.securityContext = { ...spec.securityContext, seccompProfile: { type: 'Unconfined' } }),
);
const unconfinedAnnotation = podWith(
  (_spec, pod) => (pod.metadata = { ...pod.metadata, annotations: { [POD_KEY]: 'unconfined' } }),
);

const cases: Case[] = [
  { name: 'RuntimeDefault on the pod', subject: compliantPod(), expected: PASS },
  {
    name: 'unset, Localhost on a container',
    subject: podWith((spec) => {
      delete spec.securityContext;
      sc(app(spec)).seccompProfile = { type: 'Localhost', localhostProfile: 'web.json' };
    }),
    expected: PASS,
  },
  {
    name: 'Unconfined on the pod',
    subject: unconfinedField,
    expected: forbidden(
      'seccompProfile',
      'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
  },
  {
    name: 'pod and containers, values sorted and unique',
    subject: podWith((spec) => {
      spec.securityContext = { ...spec.securityContext, seccompProfile: { type: 'Unconfined' } };
      sc(app(spec)).seccompProfile = { type: 'Unconfined' };
      setRaw(sc(addContainer(spec, 'setup', 'initContainers')), 'seccompProfile', {});
    }),
    expected: forbidden(
      'seccompProfile',
      'pod and containers "setup", "app" must not set securityContext.seccompProfile.type to "", "Unconfined"',
    ),
  },
  {
    name: 'annotations are ignored from v1.19',
    subject: unconfinedAnnotation,
    version: 'v1.19',
    expected: PASS,
  },
  {
    name: 'fields are ignored before v1.19',
    subject: unconfinedField,
    version: 'v1.18',
    expected: PASS,
  },
  {
    name: 'an unconfined pod annotation before v1.19',
    subject: unconfinedAnnotation,
    version: 'v1.18',
    expected: forbidden('seccompProfile', `forbidden annotation ${POD_KEY}="unconfined"`),
  },
  {
    name: 'allowed annotation values before v1.19',
    subject: podWith(
      (_spec, pod) =>
        (pod.metadata = {
          ...pod.metadata,
          annotations: { [POD_KEY]: 'docker/default', [`${CONTAINER_KEY}/app`]: 'localhost/web.json' },
        }),
    ),
    version: 'v1.0',
    expected: PASS,
  },
  {
    name: 'container annotations of existing containers only, sorted; empty is forbidden',
    subject: asDeployment(
      podWith((spec, pod) => {
        addContainer(spec, 'setup', 'initContainers');
        pod.metadata = {
          ...pod.metadata,
          annotations: {
            [`${CONTAINER_KEY}/setup`]: 'unconfined',
            [`${CONTAINER_KEY}/app`]: '',
            [`${CONTAINER_KEY}/gone`]: 'unconfined',
          },
        };
      }),
    ),
    version: 'v1.10',
    expected: forbidden(
      'seccompProfile',
      `forbidden annotations ${CONTAINER_KEY}/app="", ${CONTAINER_KEY}/setup="unconfined"`,
    ),
  },
  {
    name: 'a seccompProfile that is a string is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'seccompProfile', 'RuntimeDefault')),
    expected: malformed(
      'seccompProfile_baseline',
      'spec.containers[0].securityContext.seccompProfile must be an object, not a string',
    ),
  },
  {
    name: 'annotations that are a list are malformed',
    subject: podWith((_spec, pod) => setRaw(pod.metadata ?? {}, 'annotations', [])),
    version: 'v1.18',
    expected: malformed('seccompProfile_baseline', 'metadata.annotations must be an object, not a list'),
  },
];

tableTest(check, cases);
