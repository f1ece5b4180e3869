/**
 * Containers must not explicitly run as UID 0 (upstream `runAsUser`, restricted, v1.23+;
 * earlier versions skip). Read: `spec.securityContext.runAsUser`, the same field in every
 * init, regular and ephemeral container's securityContext, and, from v1.35,
 * `spec.hostUsers`. Passes when each is unset or non-zero; from v1.35 any value passes for a
 * pod in its own user namespace (`hostUsers: false`).
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  isUserNamespacePod,
  podSecurityContext,
  readInteger,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function runAsUser1Dot23(pod: PodSubject): Forbidden | undefined {
  const setters: string[] = [];
  if (readInteger(podSecurityContext(pod), 'runAsUser', `${pod.specPath}.securityContext`) === 0)
    setters.push('pod');
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    if (readInteger(container.securityContext, 'runAsUser', `${container.path}.securityContext`) === 0) {
      badContainers.push(container.name);
    }
  });
  if (badContainers.length > 0) setters.push(containerList(badContainers));
  if (setters.length === 0) return undefined;
  return { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` };
}

function runAsUser1Dot35(pod: PodSubject): Forbidden | undefined {
  // Before 1.35 this relaxation hung on an alpha feature gate; from 1.35 it is part of the policy.
  return isUserNamespacePod(pod) ? undefined : runAsUser1Dot23(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 23, judge: runAsUser1Dot23 },
  { since: 35, judge: runAsUser1Dot35 },
];

export const check: PodCheck = {
  id: 'pss.run-as-user',
  title: 'Containers do not run as UID 0',
  description:
    'runAsUser: 0 runs the container as root whatever the image says. Neither the pod nor any container may set ' +
    'securityContext.runAsUser to 0; from v1.35 pods with spec.hostUsers: false are exempt (Pod Security Standards ' +
    'restricted, "Running as Non-root user", from v1.23).',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/running-as-non-root-user' },
    { framework: 'CIS', control: '5.2.7' },
    { framework: 'NSA-CISA', control: 'Pod security: non-root containers' },
  ],
  remediation:
    'Set runAsUser to a non-zero UID (for example 65532) or remove it and let the image choose a non-root user.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('runAsUser', REVISIONS, pod, ctx),
};
