/**
 * Windows HostProcess containers run directly on the node with host privileges, so the pod
 * and its containers must not ask for them (upstream `windowsHostProcess`, baseline, v1.0+).
 * Read: `spec.securityContext.windowsOptions.hostProcess` and the same field in every init,
 * regular and ephemeral container's securityContext. Passes when each is unset or `false`.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { Fields } from './pod-fields.js';
import {
  containerList,
  forEachContainer,
  podSecurityContext,
  readBoolean,
  readRecord,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function isHostProcess(securityContext: Fields | undefined, path: string): boolean {
  const options = readRecord(securityContext, 'windowsOptions', path);
  return readBoolean(options, 'hostProcess', `${path}.windowsOptions`) === true;
}

function windowsHostProcess1Dot0(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    if (isHostProcess(container.securityContext, `${container.path}.securityContext`)) {
      badContainers.push(container.name);
    }
  });
  const setters: string[] = [];
  if (isHostProcess(podSecurityContext(pod), `${pod.specPath}.securityContext`)) setters.push('pod');
  if (badContainers.length > 0) setters.push(containerList(badContainers));
  if (setters.length === 0) return undefined;
  return {
    reason: 'hostProcess',
    detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: windowsHostProcess1Dot0 }];

export const check: PodCheck = {
  id: 'pss.windows-host-process',
  title: 'Pods do not run Windows HostProcess containers',
  description:
    'A Windows HostProcess container runs on the node itself, with access to the host network, processes and ' +
    'filesystem, as a privileged Linux container would. Neither the pod nor any container may set ' +
    'securityContext.windowsOptions.hostProcess: true (Pod Security Standards baseline, "HostProcess").',
  severity: 'critical',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/host-process' },
    { framework: 'CIS', control: '5.2.11' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and on every container; ' +
    'run node-level Windows agents in a namespace exempted by policy instead.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('windowsHostProcess', REVISIONS, pod, ctx),
};
