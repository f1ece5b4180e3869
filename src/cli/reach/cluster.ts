/**
 * Reads what `bulwark reach --kubeconfig` needs from a live cluster: Namespaces,
 * NetworkPolicies, Pods and the controllers that own pods (so a Deployment's pods are one
 * workload, named as findings name it). Each kind is listed in pages of 500, the way the
 * controller's reflector lists (SPEC §9), so a cluster of 50,000 pods never arrives as one
 * response.
 *
 * NetworkPolicies, Namespaces and Pods are required: without them the answer would be
 * wrong, so a failure to list them fails the command. A controller kind that cannot be
 * listed (no permission, an API group switched off) costs only the grouping of pods under
 * their owner, so it becomes a warning.
 */
import type { KubeObject } from '../../engine/objects.js';
import { isRecord } from '../../engine/objects.js';
import type { ListWatchClient, ResourceDescriptor } from '../../controller/kube-client.js';
import { RESOURCES } from '../../controller/kube-client.js';

const PAGE_SIZE = 500;

const apps = (plural: string, kind: string): ResourceDescriptor => ({
  group: 'apps',
  version: 'v1',
  plural,
  namespaced: true,
  kind,
});

interface ListedKind {
  readonly resource: ResourceDescriptor;
  readonly required: boolean;
}

/** What reach reads; the order puts the required kinds first so their failure is reported first. */
export const REACH_RESOURCES: readonly ListedKind[] = [
  { resource: RESOURCES.namespaces, required: true },
  { resource: RESOURCES.networkPolicies, required: true },
  { resource: RESOURCES.pods, required: true },
  { resource: apps('deployments', 'Deployment'), required: false },
  { resource: apps('replicasets', 'ReplicaSet'), required: false },
  { resource: apps('statefulsets', 'StatefulSet'), required: false },
  { resource: apps('daemonsets', 'DaemonSet'), required: false },
  { resource: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true, kind: 'Job' }, required: false },
  { resource: { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true, kind: 'CronJob' }, required: false },
  {
    resource: { group: '', version: 'v1', plural: 'replicationcontrollers', namespaced: true, kind: 'ReplicationController' },
    required: false,
  },
];

export interface ClusterObjects {
  readonly objects: KubeObject[];
  /** Kinds that could not be listed and what that costs. */
  readonly warnings: string[];
}

export class ClusterReadError extends Error {
  override readonly name = 'ClusterReadError';
}

/** Every object of one resource, page by page; list items carry no kind, so it is set here. */
async function listAll(client: Pick<ListWatchClient, 'list'>, resource: ResourceDescriptor): Promise<KubeObject[]> {
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  const out: KubeObject[] = [];
  let next: string | undefined;
  do {
    const page = await client.list(resource, { limit: PAGE_SIZE, ...(next !== undefined ? { continue: next } : {}) });
    for (const item of page.items) {
      if (isRecord(item)) out.push({ ...item, apiVersion, kind: resource.kind } as KubeObject);
    }
    next = page.metadata.continue;
  } while (next !== undefined && next !== '');
  return out;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readClusterObjects(client: Pick<ListWatchClient, 'list'>): Promise<ClusterObjects> {
  const objects: KubeObject[] = [];
  const warnings: string[] = [];
  for (const { resource, required } of REACH_RESOURCES) {
    try {
      objects.push(...(await listAll(client, resource)));
    } catch (error) {
      if (required) throw new ClusterReadError(`cannot list ${resource.plural}: ${reason(error)}`, { cause: error });
      warnings.push(`cannot list ${resource.plural} (${reason(error)}); their pods are shown as bare pods, not under their ${resource.kind}`);
    }
  }
  return { objects, warnings };
}
