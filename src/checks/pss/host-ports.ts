/**
 * Host ports bind a container port on the node's own address, bypassing NetworkPolicies and
 * tying the pod to one port per node (upstream `hostPorts`, baseline, v1.0+). Read:
 * `ports[*].hostPort` of every init, regular and ephemeral container. Passes when each is
 * unset or 0. For a bare Pod with `spec.hostNetwork: true` the API server sets an unset
 * hostPort to the containerPort before admission (regular and init containers only; not in
 * workload templates since Kubernetes 1.28), so this check judges such a Pod as the API
 * server's PodSecurity admission will see it.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  pluralize,
  podFields,
  readBoolean,
  readInteger,
  readRecords,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function defaultsHostPorts(pod: PodSubject): boolean {
  return pod.holder.kind === 'Pod' && readBoolean(podFields(pod), 'hostNetwork', pod.specPath) === true;
}

function hostPorts1Dot0(pod: PodSubject): Forbidden | undefined {
  // Read only when a port could be defaulted, so a malformed hostNetwork is not reported twice.
  let defaulting: boolean | undefined;
  const badContainers: string[] = [];
  const forbiddenPorts: string[] = [];
  forEachContainer(pod, (container) => {
    let valid = true;
    for (const port of readRecords(container.fields, 'ports', container.path)) {
      let hostPort = readInteger(port.fields, 'hostPort', port.path) ?? 0;
      if (
        hostPort === 0 &&
        container.kind !== 'ephemeralContainers' &&
        (defaulting ??= defaultsHostPorts(pod))
      ) {
        hostPort = readInteger(port.fields, 'containerPort', port.path) ?? 0;
      }
      if (hostPort !== 0) {
        valid = false;
        forbiddenPorts.push(String(hostPort));
      }
    }
    if (!valid) badContainers.push(container.name);
  });
  if (badContainers.length === 0) return undefined;
  // Upstream lists the ports as a sorted set of strings, so 10000 comes before 8080.
  const ports = sortedSet(forbiddenPorts);
  return {
    reason: 'hostPort',
    detail:
      `${containerList(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ` +
      `${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: hostPorts1Dot0 }];

export const check: PodCheck = {
  id: 'pss.host-ports',
  title: 'Containers bind no host ports',
  description:
    "A hostPort opens the container on the node's own address: traffic to it bypasses NetworkPolicies and " +
    'Services, and only one pod per node can hold the port. No init, regular or ephemeral container may set ' +
    'ports[*].hostPort to anything but 0 (Pod Security Standards baseline, "Host Ports").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/host-ports' },
    { framework: 'CIS', control: '5.2.13' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove hostPort from the container ports and expose the workload through a Service (ClusterIP, NodePort or ' +
    'LoadBalancer) or an Ingress.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('hostPorts', REVISIONS, pod, ctx),
};
