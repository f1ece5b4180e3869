/**
 * At the restricted level a pod may use only volume types that cannot reach the node or
 * storage outside the cluster's control (upstream `restrictedVolumes`, restricted, v1.0+).
 * Read: `spec.volumes[*]`. A volume passes when it sets `configMap`, `csi`, `downwardAPI`,
 * `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected` or `secret`; any other
 * source (hostPath, nfs, iscsi, gitRepo, the in-tree cloud disks, ...) fails. A volume that
 * names no source the API knows passes: the API server turns it into an `emptyDir` before
 * admission (upstream's own fixtures rely on this), so upstream's "unknown" type never
 * reaches it from a real request.
 * Supersedes `pss.host-path-volumes`, whose failures this check reports too.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { Fields } from './pod-fields.js';
import {
  joinQuote,
  pluralize,
  podFields,
  readRecord,
  readRecords,
  readString,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const ALLOWED_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
] as const;

/** The restricted sources, in the order upstream names the first one a volume sets. */
const RESTRICTED_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

function isSet(volume: Fields, source: string, path: string): boolean {
  return readRecord(volume, source, path) !== undefined;
}

function restrictedVolumes1Dot0(pod: PodSubject): Forbidden | undefined {
  const badVolumes: string[] = [];
  const badTypes: string[] = [];
  for (const volume of readRecords(podFields(pod), 'volumes', pod.specPath)) {
    // One allowed source is enough, as upstream's switch checks the allowed sources first.
    if (ALLOWED_SOURCES.some((source) => isSet(volume.fields, source, volume.path))) continue;
    const restricted = RESTRICTED_SOURCES.find((source) => isSet(volume.fields, source, volume.path));
    // No known source: the API server defaults the volume to an emptyDir.
    if (restricted === undefined) continue;
    badVolumes.push(readString(volume.fields, 'name', volume.path) ?? '');
    badTypes.push(restricted);
  }
  if (badVolumes.length === 0) return undefined;
  const types = sortedSet(badTypes);
  return {
    reason: 'restricted volume types',
    detail:
      `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(badVolumes)} ` +
      `${pluralize('uses', 'use', badVolumes.length)} ` +
      `${pluralize('restricted volume type', 'restricted volume types', types.length)} ${joinQuote(types)}`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: restrictedVolumes1Dot0 }];

export const check: PodCheck = {
  id: 'pss.restricted-volumes',
  title: 'Pods use only ephemeral, projected and claimed volumes',
  description:
    'Volume types such as hostPath, nfs, iscsi or gitRepo reach the node or storage outside the control of the ' +
    'cluster. Every entry of spec.volumes must be a configMap, csi, downwardAPI, emptyDir, ephemeral, image, ' +
    'persistentVolumeClaim, projected or secret volume (Pod Security Standards restricted, "Volume Types").',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/volume-types' },
    { framework: 'CIS', control: '5.2.12' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Replace the volume with a PersistentVolumeClaim (the storage then lives in a PersistentVolume an administrator ' +
    'controls), an emptyDir, or a configMap/secret/projected volume; clone repositories in an init container ' +
    'instead of gitRepo.',
  supersedes: ['pss.host-path-volumes'],
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('restrictedVolumes', REVISIONS, pod, ctx),
};
