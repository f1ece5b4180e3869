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
 *
 * Everything below the namespace list is worked out per namespace on first use and kept:
 * `bulwark reach` for one workload touches its own namespace and those its peers name, and
 * the controller re-evaluating one namespace pays for that namespace only. An index answers
 * for the inventory as it was when a namespace was first asked about, so take a fresh one
 * per evaluation (`networkIndexOf` does).
 */
import type { CheckContext } from '../check.js';
import type { Inventory } from '../inventory.js';
import { NAMESPACE_LIST_KINDS } from '../inventory.js';
import type { KubeObject } from '../objects.js';
import { asArray, isRecord, labelsOf, refOf } from '../objects.js';
import { resourceKey, topLevelOwner } from '../owner.js';
import type { PodSubject } from '../pod-spec.js';
import { podSubjectOf } from '../pod-spec.js';
import type { ResourceRef } from '../types.js';
import type { CompiledNetworkPolicy, Direction, Protocol } from './network-policy.js';
import { compileNetworkPolicy, DEFAULT_NAMESPACE, isProtocol, isValidPolicy } from './network-policy.js';

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
  /**
   * The pods share the node's network (`hostNetwork: true`). The API reference leaves
   * NetworkPolicy for such pods undefined, and most plugins cannot apply it.
   */
  readonly hostNetwork: boolean;
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

/** The policies of one namespace, compiled. */
interface NamespacePolicies {
  readonly all: readonly CompiledNetworkPolicy[];
  readonly inForce: Readonly<Record<Direction, readonly CompiledNetworkPolicy[]>>;
}

export class NetworkIndex {
  /** Every namespace known, sorted by name. */
  readonly namespaces: ReadonlyMap<string, NamespaceInfo>;
  private readonly policyCache = new Map<string, NamespacePolicies>();
  private readonly workloadCache = new Map<string, readonly Workload[]>();
  private readonly holderCache = new Map<string, readonly PodHolder[]>();

  constructor(
    private readonly inventory: Inventory,
    namespaces: ReadonlyMap<string, NamespaceInfo> = namespaceTable(inventory),
  ) {
    this.namespaces = namespaces;
  }

  /** Objects of a kind in a namespace; `default` also holds the namespace-less ones. */
  private objectsOf(kind: string, namespace: string): KubeObject[] {
    const objects = this.inventory.list(kind, namespace);
    return namespace === DEFAULT_NAMESPACE ? [...objects, ...this.inventory.list(kind, '')] : objects;
  }

  private policiesOf(namespace: string): NamespacePolicies {
    let cached = this.policyCache.get(namespace);
    if (cached === undefined) {
      const all = this.objectsOf('NetworkPolicy', namespace)
        .map((obj) => compileNetworkPolicy(obj))
        .sort((a, b) => byText(a.name, b.name));
      const valid = all.filter(isValidPolicy);
      cached = {
        all,
        inForce: {
          ingress: valid.filter((p) => p.affects.ingress),
          egress: valid.filter((p) => p.affects.egress),
        },
      };
      this.policyCache.set(namespace, cached);
    }
    return cached;
  }

  /** Whether the namespace's policies or workloads have been worked out yet (for benchmarks). */
  isCompiled(namespace: string): boolean {
    return (
      this.policyCache.has(namespace) || this.workloadCache.has(namespace) || this.holderCache.has(namespace)
    );
  }

  /** Every NetworkPolicy of the namespace, invalid ones included (they carry diagnostics), by name. */
  policies(namespace: string): readonly CompiledNetworkPolicy[] {
    return this.policiesOf(namespace).all;
  }

  /** The valid policies of the namespace in force for the direction, by name. */
  inForce(namespace: string, direction: Direction): readonly CompiledNetworkPolicy[] {
    return this.policiesOf(namespace).inForce[direction];
  }

  /** The workloads of the namespace, sorted by key. */
  workloads(namespace: string): readonly Workload[] {
    let cached = this.workloadCache.get(namespace);
    if (cached === undefined) {
      cached = this.groupWorkloads(namespace);
      this.workloadCache.set(namespace, cached);
    }
    return cached;
  }

  /** The Pods and controller templates of a namespace with their labels: what selectors read. */
  private holders(namespace: string): readonly PodHolder[] {
    let cached = this.holderCache.get(namespace);
    if (cached === undefined) {
      const out: PodHolder[] = [];
      for (const kind of WORKLOAD_KINDS) {
        for (const holder of this.objectsOf(kind, namespace)) {
          const pod = podSubjectOf(holder);
          if (pod !== undefined)
            out.push({ holder, kind, metadata: pod.metadata, labels: labelsOf({ metadata: pod.metadata }) });
        }
      }
      cached = out;
      this.holderCache.set(namespace, cached);
    }
    return cached;
  }

  private ownerOf(holder: KubeObject, namespace: string): ResourceRef {
    return { ...topLevelOwner(holder, this.inventory), namespace };
  }

  /**
   * The workloads of a namespace with a pod or template whose labels match, by owner. Peer
   * resolution asks this of every namespace a selector names, so it looks only at labels
   * and works out owners for the matches alone, unless the namespace is already grouped.
   */
  workloadsMatching(namespace: string, matches: (labels: Labels) => boolean): ResourceRef[] {
    const grouped = this.workloadCache.get(namespace);
    if (grouped !== undefined) {
      return grouped.filter((w) => w.members.some((m) => matches(m.labels))).map((w) => w.ref);
    }
    const found = new Map<string, ResourceRef>();
    for (const { holder, labels } of this.holders(namespace)) {
      if (!matches(labels)) continue;
      const owner = this.ownerOf(holder, namespace);
      found.set(resourceKey(owner), owner);
    }
    return [...found.keys()].sort(byText).map((key) => found.get(key) as ResourceRef);
  }

  private groupWorkloads(namespace: string): Workload[] {
    const drafts = new Map<string, { ref: ResourceRef; members: MemberDraft[] }>();
    for (const { holder, kind, metadata } of this.holders(namespace)) {
      const owner = this.ownerOf(holder, namespace);
      const key = resourceKey(owner);
      let draft = drafts.get(key);
      if (draft === undefined) {
        draft = { ref: owner, members: [] };
        drafts.set(key, draft);
      }
      const ref = { ...refOf(holder), namespace };
      draft.members.push({
        holder,
        ref,
        sortKey: resourceKey(ref),
        metadata,
        isPod: kind === 'Pod',
        isOwner: ref.kind === owner.kind && ref.name === owner.name,
      });
    }
    const out: Workload[] = [];
    for (const key of [...drafts.keys()].sort(byText)) {
      const draft = drafts.get(key);
      if (draft === undefined) continue;
      const members = draft.members.sort((a, b) => byText(a.sortKey, b.sortKey));
      const representative = members.find((m) => m.isOwner) ?? members.find((m) => !m.isPod) ?? members[0];
      if (representative === undefined) continue;
      out.push({
        key,
        ref: draft.ref,
        namespace,
        labels: labelsOf({ metadata: representative.metadata }),
        ports: containerPortsOf(representative.holder),
        hostNetwork: podSubjectOf(representative.holder)?.spec.hostNetwork === true,
        members: members.map((m) => memberOf(this, namespace, m)),
      });
    }
    return out;
  }
}

/** Every namespace known, sorted by name, with its labels: the part of an index that pods do not move. */
export function namespaceTable(inventory: Inventory): ReadonlyMap<string, NamespaceInfo> {
  const names = new Set<string>(inventory.namespaces());
  // Namespace-less policies and pods are filed under '' but land in `default`.
  if (['NetworkPolicy', ...WORKLOAD_KINDS].some((kind) => inventory.list(kind, '').length > 0)) {
    names.add(DEFAULT_NAMESPACE);
  }
  const namespaces = new Map<string, NamespaceInfo>();
  for (const name of [...names].sort(byText)) {
    const object = inventory.get('Namespace', undefined, name) as KubeObject | undefined;
    namespaces.set(name, {
      name,
      labels: namespaceLabelsOf(name, labelsOf(object)),
      ...(object !== undefined ? { object } : {}),
      ref: namespaceRef(name, object),
    });
  }
  return namespaces;
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
        out.push(
          typeof name === 'string' && name !== ''
            ? { name, port: number, protocol }
            : { port: number, protocol },
        );
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
  const out: CompiledNetworkPolicy[] = [];
  for (const policy of index.inForce(namespace, direction)) {
    if (policy.podSelector.matches(labels)) out.push(policy);
  }
  return out;
}

/** Code-unit order: deterministic and far cheaper than localeCompare on 50,000 keys. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface PodHolder {
  readonly holder: KubeObject;
  readonly kind: string;
  readonly metadata: PodSubject['metadata'];
  readonly labels: Labels;
}

interface MemberDraft {
  readonly holder: KubeObject;
  readonly ref: ResourceRef;
  readonly sortKey: string;
  readonly metadata: PodSubject['metadata'];
  readonly isPod: boolean;
  readonly isOwner: boolean;
}

export function buildNetworkIndex(inventory: Inventory): NetworkIndex {
  return new NetworkIndex(inventory);
}

/**
 * A member whose selection is worked out on first use: `bulwark reach` asks about one
 * workload and must not pay for matching every policy against every pod of the cluster.
 */
function memberOf(index: NetworkIndex, namespace: string, draft: MemberDraft): WorkloadMember {
  return new Member(index, namespace, draft.ref, draft.isPod, labelsOf({ metadata: draft.metadata }));
}

/**
 * A member whose selecting policies are worked out on first use. A class, not an object
 * literal with a getter: V8 keeps such literals as dictionaries (about half a kilobyte each
 * with the getter's closure, for each of 10,000 workloads).
 */
class Member implements WorkloadMember {
  private selection: Readonly<Record<Direction, readonly CompiledNetworkPolicy[]>> | undefined;

  constructor(
    private readonly index: NetworkIndex,
    private readonly namespace: string,
    readonly ref: ResourceRef,
    readonly isPod: boolean,
    readonly labels: Labels,
  ) {}

  get selectedBy(): Readonly<Record<Direction, readonly CompiledNetworkPolicy[]>> {
    this.selection ??= {
      ingress: policiesSelecting(this.index, this.namespace, this.labels, 'ingress'),
      egress: policiesSelecting(this.index, this.namespace, this.labels, 'egress'),
    };
    return this.selection;
  }
}

/**
 * The index for the context's inventory, built on first use and shared by every check. A
 * change of any kind starts a new index, but its namespace table is kept until a Namespace
 * or the set of namespaces changes: the controller re-evaluates one namespace per pod
 * change, and the table of 2,000 namespaces was most of that index's cost.
 */
export function networkIndexOf(ctx: CheckContext): NetworkIndex {
  return ctx.derive(
    'network-index',
    (inventory) =>
      new NetworkIndex(inventory, ctx.derive('network-namespaces', namespaceTable, NAMESPACE_LIST_KINDS)),
  );
}

/**
 * A workload by `namespace` and `name`, where the name is `web`, `Deployment/web` or
 * `deployment/web`. A bare name that several kinds share is ambiguous and finds nothing.
 */
export function findWorkload(index: NetworkIndex, namespace: string, name: string): Workload | undefined {
  const list = index.workloads(namespace);
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
  return index.workloads(namespace).length > 0;
}
