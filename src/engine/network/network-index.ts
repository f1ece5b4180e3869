/**
 * Which NetworkPolicies select which workloads, built once per inventory revision and
 * shared by the `net.*` and `ns.*` checks and by `bulwark reach`.
 *
 * Workloads come from Pods and from the pod templates of controllers (Deployments,
 * StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs), grouped by
 * top-level owner as findings are, so a Deployment and its running pods are one workload.
 * A bare PodTemplate runs nothing and is left out. Each pod or template keeps its own
 * labels and its own selection: a policy may select some replicas of a StatefulSet by
 * `statefulset.kubernetes.io/pod-name` and not others.
 *
 * Namespaces carry their labels plus `kubernetes.io/metadata.name=<name>`, which the API
 * server sets on every namespace (so policies select namespaces by name with it), also
 * when the manifests hold no Namespace object.
 */
import type { CheckContext } from '../check.js';
import type { Inventory } from '../inventory.js';
import type { KubeObject } from '../objects.js';
import { asArray, isRecord, labelsOf, refOf } from '../objects.js';
import { resourceKey, topLevelOwner } from '../owner.js';
import { podSubjectOf } from '../pod-spec.js';
import type { ResourceRef } from '../types.js';
import type { CompiledNetworkPolicy, Direction, Protocol } from './network-policy.js';
import { compileNetworkPolicy, effectiveNamespace, isProtocol, isValidPolicy } from './network-policy.js';

type Labels = Readonly<Record<string, string>>;

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Kinds whose pod template runs pods; PodTemplate objects are only templates. */
export const WORKLOAD_KINDS: readonly string[] = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
];

export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** One pod, or one controller's template, of a workload. */
export interface WorkloadMember {
  readonly ref: ResourceRef;
  readonly isPod: boolean;
  readonly labels: Labels;
  /** Valid policies in force for the direction that select this member. */
  readonly selectedBy: Readonly<Record<Direction, readonly CompiledNetworkPolicy[]>>;
}

export interface Workload {
  /** `Deployment/shop/web`: stable, for lookups and sorting. */
  readonly key: string;
  /** The top-level owner, as findings name it. */
  readonly ref: ResourceRef;
  readonly namespace: string;
  /** The labels of the owner's own template when present, else of its first pod. */
  readonly labels: Labels;
  /** Container ports (regular and init containers), against which named ports resolve. */
  readonly ports: readonly ContainerPort[];
  readonly members: readonly WorkloadMember[];
}

export interface NamespaceInfo {
  readonly name: string;
  /** The Namespace object's labels plus the automatic `kubernetes.io/metadata.name`. */
  readonly labels: Labels;
  /** The Namespace object, when the inventory has it. */
  readonly object?: KubeObject;
  readonly ref: ResourceRef;
}

export interface NetworkIndex {
  /** Every namespace known, sorted by name. */
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>;
  /** Every NetworkPolicy by namespace, invalid ones included (they carry diagnostics). */
  readonly policies: ReadonlyMap<string, readonly CompiledNetworkPolicy[]>;
  /** Workloads by namespace, sorted by key. */
  readonly workloads: ReadonlyMap<string, readonly Workload[]>;
}

export function namespaceLabelsOf(name: string, labels: Labels): Labels {
  // The API server overwrites the label with the namespace's name, whatever was written.
  return { ...labels, [NAMESPACE_NAME_LABEL]: name };
}

export function namespaceRef(name: string, object?: KubeObject): ResourceRef {
  return object !== undefined ? refOf(object) : { apiVersion: 'v1', kind: 'Namespace', name };
}

export function containerPortsOf(holder: KubeObject): ContainerPort[] {
  const pod = podSubjectOf(holder);
  if (pod === undefined) return [];
  const out: ContainerPort[] = [];
  // Ephemeral containers cannot declare ports; init containers can (sidecars serve on them).
  for (const field of ['initContainers', 'containers'] as const) {
    for (const container of asArray<unknown>(pod.spec[field])) {
      if (!isRecord(container)) continue;
      for (const port of asArray<unknown>(container['ports'])) {
        if (!isRecord(port)) continue;
        const number = port['containerPort'];
        if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) continue;
        const protocol = port['protocol'] ?? 'TCP';
        if (!isProtocol(protocol)) continue;
        const name = port['name'];
        out.push(typeof name === 'string' && name !== '' ? { name, port: number, protocol } : { port: number, protocol });
      }
    }
  }
  return out;
}

/** Valid policies of a namespace, in force for `direction`, whose podSelector matches the labels. */
export function policiesSelecting(
  index: NetworkIndex,
  namespace: string,
  labels: Labels,
  direction: Direction,
): CompiledNetworkPolicy[] {
  return (index.policies.get(namespace) ?? []).filter(
    (policy) => isValidPolicy(policy) && policy.affects[direction] && policy.podSelector.matches(labels),
  );
}

interface MemberDraft {
  readonly holder: KubeObject;
  readonly isPod: boolean;
  readonly isOwner: boolean;
}

export function buildNetworkIndex(inventory: Inventory): NetworkIndex {
  const policies = new Map<string, CompiledNetworkPolicy[]>();
  for (const obj of inventory.list('NetworkPolicy')) {
    const policy = compileNetworkPolicy(obj as KubeObject);
    const list = policies.get(policy.namespace);
    if (list === undefined) policies.set(policy.namespace, [policy]);
    else list.push(policy);
  }
  for (const list of policies.values()) list.sort((a, b) => a.name.localeCompare(b.name));

  const drafts = new Map<string, { ref: ResourceRef; namespace: string; members: MemberDraft[] }>();
  for (const kind of WORKLOAD_KINDS) {
    for (const holder of inventory.list(kind)) {
      if (podSubjectOf(holder) === undefined) continue;
      const namespace = effectiveNamespace(holder);
      const owner = { ...topLevelOwner(holder, inventory), namespace };
      const key = resourceKey(owner);
      let draft = drafts.get(key);
      if (draft === undefined) {
        draft = { ref: owner, namespace, members: [] };
        drafts.set(key, draft);
      }
      const ref = refOf(holder);
      draft.members.push({
        holder,
        isPod: kind === 'Pod',
        isOwner: ref.kind === owner.kind && ref.name === owner.name,
      });
    }
  }

  const namespaceNames = new Set<string>(inventory.namespaces());
  for (const ns of policies.keys()) namespaceNames.add(ns);
  for (const draft of drafts.values()) namespaceNames.add(draft.namespace);
  namespaceNames.delete('');
  const namespaces = new Map<string, NamespaceInfo>();
  for (const name of [...namespaceNames].sort()) {
    const object = inventory.get('Namespace', undefined, name) as KubeObject | undefined;
    namespaces.set(name, {
      name,
      labels: namespaceLabelsOf(name, labelsOf(object)),
      ...(object !== undefined ? { object } : {}),
      ref: namespaceRef(name, object),
    });
  }

  const index: NetworkIndex = { namespaces, policies, workloads: new Map() };
  const workloads = index.workloads as Map<string, Workload[]>;
  for (const [key, draft] of [...drafts].sort(([a], [b]) => a.localeCompare(b))) {
    const members = draft.members
      .map((m) => ({ ...m, ref: { ...refOf(m.holder), namespace: draft.namespace } }))
      .sort((a, b) => resourceKey(a.ref).localeCompare(resourceKey(b.ref)));
    const representative = members.find((m) => m.isOwner) ?? members.find((m) => !m.isPod) ?? members[0];
    if (representative === undefined) continue;
    const workload: Workload = {
      key,
      ref: draft.ref,
      namespace: draft.namespace,
      labels: templateLabels(representative.holder),
      ports: containerPortsOf(representative.holder),
      members: members.map((m) => {
        const labels = templateLabels(m.holder);
        return {
          ref: m.ref,
          isPod: m.isPod,
          labels,
          selectedBy: {
            ingress: policiesSelecting(index, draft.namespace, labels, 'ingress'),
            egress: policiesSelecting(index, draft.namespace, labels, 'egress'),
          },
        };
      }),
    };
    const list = workloads.get(draft.namespace);
    if (list === undefined) workloads.set(draft.namespace, [workload]);
    else list.push(workload);
  }
  return index;
}

/** The labels of the pod itself, or of the template a controller stamps pods from. */
function templateLabels(holder: KubeObject): Labels {
  const pod = podSubjectOf(holder);
  return labelsOf(pod === undefined ? undefined : { metadata: pod.metadata });
}

/** The index for the context's inventory, built on first use and shared by every check. */
export function networkIndexOf(ctx: CheckContext): NetworkIndex {
  return ctx.derive('network-index', buildNetworkIndex);
}

/**
 * A workload by `namespace` and `name`, where the name is `web`, `Deployment/web` or
 * `deployment/web`. A bare name that several kinds share is ambiguous and finds nothing.
 */
export function findWorkload(index: NetworkIndex, namespace: string, name: string): Workload | undefined {
  const list = index.workloads.get(namespace) ?? [];
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const kind = name.slice(0, slash).toLowerCase();
    const bare = name.slice(slash + 1);
    return list.find((w) => w.ref.kind.toLowerCase() === kind && w.ref.name === bare);
  }
  const found = list.filter((w) => w.ref.name === name);
  return found.length === 1 ? found[0] : undefined;
}

/** Whether any workload's pod or template lives in the namespace. */
export function hasWorkloads(index: NetworkIndex, namespace: string): boolean {
  return (index.workloads.get(namespace)?.length ?? 0) > 0;
}
