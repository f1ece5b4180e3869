/**
 * Every container runs with a read-only root filesystem
 * (`securityContext.readOnlyRootFilesystem: true`), so an intruder cannot drop tools or
 * modify binaries inside it; the application writes only to the volumes it mounts (an
 * `emptyDir` for scratch space). Read: `securityContext` of init, regular and ephemeral
 * containers (there is no pod-level setting). Only `true` passes; unset and `false` fail.
 * Windows pods are skipped, because the API forbids the field for them.
 */
import type { PodCheck } from '../../engine/check.js';
import { isRecord } from '../../engine/objects.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { skip } from '../../engine/types.js';
import type { ContainerRef, Problem } from './container-verdicts.js';
import { judgeContainers, malformed, violation } from './container-verdicts.js';

function judge(ref: ContainerRef): Problem | undefined {
  const context: unknown = ref.container.securityContext;
  if (context !== undefined && context !== null && !isRecord(context)) {
    return malformed(`${ref.label}: securityContext is not an object`);
  }
  const readOnly = isRecord(context) ? context['readOnlyRootFilesystem'] : undefined;
  if (readOnly === true) return undefined;
  if (readOnly !== undefined && readOnly !== null && readOnly !== false) {
    return malformed(`${ref.label}: securityContext.readOnlyRootFilesystem is not a boolean`);
  }
  return violation(`${ref.label} does not set securityContext.readOnlyRootFilesystem: true`);
}

export const check: PodCheck = {
  id: 'workload.read-only-root-fs',
  title: 'Containers run with a read-only root filesystem',
  description:
    'A writable root filesystem lets an intruder install tools, change binaries and persist inside the container. ' +
    'Every init, regular and ephemeral container must set securityContext.readOnlyRootFilesystem: true.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [{ framework: 'NSA-CISA', control: 'Pod security: immutable container file systems' }],
  remediation:
    'Set securityContext.readOnlyRootFilesystem: true on each container and mount an emptyDir volume at each path ' +
    'the application must write to (for example /tmp).',
  scope: 'pod',
  evaluate(pod) {
    const os: unknown = pod.spec.os;
    if (isRecord(os) && os['name'] === 'windows')
      return skip('Windows pods cannot set readOnlyRootFilesystem');
    return judgeContainers(pod, { fail: 'WritableRootFilesystem', error: 'InvalidSecurityContext' }, judge);
  },
};
