/**
 * Every long-running container declares how much CPU and memory it needs
 * (`resources.requests.cpu` and `resources.requests.memory`), so the scheduler places the pod
 * on a node that has room and the kubelet evicts it last under pressure. Read: the
 * `resources` of regular containers and of native sidecars (init containers with
 * `restartPolicy: Always`, which run as long as the pod); classic init containers only with
 * `includeInitContainers`, because they run before the app containers and their requests only
 * matter when they exceed the app's (Polaris leaves them out; kube-score counts them).
 * Ephemeral containers cannot declare resources. A limit without a request passes, because
 * the API server copies the limit into the missing request. A quantity of zero counts as
 * missing.
 */
import type { PodCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { isSidecar, judgeContainers, malformed, violation } from './container-verdicts.js';
import type { ResourceName } from './quantity.js';
import { readContainerResource } from './quantity.js';

const LABELS: Readonly<Record<ResourceName, string>> = { cpu: 'CPU', memory: 'memory' };

function judge(ref: ContainerRef, includeInitContainers: boolean): Problem | undefined {
  if (ref.kind === 'ephemeralContainers') return undefined;
  if (ref.kind === 'initContainers' && !isSidecar(ref) && !includeInitContainers) return undefined;
  const gaps: string[] = [];
  for (const name of ['cpu', 'memory'] as const) {
    let reading = readContainerResource(ref.container.resources, 'requests', name);
    if (reading.state === 'absent') reading = readContainerResource(ref.container.resources, 'limits', name);
    if (reading.state === 'invalid') return malformed(`${ref.label}: ${reading.problem}`);
    if (reading.state === 'absent') gaps.push(`no ${LABELS[name]} request`);
    else if (reading.state === 'zero') gaps.push(`a zero ${LABELS[name]} request`);
  }
  return gaps.length > 0 ? violation(`${ref.label} has ${gaps.join(' and ')}`) : undefined;
}

export const check: PodCheck = {
  id: 'workload.resource-requests',
  title: 'Containers declare CPU and memory requests',
  description:
    'Without requests the scheduler can place a pod on a node that cannot run it, and the kubelet evicts it first ' +
    '(BestEffort QoS) when the node runs short. Regular containers and native sidecars must request CPU and memory; ' +
    'classic init containers only when includeInitContainers is set.',
  severity: 'low',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation: resource policies' }],
  remediation:
    'Set resources.requests.cpu and resources.requests.memory on every container to what it uses under normal ' +
    'load (for example from its observed usage), or give the namespace a LimitRange with default requests.',
  params: {
    includeInitContainers: {
      type: 'boolean',
      description: 'Also require requests on classic (run-to-completion) init containers.',
      default: false,
    },
  },
  scope: 'pod',
  evaluate(pod, ctx) {
    const includeInit = param<boolean>(ctx, check, 'includeInitContainers') === true;
    return judgeContainers(pod, { fail: 'MissingRequests', error: 'InvalidResources' }, (ref) =>
      judge(ref, includeInit),
    );
  },
};
