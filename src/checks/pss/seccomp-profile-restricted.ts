/**
 * At the restricted level every container must run under a seccomp profile (upstream
 * `seccompProfile_restricted`, restricted, v1.19+; earlier versions skip). Read:
 * `seccompProfile.type` of `spec.securityContext` and of every init, regular and ephemeral
 * container, and, from v1.25, `spec.os.name`. Passes when the pod sets `RuntimeDefault` or
 * `Localhost` and no container sets another type, or when every container sets one of those
 * itself. From v1.25 a pod with `os.name: windows` passes, as seccomp does not exist there.
 * Supersedes `pss.seccomp-profile-baseline`, whose failures this check reports too.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  isWindowsPod,
  joinQuote,
  podSecurityContext,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';
import { isValidSeccompType, seccompType } from './seccomp-profile-baseline.js';

const REASON = 'seccompProfile';

function seccompProfileRestricted1Dot19(pod: PodSubject): Forbidden | undefined {
  const setters: string[] = [];
  const badValues: string[] = [];
  let podProfileSet = false;
  const podType = seccompType(podSecurityContext(pod), `${pod.specPath}.securityContext`);
  if (podType !== undefined) {
    if (isValidSeccompType(podType)) podProfileSet = true;
    else {
      setters.push('pod');
      badValues.push(podType);
    }
  }
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  forEachContainer(pod, (container) => {
    const type = seccompType(container.securityContext, `${container.path}.securityContext`);
    if (type === undefined) {
      if (!podProfileSet) implicitlyBad.push(container.name);
    } else if (!isValidSeccompType(type)) {
      explicitlyBad.push(container.name);
      badValues.push(type);
    }
  });
  if (explicitlyBad.length > 0) setters.push(containerList(explicitlyBad));
  // A forbidden value is the more specific problem; upstream reports it alone.
  if (setters.length > 0) {
    return {
      reason: REASON,
      detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
    };
  }
  if (implicitlyBad.length > 0) {
    return {
      reason: REASON,
      detail: `pod or ${containerList(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  }
  return undefined;
}

function seccompProfileRestricted1Dot25(pod: PodSubject): Forbidden | undefined {
  // The API rejects seccompProfile on Windows pods, so they cannot comply and are exempt.
  return isWindowsPod(pod) ? undefined : seccompProfileRestricted1Dot19(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 19, judge: seccompProfileRestricted1Dot19 },
  { since: 25, judge: seccompProfileRestricted1Dot25 },
];

export const check: PodCheck = {
  id: 'pss.seccomp-profile-restricted',
  title: 'Containers run under a seccomp profile',
  description:
    'A container without a seccomp profile may make every system call. The pod must set ' +
    'securityContext.seccompProfile.type to RuntimeDefault or Localhost (or every container must set it itself), ' +
    'and no container may set another type; Windows pods are exempt from v1.25 (Pod Security Standards restricted, ' +
    '"Seccomp", from v1.19).',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/seccomp' },
    { framework: 'CIS', control: '5.7.2' },
    { framework: 'NSA-CISA', control: 'Pod security: hardening container environments' },
  ],
  remediation:
    'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile on the nodes).',
  supersedes: ['pss.seccomp-profile-baseline'],
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('seccompProfile_restricted', REVISIONS, pod, ctx),
};
