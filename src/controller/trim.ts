/**
 * Cuts watched objects down to the fields evaluation reads before they enter the cache.
 * A typical pod is ~8 KB of JSON and ~15 KB parsed; most of it is status, managedFields
 * and scheduling detail no check looks at (SPEC §9). Trimmed, it is about a quarter of
 * that (see test/controller/trim.test.ts for the measured pod), which is what lets 50,000
 * pods fit the 400 MiB budget of SPEC §10.
 *
 * What stays, per kind:
 * - metadata (all kinds): name, namespace, uid, resourceVersion, generation,
 *   creationTimestamp, deletionTimestamp, labels, annotations except
 *   `kubectl.kubernetes.io/last-applied-configuration` (a second copy of the whole object),
 *   ownerReferences (apiVersion, kind, name, uid, controller) and managedFields reduced to
 *   manager, operation, subresource and time, which drift reporting names as "what changed it".
 * - Pod: the spec fields the Pod Security, workload and network checks read (host
 *   namespaces, security contexts, containers with images, command lines, ports, resources,
 *   mounts, env names, probes and lifecycle hooks reduced to their type and host, volumes,
 *   service account and token automount, os, pod-level resources) and
 *   `status.phase`. Scheduling detail (affinity, tolerations, nodeName, topology spread) and
 *   the rest of status go.
 * - Env values never stay: a literal `value` becomes `REDACTED_ENV_VALUE` (an empty one
 *   stays empty), so the literal-credentials check still sees that a value is written in the
 *   spec while no secret ever sits in the controller's memory, logs or reports.
 * - Volumes keep their name, type and source fields, without `items` lists (key-to-path
 *   mappings no check reads).
 * - Namespace: metadata. ServiceAccount: metadata, secrets, imagePullSecrets,
 *   automountServiceAccountToken. Roles and bindings: rules, aggregationRule, roleRef and
 *   subjects. NetworkPolicy: the whole spec. SecurityPolicy and any other kind: every
 *   top-level field, with the metadata trimmed as above.
 *
 * Input is never modified; output shares unchanged sub-objects with it, which costs nothing
 * because the rest of the parsed page becomes garbage right after.
 */
import { isLiteralCredential } from '../checks/workload/env-literal-secrets.js';
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import { lastChangeEntry } from './changed-by.js';

/** What a literal env value is replaced with. */
export const REDACTED_ENV_VALUE = '(redacted)';

const DROPPED_ANNOTATIONS: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
]);

type Json = Record<string, unknown>;

function copyFields(source: Json, fields: readonly string[], target: Json = {}): Json {
  for (const field of fields) {
    if (source[field] !== undefined) target[field] = source[field];
  }
  return target;
}

function stringMap(value: unknown, drop?: ReadonlySet<string>): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string' && !(drop?.has(key) ?? false)) out[key] = entry;
  }
  return out;
}

const METADATA_FIELDS = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'deletionTimestamp',
] as const;

/** The metadata every check and the drift report read; undefined when it is not an object. */
export function trimMetadata(metadata: unknown): Json | undefined {
  if (!isRecord(metadata)) return undefined;
  const out = copyFields(metadata, METADATA_FIELDS);
  const labels = stringMap(metadata['labels']);
  if (labels !== undefined) out['labels'] = labels;
  const annotations = stringMap(metadata['annotations'], DROPPED_ANNOTATIONS);
  if (annotations !== undefined) out['annotations'] = annotations;
  if (Array.isArray(metadata['ownerReferences'])) {
    out['ownerReferences'] = metadata['ownerReferences']
      .filter(isRecord)
      .map((ref) => copyFields(ref, ['apiVersion', 'kind', 'name', 'uid', 'controller']));
  }
  // Only the entry drift attribution reads: a pod's kubelet and controller-manager entries
  // would cost more than the rest of its metadata.
  const change = lastChangeEntry(metadata['managedFields']);
  if (change !== undefined) {
    out['managedFields'] = [copyFields(change as Json, ['manager', 'operation', 'subresource', 'time'])];
  }
  return out;
}

const CONTAINER_FIELDS = [
  'name',
  'image',
  'imagePullPolicy',
  // Control-plane checks read kube-apiserver and etcd flags from static pods' command lines.
  'command',
  'args',
  'ports',
  'securityContext',
  'resources',
  'envFrom',
  'volumeMounts',
  // `Always` on an init container makes it a sidecar.
  'restartPolicy',
  'targetContainerName',
] as const;

function trimEnvVar(entry: unknown): unknown {
  if (!isRecord(entry)) return entry;
  const out = copyFields(entry, ['name']);
  const value = entry['value'];
  // Values that cannot be credentials stay, so workload.env-literal-secrets judges a live pod
  // exactly as it judges its manifest; anything else is redacted before it is cached.
  if (value !== undefined && value !== null) {
    out['value'] = typeof value === 'string' && !isLiteralCredential(value) ? value : REDACTED_ENV_VALUE;
  }
  if (entry['valueFrom'] !== undefined) out['valueFrom'] = entry['valueFrom'];
  return out;
}

/**
 * A probe or lifecycle handler reduced to its handler type and `host`: checks ask whether
 * a probe exists and Pod Security (baseline, v1.35+) forbids a host in it; timings and
 * paths matter to neither.
 */
function trimHandler(handler: unknown): unknown {
  if (!isRecord(handler)) return handler;
  const out: Json = {};
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const) {
    const action = handler[kind];
    if (action === undefined) continue;
    out[kind] = isRecord(action) ? copyFields(action, ['host']) : action;
  }
  return out;
}

function trimContainer(container: unknown): unknown {
  // A malformed entry stays as it is, so a check can report it rather than never see it.
  if (!isRecord(container)) return container;
  const out = copyFields(container, CONTAINER_FIELDS);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (container[probe] !== undefined) out[probe] = trimHandler(container[probe]);
  }
  const lifecycle = container['lifecycle'];
  if (isRecord(lifecycle)) {
    const hooks: Json = {};
    for (const hook of ['postStart', 'preStop'] as const) {
      if (lifecycle[hook] !== undefined) hooks[hook] = trimHandler(lifecycle[hook]);
    }
    out['lifecycle'] = hooks;
  } else if (lifecycle !== undefined) {
    out['lifecycle'] = lifecycle;
  }
  if (Array.isArray(container['env'])) out['env'] = container['env'].map(trimEnvVar);
  else if (container['env'] !== undefined) out['env'] = container['env'];
  return out;
}

/** Volume sources whose `items` (key-to-path lists) are dropped. */
const SOURCES_WITH_ITEMS: ReadonlySet<string> = new Set(['configMap', 'secret', 'downwardAPI']);

function withoutItems(source: unknown): unknown {
  if (!isRecord(source) || source['items'] === undefined) return source;
  const rest: Json = { ...source };
  delete rest['items'];
  return rest;
}

function trimVolume(volume: unknown): unknown {
  if (!isRecord(volume)) return volume;
  const out: Json = {};
  for (const [field, source] of Object.entries(volume)) {
    if (SOURCES_WITH_ITEMS.has(field)) {
      out[field] = withoutItems(source);
    } else if (field === 'projected' && isRecord(source) && Array.isArray(source['sources'])) {
      out[field] = {
        ...source,
        sources: source['sources'].map((projection: unknown) => {
          if (!isRecord(projection)) return projection;
          const trimmed: Json = {};
          for (const [kind, value] of Object.entries(projection)) {
            trimmed[kind] = SOURCES_WITH_ITEMS.has(kind) ? withoutItems(value) : value;
          }
          return trimmed;
        }),
      };
    } else if (field === 'ephemeral') {
      // The claim template is a whole PVC spec; only the volume's type matters to checks.
      out[field] = {};
    } else {
      out[field] = source;
    }
  }
  return out;
}

const POD_SPEC_FIELDS = [
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'shareProcessNamespace',
  'securityContext',
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
  'os',
  'resources',
  'imagePullSecrets',
  'runtimeClassName',
  'priorityClassName',
  'restartPolicy',
  'nodeSelector',
] as const;

function mapList(value: unknown, trim: (entry: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(trim) : value;
}

/** A pod spec (of a Pod or a template) cut to the fields checks read. */
export function trimPodSpec(spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const out = copyFields(spec, POD_SPEC_FIELDS);
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    if (spec[kind] !== undefined) out[kind] = mapList(spec[kind], trimContainer);
  }
  if (spec['volumes'] !== undefined) out['volumes'] = mapList(spec['volumes'], trimVolume);
  return out;
}

type Trimmer = (object: Json, metadata: Json) => Json;

function envelope(object: Json, metadata: Json): Json {
  const out = copyFields(object, ['apiVersion', 'kind']);
  out['metadata'] = metadata;
  return out;
}

const TRIMMERS: Readonly<Record<string, Trimmer>> = {
  Pod: (pod, metadata) => {
    const out = envelope(pod, metadata);
    if (pod['spec'] !== undefined) out['spec'] = trimPodSpec(pod['spec']);
    const status = pod['status'];
    // Phase only: lets the reconciler tell finished pods from running ones.
    if (isRecord(status) && typeof status['phase'] === 'string') out['status'] = { phase: status['phase'] };
    return out;
  },
  Namespace: (namespace, metadata) => envelope(namespace, metadata),
  ServiceAccount: (account, metadata) =>
    copyFields(
      account,
      ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
      envelope(account, metadata),
    ),
  Role: (role, metadata) => copyFields(role, ['rules'], envelope(role, metadata)),
  ClusterRole: (role, metadata) => copyFields(role, ['rules', 'aggregationRule'], envelope(role, metadata)),
  RoleBinding: (binding, metadata) =>
    copyFields(binding, ['roleRef', 'subjects'], envelope(binding, metadata)),
  ClusterRoleBinding: (binding, metadata) =>
    copyFields(binding, ['roleRef', 'subjects'], envelope(binding, metadata)),
  NetworkPolicy: (policy, metadata) => copyFields(policy, ['spec'], envelope(policy, metadata)),
};

/** Kinds without a dedicated trimmer (SecurityPolicy, ...) keep every top-level field. */
function keepAll(object: Json, metadata: Json): Json {
  return { ...object, metadata };
}

/**
 * Shares equal strings between cached objects. JSON.parse gives every pod its own copy of
 * "IfNotPresent", its image, its labels and its owner's name; 50,000 pods of a few hundred
 * Deployments repeat the same few thousand strings. Interning them saves about a quarter
 * of a trimmed pod's heap (measured in test/controller/trim.test.ts). Values unique to one
 * object (name, uid, resourceVersion, timestamps) are left out, so the pool holds mostly
 * strings that repeat. It is capped and emptied when full, as the structure pool below:
 * some values are unique without being metadata (every pod's `kube-api-access-xxxxx`
 * volume), and a pool that kept only its first 100,000 strings would stop sharing the
 * strings that arrive after a cold sync, such as the times and messages of the reports.
 */
class StringPool {
  private readonly strings = new Map<string, string>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxLength: number,
  ) {}

  intern(value: string): string {
    if (value.length > this.maxLength) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size >= this.maxEntries) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.strings.size;
  }
}

const pool = new StringPool(100_000, 128);

/**
 * Finding messages, which are longer than what `pool` takes: most name a container or a
 * ServiceAccount rather than the resource, so the same text recurs across the replicas of
 * every Deployment (14,000 copies of one at 50,000 pods, measured).
 */
const messages = new StringPool(20_000, 2048);

/** A finding message, shared with equal ones already held. */
export function internMessage(message: string): string {
  return messages.intern(message);
}

/**
 * Shares equal sub-objects between cached objects, as the string pool shares strings. The
 * replicas of a Deployment carry the same containers' ports, resources, env, probes and
 * security contexts, the same labels and owner reference; 10 replicas parsed are 10 copies
 * of each. Trimmed pods keep about 60 small objects each, so sharing what repeats roughly
 * halves a replica's heap (measured in test/controller/trim.test.ts).
 *
 * Each object is hashed from its keys and its members' hashes, bottom-up, so equal
 * sub-objects are found without serializing them; a hash match is confirmed by comparing
 * members, which are shared already (so mostly by reference). Only the hash and the
 * object are kept, no key text, so an object that never repeats costs one map entry. The
 * pool is emptied when full: objects cached before keep what they share, later ones share
 * among themselves, and objects of long-gone pods are not held forever.
 *
 * Shared objects are shared: the cache's objects are immutable by contract (reflector.ts).
 */
class StructurePool {
  private readonly entries = new Map<number, object>();

  constructor(private readonly maxEntries: number) {}

  /** An equal object already held, else `value` as `keep` makes it, held from now on. */
  share<T extends object>(value: T, hash: number, keep: (value: T) => T = (v) => v): T {
    const known = this.entries.get(hash);
    if (known !== undefined) return isSameJson(known, value) ? (known as T) : keep(value);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const kept = keep(value);
    this.entries.set(hash, kept);
    return kept;
  }

  get size(): number {
    return this.entries.size;
  }
}

const structures = new StructurePool(250_000);

function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!isSameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i] as string;
    if (key !== keysB[i] || !isSameJson((a as Json)[key], (b as Json)[key])) return false;
  }
  return true;
}

// 32-bit FNV-1a steps; a collision only costs a missed share, never a wrong one. Signed
// (`| 0`), so every hash is a small integer to V8: an unsigned one at or above 2^31 would be
// a 16-byte heap number, and the pools keep a quarter of a million of them as map keys.
function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, 16777619) | 0;
}

// Field names and interned values recur in every object: their hashes are looked up (V8
// keeps each string's own hash, so the lookup is cheap) rather than recomputed.
const textHashes = new Map<string, number>();

function hashText(text: string): number {
  const known = textHashes.get(text);
  if (known !== undefined) return known;
  let hash = 2166136261 | 0;
  for (let i = 0; i < text.length; i++) hash = mix(hash, text.charCodeAt(i));
  if (text.length <= 128) {
    if (textHashes.size >= 100_000) textHashes.clear();
    textHashes.set(text, hash);
  }
  return hash;
}

const ARRAY_SEED = 0x9e3779b9 | 0;
const OBJECT_SEED = 0x85ebca6b | 0;
/** The hash of the value `interned` returned last (a second result without an allocation). */
let lastHash = 0;

/** A deep copy of JSON data with its strings interned (in the pool trimmed objects share). */
export function internJson(value: unknown): unknown {
  return interned(value, false);
}

/** internJson, and equal sub-objects shared with those of other cached objects. */
export function shareJson(value: unknown): unknown {
  return interned(value, true);
}

/** A deep copy of JSON data with strings interned and, if `share`, equal sub-objects shared. */
function interned(value: unknown, share: boolean): unknown {
  if (typeof value === 'string') {
    const text = pool.intern(value);
    if (share) lastHash = hashText(text);
    return text;
  }
  if (value === null || typeof value !== 'object') {
    if (share) lastHash = hashText(String(value)) ^ 0x5bd1e995;
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    let hash = ARRAY_SEED;
    for (let i = 0; i < value.length; i++) {
      out[i] = interned(value[i], share);
      if (share) hash = mix(hash, lastHash);
    }
    if (!share) return out;
    lastHash = hash;
    return structures.share(out, hash);
  }
  // for-in over JSON data (own, enumerable, no prototype chain) is several times faster
  // than Object.entries here, which runs for every object of every page.
  const out: Json = {};
  let hash = OBJECT_SEED;
  let fields = 0;
  for (const key in value) {
    // Assigning `__proto__` would replace the copy's prototype rather than add a field.
    if (key === '__proto__') continue;
    out[key] = interned((value as Json)[key], share);
    fields++;
    if (share) hash = mix(mix(hash, hashText(key)), lastHash);
  }
  const layOut = fields > IN_OBJECT_FIELDS ? withFieldsInObject : undefined;
  if (!share) return layOut === undefined ? out : layOut(out);
  lastHash = hash;
  return structures.share(out, hash, layOut);
}

// V8 gives an object begun as `{}` room for four fields in the object itself; the fields
// added after them go to a separate, over-allocated property array.
const IN_OBJECT_FIELDS = 4;

/**
 * Key lists seen, as a trie (a step per key, so finding an object's list costs one map
 * lookup per key and builds no text), each list with an object parsed from JSON with its
 * keys: see withFieldsInObject. Capped: labels and annotations bring key lists of their
 * own, and past the cap objects of new lists stay as they were built.
 */
interface KeyListNode {
  readonly next: Map<string, KeyListNode>;
  layout: Json | undefined;
}
const keyLists: KeyListNode = { next: new Map(), layout: undefined };
let keyListNodes = 0;
const MAX_KEY_LIST_NODES = 20_000;

/**
 * A copy of an object built field by field, with every field in the object itself. Built
 * by assignment, a trimmed pod's metadata (7 fields) takes 120 bytes of heap; as a literal,
 * or parsed from JSON, 80. A spread of an object parsed from JSON with the same keys gets
 * the parsed object's layout, and assigning the fields in order keeps it.
 */
export function withFieldsInObject(object: Json): Json {
  let node = keyLists;
  let fields = 0;
  for (const key in object) {
    // Assigning `__proto__` would replace the copy's prototype rather than set a field.
    if (key === '__proto__') return object;
    let next = node.next.get(key);
    if (next === undefined) {
      if (keyListNodes >= MAX_KEY_LIST_NODES) return object;
      next = { next: new Map(), layout: undefined };
      node.next.set(key, next);
      keyListNodes++;
    }
    node = next;
    fields++;
  }
  if (fields <= IN_OBJECT_FIELDS) return object;
  if (node.layout === undefined) {
    const blank: Json = {};
    for (const key in object) blank[key] = null;
    node.layout = JSON.parse(JSON.stringify(blank)) as Json;
  }
  const out: Json = { ...node.layout };
  for (const key in object) out[key] = object[key];
  return out;
}

/** Metadata fields whose values are unique to one object: not worth a pool entry. */
const UNIQUE_METADATA: ReadonlySet<string> = new Set([
  'name',
  'uid',
  'resourceVersion',
  'generation',
  'deletionTimestamp',
]);

function compact(object: Json): Json {
  const out: Json = {};
  for (const [field, value] of Object.entries(object)) {
    if (field !== 'metadata' || !isRecord(value)) {
      out[field] = interned(value, true);
      continue;
    }
    const metadata: Json = {};
    for (const [key, entry] of Object.entries(value)) {
      // Labels, owner references and the last change (replicas created by one rollout
      // share it) repeat across replicas; the rest is one object's own.
      metadata[key] = UNIQUE_METADATA.has(key) ? entry : interned(entry, true);
    }
    out[field] = withFieldsInObject(metadata);
  }
  return withFieldsInObject(out);
}

/** Entries in the shared string pool; for memory diagnostics. */
export function internedStrings(): number {
  return pool.size;
}

/** Entries in the shared structure pool; for memory diagnostics. */
export function sharedStructures(): number {
  return structures.size;
}

/**
 * Trims one object by its `kind`. Returns undefined for input that cannot be cached: not
 * an object, or without `metadata.name` (the cache key).
 */
export function trimObject(object: unknown): KubeObject | undefined {
  if (!isRecord(object)) return undefined;
  const metadata = trimMetadata(object['metadata']);
  if (metadata === undefined || typeof metadata['name'] !== 'string' || metadata['name'] === '')
    return undefined;
  const kind = object['kind'];
  const trimmer = typeof kind === 'string' && Object.hasOwn(TRIMMERS, kind) ? TRIMMERS[kind] : undefined;
  return compact((trimmer ?? keepAll)(object, metadata)) as KubeObject;
}

/**
 * Whether two trimmed versions of an object differ in nothing evaluation reads: equal but
 * for their resourceVersion. Most pod updates are the kubelet's status reports, which the
 * trim reduces to exactly that, so they need no re-evaluation.
 */
export function sameForEvaluation(a: KubeObject, b: KubeObject): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key)) return false;
    const same = key === 'metadata' ? sameButResourceVersion(a[key], b[key]) : jsonEqual(a[key], b[key]);
    if (!same) return false;
  }
  return true;
}

function sameButResourceVersion(a: unknown, b: unknown): boolean {
  if (!isRecord(a) || !isRecord(b)) return jsonEqual(a, b);
  const keys = Object.keys(a).filter((key) => key !== 'resourceVersion');
  if (keys.length !== Object.keys(b).filter((key) => key !== 'resourceVersion').length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/** Deep equality of JSON data; sub-objects the cache shares compare by identity first. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const x = a as Json;
  const y = b as Json;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((key) => Object.hasOwn(y, key) && jsonEqual(x[key], y[key]));
}
