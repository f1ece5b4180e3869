/**
 * Privileged containers see every device of the node and run with all capabilities and no
 * seccomp, AppArmor or SELinux confinement (upstream `privileged`, baseline, v1.0+). Read:
 * `securityContext.privileged` of every init, regular and ephemeral container. Passes when
 * each is unset or `false`.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { containerList, forEachContainer, readBoolean } from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function privileged1Dot0(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    if (readBoolean(container.securityContext, 'privileged', `${container.path}.securityContext`) === true) {
      badContainers.push(container.name);
    }
  });
  if (badContainers.length === 0) return undefined;
  return {
    reason: 'privileged',
    detail: `${containerList(badContainers)} must not set securityContext.privileged=true`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: privileged1Dot0 }];

export const check: PodCheck = {
  id: 'pss.privileged',
  title: 'Containers are not privileged',
  description:
    'A privileged container has every capability, access to all host devices and no seccomp, AppArmor or SELinux ' +
    'confinement: escaping to the node is trivial. No init, regular or ephemeral container may set ' +
    'securityContext.privileged: true (Pod Security Standards baseline, "Privileged Containers").',
  severity: 'critical',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/privileged' },
    { framework: 'CIS', control: '5.2.2' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove securityContext.privileged (or set it to false). If the container needs one specific kernel ' +
    'permission, add only that capability; device access belongs in a device plugin.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('privileged', REVISIONS, pod, ctx),
};
