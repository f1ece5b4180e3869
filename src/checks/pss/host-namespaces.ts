/**
 * Sharing the node's network, PID or IPC namespace lets a pod see and reach what other pods
 * and the node itself do (upstream `hostNamespaces`, baseline, v1.0+). Read:
 * `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`. Passes when each is unset or `false`.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { podFields, readBoolean } from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

function hostNamespaces1Dot0(pod: PodSubject): Forbidden | undefined {
  const shared = HOST_NAMESPACE_FIELDS.filter(
    (field) => readBoolean(podFields(pod), field, pod.specPath) === true,
  );
  if (shared.length === 0) return undefined;
  return { reason: 'host namespaces', detail: shared.map((field) => `${field}=true`).join(', ') };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: hostNamespaces1Dot0 }];

export const check: PodCheck = {
  id: 'pss.host-namespaces',
  title: 'Pods do not share the host network, PID or IPC namespace',
  description:
    "A pod in the node's network namespace can bind node ports and sniff traffic; in its PID namespace it can see " +
    "and signal every process on the node; in its IPC namespace it can read other processes' shared memory. " +
    'spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false (Pod Security Standards baseline, ' +
    '"Host Namespaces").',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/host-namespaces' },
    { framework: 'CIS', control: '5.2.3' },
    { framework: 'CIS', control: '5.2.4' },
    { framework: 'CIS', control: '5.2.5' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC (or set them to false). Expose the workload through a ' +
    'Service instead of the host network, and share data between containers of one pod with shareProcessNamespace ' +
    'or volumes.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('hostNamespaces', REVISIONS, pod, ctx),
};
