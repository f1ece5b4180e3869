/**
 * Containers must be required to run as a non-root user (upstream `runAsNonRoot`,
 * restricted, v1.0+). Read: `spec.securityContext.runAsNonRoot`, the same field in every
 * init, regular and ephemeral container's securityContext, and, from v1.35, `spec.hostUsers`.
 * Passes when the pod sets `true` and no container sets `false`, or when every container
 * sets `true` itself. From v1.35 any value passes for a pod in its own user namespace
 * (`hostUsers: false`), where root in the container is not root on the node.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  isUserNamespacePod,
  podSecurityContext,
  readBoolean,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const REASON = 'runAsNonRoot != true';

function runAsNonRoot1Dot0(pod: PodSubject): Forbidden | undefined {
  const setters: string[] = [];
  const podValue = readBoolean(podSecurityContext(pod), 'runAsNonRoot', `${pod.specPath}.securityContext`);
  if (podValue === false) setters.push('pod');
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  forEachContainer(pod, (container) => {
    const value = readBoolean(container.securityContext, 'runAsNonRoot', `${container.path}.securityContext`);
    if (value === false) explicitlyBad.push(container.name);
    else if (value === undefined && podValue !== true) implicitlyBad.push(container.name);
  });
  if (explicitlyBad.length > 0) setters.push(containerList(explicitlyBad));
  // An explicit false is the more specific problem; upstream reports it alone.
  if (setters.length > 0) {
    return {
      reason: REASON,
      detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  }
  if (implicitlyBad.length > 0) {
    return {
      reason: REASON,
      detail: `pod or ${containerList(implicitlyBad)} must set securityContext.runAsNonRoot=true`,
    };
  }
  return undefined;
}

function runAsNonRoot1Dot35(pod: PodSubject): Forbidden | undefined {
  // Before 1.35 this relaxation hung on an alpha feature gate; from 1.35 it is part of the policy.
  return isUserNamespacePod(pod) ? undefined : runAsNonRoot1Dot0(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 0, judge: runAsNonRoot1Dot0 },
  { since: 35, judge: runAsNonRoot1Dot35 },
];

export const check: PodCheck = {
  id: 'pss.run-as-non-root',
  title: 'Containers must run as non-root',
  description:
    'A process running as root in a container is root on the node once it escapes. The pod (or every container) ' +
    'must set securityContext.runAsNonRoot: true, so the kubelet refuses to start an image that would run as ' +
    'UID 0; from v1.35 pods with spec.hostUsers: false are exempt (Pod Security Standards restricted, "Running as ' +
    'Non-root").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/running-as-non-root' },
    { framework: 'CIS', control: '5.2.7' },
    { framework: 'NSA-CISA', control: 'Pod security: non-root containers' },
  ],
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (and runAsUser to a non-zero UID if the image does not declare a ' +
    'numeric non-root USER); remove runAsNonRoot: false from containers.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('runAsNonRoot', REVISIONS, pod, ctx),
};
