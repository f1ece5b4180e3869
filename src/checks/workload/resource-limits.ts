/**
 * Every long-running container caps its memory (`resources.limits.memory`), and its CPU
 * (`resources.limits.cpu`) only when the `requireCpuLimit` parameter asks for it. Memory
 * cannot be reclaimed from a process once granted: a container without a memory limit can
 * take the node's memory, and the kernel then kills whatever it picks, neighbours included.
 * CPU is compressible: without a limit a busy container is only held to its request share
 * when others compete, while a CPU limit throttles it even on an idle node and causes
 * latency spikes, so many teams deliberately set none (kube-score has a flag to skip it, and
 * Polaris rates it a warning). Read: the `resources.limits` of regular containers and native
 * sidecars (init containers with `restartPolicy: Always`); classic init containers only with
 * `includeInitContainers`; ephemeral containers cannot declare resources. A limit of zero
 * counts as missing. Defaults from a namespace LimitRange are applied at admission, so live
 * pods show them while manifests do not.
 */
import type { PodCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { isSidecar, judgeContainers, malformed, violation } from './container-verdicts.js';
import type { ResourceName } from './quantity.js';
import { readContainerResource } from './quantity.js';

const LABELS: Readonly<Record<ResourceName, string>> = { cpu: 'CPU', memory: 'memory' };

interface Options {
  readonly requireCpuLimit: boolean;
  readonly includeInitContainers: boolean;
}

function judge(ref: ContainerRef, options: Options): Problem | undefined {
  if (ref.kind === 'ephemeralContainers') return undefined;
  if (ref.kind === 'initContainers' && !isSidecar(ref) && !options.includeInitContainers) return undefined;
  const required: readonly ResourceName[] = options.requireCpuLimit ? ['cpu', 'memory'] : ['memory'];
  const gaps: string[] = [];
  for (const name of required) {
    const reading = readContainerResource(ref.container.resources, 'limits', name);
    if (reading.state === 'invalid') return malformed(`${ref.label}: ${reading.problem}`);
    if (reading.state === 'absent') gaps.push(`no ${LABELS[name]} limit`);
    else if (reading.state === 'zero') gaps.push(`a zero ${LABELS[name]} limit`);
  }
  return gaps.length > 0 ? violation(`${ref.label} has ${gaps.join(' and ')}`) : undefined;
}

export const check: PodCheck = {
  id: 'workload.resource-limits',
  title: 'Containers declare a memory limit (and a CPU limit when required)',
  description:
    'A container without a memory limit can exhaust its node and have the kernel kill other pods. Regular ' +
    'containers and native sidecars must set resources.limits.memory; a CPU limit is required only with ' +
    'requireCpuLimit, because CPU limits throttle even an idle node and many teams avoid them on purpose.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation: resource policies' }],
  remediation:
    'Set resources.limits.memory on every container (commonly equal to its memory request, which gives predictable ' +
    'OOM behaviour), or give the namespace a LimitRange with a default memory limit.',
  params: {
    requireCpuLimit: {
      type: 'boolean',
      description:
        'Also require resources.limits.cpu (off by default: CPU limits throttle even when the node is idle).',
      default: false,
    },
    includeInitContainers: {
      type: 'boolean',
      description: 'Also require limits on classic (run-to-completion) init containers.',
      default: false,
    },
  },
  scope: 'pod',
  evaluate(pod, ctx) {
    const options: Options = {
      requireCpuLimit: param<boolean>(ctx, check, 'requireCpuLimit') === true,
      includeInitContainers: param<boolean>(ctx, check, 'includeInitContainers') === true,
    };
    return judgeContainers(pod, { fail: 'MissingLimits', error: 'InvalidResources' }, (ref) =>
      judge(ref, options),
    );
  },
};
