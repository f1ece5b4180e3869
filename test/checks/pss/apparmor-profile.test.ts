import { check } from '../../../src/checks/pss/apparmor-profile.js';
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

const KEY = 'container.apparmor.security.beta.kubernetes.io';

const cases: Case[] = [
  { name: 'no AppArmor settings', subject: compliantPod(), expected: PASS },
  {
    name: 'RuntimeDefault and Localhost types, allowed annotation values',
    subject: podWith((spec, pod) => {
      spec.securityContext = { ...spec.securityContext, appArmorProfile: { type: 'RuntimeDefault' } };
      sc(app(spec)).appArmorProfile = { type: 'Localhost', localhostProfile: 'web' };
      pod.metadata = {
        ...pod.metadata,
        annotations: { [`${KEY}/app`]: 'localhost/web', [`${KEY}/x`]: 'runtime/default', [`${KEY}/y`]: '' },
      };
    }),
    expected: PASS,
  },
  {
    name: 'Unconfined on the pod',
    subject: podWith(
      (spec) => (spec.securityContext = { ...spec.securityContext, appArmorProfile: { type: 'Unconfined' } }),
    ),
    expected: forbidden(
      'forbidden AppArmor profile',
      'pod must not set AppArmor profile type to "Unconfined"',
    ),
  },
  {
    name: 'a profile without a type reads as the empty type',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'appArmorProfile', {})),
    expected: forbidden(
      'forbidden AppArmor profile',
      'container "app" must not set AppArmor profile type to ""',
    ),
  },
  {
    name: 'an unconfined annotation, quoted as upstream quotes it',
    subject: podWith(
      (_spec, pod) => (pod.metadata = { ...pod.metadata, annotations: { [`${KEY}/app`]: 'unconfined' } }),
    ),
    expected: forbidden(
      'forbidden AppArmor profile',
      `annotation must not set AppArmor profile type to "${KEY}/app="unconfined""`,
    ),
  },
  {
    name: 'pod, containers and annotations together; template annotations are read',
    subject: asDeployment(
      podWith((spec, pod) => {
        spec.securityContext = { ...spec.securityContext, appArmorProfile: { type: 'Unconfined' } };
        sc(app(spec)).appArmorProfile = { type: 'Bogus' };
        sc(addContainer(spec, 'debug', 'ephemeralContainers')).appArmorProfile = { type: 'Unconfined' };
        pod.metadata = { ...pod.metadata, annotations: { [`${KEY}/b`]: 'unconfined', [`${KEY}/a`]: 'x' } };
      }),
    ),
    version: 'v1.0',
    expected: forbidden(
      'forbidden AppArmor profiles',
      'pod and containers "app", "debug" and annotations must not set AppArmor profile type to ' +
        `"Bogus", "Unconfined", "${KEY}/a="x"", "${KEY}/b="unconfined""`,
    ),
  },
  {
    name: 'an annotation value that is not a string is malformed',
    subject: podWith((_spec, pod) => setRaw(pod.metadata ?? {}, 'annotations', { [`${KEY}/app`]: 1 })),
    expected: malformed(
      'appArmorProfile',
      `metadata.annotations["${KEY}/app"] must be a string, not a number`,
    ),
  },
  {
    name: 'a profile type that is not a string is malformed',
    subject: podWith((spec) => setRaw(sc(app(spec)), 'appArmorProfile', { type: true })),
    expected: malformed(
      'appArmorProfile',
      'spec.containers[0].securityContext.appArmorProfile.type must be a string, not a boolean',
    ),
  },
];

tableTest(check, cases);
