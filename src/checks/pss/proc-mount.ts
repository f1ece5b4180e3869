/**
 * The container runtime masks parts of /proc (kernel keys, timers, sysrq) that a container
 * must not reach; a container may not ask for an unmasked /proc (upstream `procMount`,
 * baseline, v1.0+). Read: `securityContext.procMount` of every init, regular and ephemeral
 * container, and, from v1.35, `spec.hostUsers`. Passes when procMount is unset or `Default`;
 * from v1.35 any value passes for a pod in its own user namespace (`hostUsers: false`), where
 * an unmasked /proc exposes only that namespace. At the restricted level
 * `pss.proc-mount-restricted` replaces this check from v1.35 and keeps the strict rule.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  isUserNamespacePod,
  joinQuote,
  readString,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

/** The strict rule: no container sets procMount to anything but `Default`. */
export function procMount1Dot0(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  const forbiddenTypes: string[] = [];
  forEachContainer(pod, (container) => {
    const procMount = readString(container.securityContext, 'procMount', `${container.path}.securityContext`);
    // An empty string is still a value, and not `Default`, so upstream forbids it too.
    if (procMount === undefined || procMount === 'Default') return;
    badContainers.push(container.name);
    forbiddenTypes.push(procMount);
  });
  if (badContainers.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${containerList(badContainers)} must not set securityContext.procMount to ${joinQuote(sortedSet(forbiddenTypes))}`,
  };
}

function procMount1Dot35(pod: PodSubject): Forbidden | undefined {
  return isUserNamespacePod(pod) ? undefined : procMount1Dot0(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 0, judge: procMount1Dot0 },
  { since: 35, judge: procMount1Dot35 },
];

export const check: PodCheck = {
  id: 'pss.proc-mount',
  title: 'Containers keep the default /proc masks',
  description:
    'The runtime hides sensitive parts of /proc from containers. securityContext.procMount must be unset or Default; ' +
    'from v1.35 a pod in its own user namespace (spec.hostUsers: false) may unmask /proc, which then exposes only ' +
    'that namespace (Pod Security Standards baseline, "/proc Mount Type").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/proc-mount-type' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove securityContext.procMount (or set it to Default). Workloads that build containers and need an unmasked ' +
    '/proc should run with spec.hostUsers: false.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('procMount', REVISIONS, pod, ctx),
};
