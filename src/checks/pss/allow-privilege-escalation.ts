/**
 * Containers must not gain more privileges than their process started with, through setuid
 * binaries or file capabilities (upstream `allowPrivilegeEscalation`, restricted, v1.8+;
 * earlier versions skip, as the field arrived in 1.8). Read:
 * `securityContext.allowPrivilegeEscalation` of every init, regular and ephemeral container
 * and, from v1.25, `spec.os.name`. Passes only when each container sets it to `false`; from
 * v1.25 a pod with `os.name: windows` passes, because the API forbids the field there.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { containerList, forEachContainer, isWindowsPod, readBoolean } from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function allowPrivilegeEscalation1Dot8(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    const path = `${container.path}.securityContext`;
    if (readBoolean(container.securityContext, 'allowPrivilegeEscalation', path) !== false) {
      badContainers.push(container.name);
    }
  });
  if (badContainers.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerList(badContainers)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

function allowPrivilegeEscalation1Dot25(pod: PodSubject): Forbidden | undefined {
  return isWindowsPod(pod) ? undefined : allowPrivilegeEscalation1Dot8(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 8, judge: allowPrivilegeEscalation1Dot8 },
  { since: 25, judge: allowPrivilegeEscalation1Dot25 },
];

export const check: PodCheck = {
  id: 'pss.allow-privilege-escalation',
  title: 'Containers forbid privilege escalation',
  description:
    'Unless a container sets allowPrivilegeEscalation: false, a process in it can gain privileges through setuid ' +
    'or setgid binaries and file capabilities. Every init, regular and ephemeral container must set ' +
    'securityContext.allowPrivilegeEscalation: false; Windows pods are exempt from v1.25 ' +
    '(Pod Security Standards restricted, "Privilege Escalation", from v1.8).',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/privilege-escalation' },
    { framework: 'CIS', control: '5.2.6' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('allowPrivilegeEscalation', REVISIONS, pod, ctx),
};
