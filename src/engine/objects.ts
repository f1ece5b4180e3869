/**
 * Kubernetes object shapes as the engine sees them. Types come from the client library;
 * values come from YAML or the API and are not trusted to match them, so every reader
 * tolerates missing or mistyped fields.
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1Namespace,
  V1NetworkPolicy,
  V1ObjectMeta,
  V1Pod,
  V1PodTemplate,
  V1ReplicaSet,
  V1ReplicationController,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { ResourceRef } from './types.js';

/** The envelope every Kubernetes object has; the client library's typed objects fit it too. */
export interface ObjectEnvelope {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

/** Any object as read from YAML or the API: the envelope plus fields not yet looked at. */
export interface KubeObject extends ObjectEnvelope {
  [field: string]: unknown;
}

/** The kinds the built-in checks read, with their client-library types. */
export interface KnownKinds {
  Pod: V1Pod;
  Namespace: V1Namespace;
  ServiceAccount: V1ServiceAccount;
  Role: V1Role;
  ClusterRole: V1ClusterRole;
  RoleBinding: V1RoleBinding;
  ClusterRoleBinding: V1ClusterRoleBinding;
  NetworkPolicy: V1NetworkPolicy;
  Deployment: V1Deployment;
  StatefulSet: V1StatefulSet;
  DaemonSet: V1DaemonSet;
  ReplicaSet: V1ReplicaSet;
  ReplicationController: V1ReplicationController;
  Job: V1Job;
  CronJob: V1CronJob;
  PodTemplate: V1PodTemplate;
}
export type KnownKind = keyof KnownKinds;

/** API group of each known kind; an object of the same kind in another group is a different kind. */
export const KNOWN_KIND_GROUPS: Readonly<Record<KnownKind, string>> = {
  Pod: '',
  Namespace: '',
  ServiceAccount: '',
  ReplicationController: '',
  PodTemplate: '',
  Role: 'rbac.authorization.k8s.io',
  ClusterRole: 'rbac.authorization.k8s.io',
  RoleBinding: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  NetworkPolicy: 'networking.k8s.io',
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Job: 'batch',
  CronJob: 'batch',
};

const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'APIService',
  'CertificateSigningRequest',
  'SecurityPolicy',
  'ClusterSecurityReport',
]);

export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/** `apps/v1` → `apps`, `v1` → `` (the core group). */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isKnownKind(kind: string): kind is KnownKind {
  return Object.hasOwn(KNOWN_KIND_GROUPS, kind);
}

/**
 * The key the inventory files an object under: the bare kind for the known kinds in their
 * own group (or with no apiVersion at all, as hand-written manifests sometimes are), and
 * `Kind.group` otherwise, so that a CRD that reuses a built-in kind name never shadows it.
 */
export function kindKeyOf(obj: ObjectEnvelope): string {
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const group = groupOf(obj.apiVersion);
  if (isKnownKind(kind) && (obj.apiVersion === undefined || KNOWN_KIND_GROUPS[kind] === group)) return kind;
  return group === '' ? kind : `${kind}.${group}`;
}

export function nameOf(obj: ObjectEnvelope): string {
  const name = obj.metadata?.name;
  return typeof name === 'string' ? name : '';
}

/** The namespace an object lives in; undefined for cluster-scoped kinds and unset manifests. */
export function namespaceOf(obj: ObjectEnvelope): string | undefined {
  if (typeof obj.kind === 'string' && isClusterScopedKind(obj.kind)) return undefined;
  const ns = obj.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

export function labelsOf(obj: { metadata?: V1ObjectMeta } | undefined): Readonly<Record<string, string>> {
  const labels = obj?.metadata?.labels;
  return labels !== null && typeof labels === 'object' ? labels : {};
}

export function annotationsOf(
  obj: { metadata?: V1ObjectMeta } | undefined,
): Readonly<Record<string, string>> {
  const annotations = obj?.metadata?.annotations;
  return annotations !== null && typeof annotations === 'object' ? annotations : {};
}

export function refOf(obj: ObjectEnvelope): ResourceRef {
  const ref: { -readonly [K in keyof ResourceRef]: ResourceRef[K] } = {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : defaultApiVersion(obj.kind),
    kind: typeof obj.kind === 'string' ? obj.kind : '',
    name: nameOf(obj),
  };
  const ns = namespaceOf(obj);
  if (ns !== undefined) ref.namespace = ns;
  const uid = obj.metadata?.uid;
  if (typeof uid === 'string' && uid !== '') ref.uid = uid;
  return ref;
}

export function defaultApiVersion(kind: unknown): string {
  if (typeof kind !== 'string' || !isKnownKind(kind)) return 'v1';
  const group = KNOWN_KIND_GROUPS[kind];
  return group === '' ? 'v1' : `${group}/v1`;
}

/** Narrow a value read from untrusted input to an array, treating anything else as empty. */
export function asArray<T>(value: readonly T[] | undefined | null | unknown): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
