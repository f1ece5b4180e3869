/**
 * HostPath volumes mount the node's filesystem into the pod (upstream `hostPathVolumes`,
 * baseline, v1.0+). Read: `spec.volumes[*].hostPath`. Passes when no volume sets it (a
 * `null` counts as unset). At the restricted level `pss.restricted-volumes` replaces this
 * check, since it forbids hostPath along with every other non-ephemeral volume type.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { joinQuote, pluralize, podFields, readRecord, readRecords, readString } from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function hostPathVolumes1Dot0(pod: PodSubject): Forbidden | undefined {
  const hostVolumes: string[] = [];
  for (const volume of readRecords(podFields(pod), 'volumes', pod.specPath)) {
    if (readRecord(volume.fields, 'hostPath', volume.path) !== undefined) {
      hostVolumes.push(readString(volume.fields, 'name', volume.path) ?? '');
    }
  }
  if (hostVolumes.length === 0) return undefined;
  return {
    reason: 'hostPath volumes',
    detail: `${pluralize('volume', 'volumes', hostVolumes.length)} ${joinQuote(hostVolumes)}`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: hostPathVolumes1Dot0 }];

export const check: PodCheck = {
  id: 'pss.host-path-volumes',
  title: 'Pods mount no hostPath volumes',
  description:
    "A hostPath volume exposes the node's filesystem to the pod: container runtime sockets, kubelet credentials " +
    "and other pods' data are one path away. No entry of spec.volumes may set hostPath (Pod Security Standards " +
    'baseline, "HostPath Volumes").',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/hostpath-volumes' },
    { framework: 'CIS', control: '5.2.12' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Replace hostPath volumes with emptyDir for scratch space, a PersistentVolumeClaim for durable data, or ' +
    'configMap/secret/projected volumes for configuration.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('hostPathVolumes', REVISIONS, pod, ctx),
};
