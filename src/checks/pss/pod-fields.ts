/**
 * Reading a pod spec the way the upstream Pod Security Admission library sees it. Upstream
 * judges typed Go structs, so a JSON `null` is the same as an absent field, and a value of the
 * wrong type never reaches it (the API server refuses to decode it). Manifests read from disk
 * can hold anything, so each reader here accepts exactly the values Go would decode and
 * raises `MalformedField`, naming the field path, for anything else. The check runner turns
 * that into an `error` outcome: a field that cannot be read must neither pass nor fail.
 */
import type { ContainerKind, PodSubject } from '../../engine/pod-spec.js';
import { CONTAINER_KINDS, visitContainers } from '../../engine/pod-spec.js';
import { isRecord } from '../../engine/objects.js';

export type Fields = Readonly<Record<string, unknown>>;

/** Raised by the readers and caught by the check runner; never leaves a check. */
export class MalformedField extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: unknown,
  ) {
    super(`${path} must be ${expected}, not ${describeValue(actual)}`);
    this.name = 'MalformedField';
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  return `a ${typeof value}`;
}

/** A field's value with its path, so nested reads can name what they read. */
export interface Field {
  readonly value: unknown;
  readonly path: string;
}

function child(parent: Fields | undefined, key: string, path: string): Field {
  return { value: parent?.[key], path: `${path}.${key}` };
}

// The readers below run for every field of every container under every check, so they read
// the value first and build the field's path only for the error that needs it.

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function readRecord(parent: Fields | undefined, key: string, path: string): Fields | undefined {
  const value = parent?.[key];
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) throw new MalformedField(`${path}.${key}`, 'an object', value);
  return value;
}

export function readBoolean(parent: Fields | undefined, key: string, path: string): boolean | undefined {
  const value = parent?.[key];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw new MalformedField(`${path}.${key}`, 'a boolean', value);
  return value;
}

export function readString(parent: Fields | undefined, key: string, path: string): string | undefined {
  const value = parent?.[key];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw new MalformedField(`${path}.${key}`, 'a string', value);
  return value;
}

export function readInteger(parent: Fields | undefined, key: string, path: string): number | undefined {
  const value = parent?.[key];
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MalformedField(`${path}.${key}`, 'an integer', value);
  }
  return value;
}

/** A list of objects (volumes, ports, sysctls), each with its path. */
export function readRecords(
  parent: Fields | undefined,
  key: string,
  path: string,
): { fields: Fields; path: string }[] {
  const field = child(parent, key, path);
  if (isAbsent(field.value)) return [];
  if (!Array.isArray(field.value)) throw new MalformedField(field.path, 'a list', field.value);
  return field.value.map((item: unknown, index) => {
    const itemPath = `${field.path}[${index}]`;
    // Go decodes a null list entry into a zero-valued struct.
    if (isAbsent(item)) return { fields: {}, path: itemPath };
    if (!isRecord(item)) throw new MalformedField(itemPath, 'an object', item);
    return { fields: item, path: itemPath };
  });
}

/** A list of strings (capabilities). */
export function readStrings(parent: Fields | undefined, key: string, path: string): string[] {
  const value = parent?.[key];
  if (isAbsent(value)) return [];
  if (!Array.isArray(value)) throw new MalformedField(`${path}.${key}`, 'a list', value);
  return value.map((item: unknown, index) => {
    // Go decodes a null string entry into "".
    if (isAbsent(item)) return '';
    if (typeof item !== 'string') throw new MalformedField(`${path}.${key}[${index}]`, 'a string', item);
    return item;
  });
}

/** A string-to-string map (annotations). */
export function readStringMap(
  parent: Fields | undefined,
  key: string,
  path: string,
): ReadonlyMap<string, string> {
  const record = readRecord(parent, key, path);
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(record ?? {})) {
    if (isAbsent(value)) {
      out.set(name, '');
      continue;
    }
    if (typeof value !== 'string') throw new MalformedField(`${path}.${key}["${name}"]`, 'a string', value);
    out.set(name, value);
  }
  return out;
}

/** Where the pod's own metadata sits in its holder: `metadata`, `spec.template.metadata`, ... */
export function metadataPath(pod: PodSubject): string {
  return pod.specPath === 'spec' ? 'metadata' : `${pod.specPath.slice(0, -'.spec'.length)}.metadata`;
}

export function podFields(pod: PodSubject): Fields {
  return pod.spec as unknown as Fields;
}

/** The pod-level securityContext, or undefined when unset. */
export function podSecurityContext(pod: PodSubject): Fields | undefined {
  return readRecord(podFields(pod), 'securityContext', pod.specPath);
}

/** True when the pod runs in its own user namespace (`hostUsers: false`), which relaxes some rules from v1.35. */
export function isUserNamespacePod(pod: PodSubject): boolean {
  return readBoolean(podFields(pod), 'hostUsers', pod.specPath) === false;
}

/** True for pods that declare `os.name: windows`; several restricted rules exempt them from v1.25. */
export function isWindowsPod(pod: PodSubject): boolean {
  const os = readRecord(podFields(pod), 'os', pod.specPath);
  return readString(os, 'name', `${pod.specPath}.os`) === 'windows';
}

export interface ContainerView {
  readonly fields: Fields;
  /** The name upstream prints: the container's own, or its position when it has none. */
  readonly name: string;
  readonly kind: ContainerKind;
  readonly path: string;
  /** The container's securityContext, or undefined when unset. */
  readonly securityContext: Fields | undefined;
}

/**
 * Calls `visit` for every init, regular and ephemeral container in the order upstream visits
 * them (the shared engine visitor). The engine visitor skips entries it cannot read; here a
 * container list that is not a list, or an entry that is not an object, is malformed input.
 */
export function forEachContainer(pod: PodSubject, visit: (container: ContainerView) => void): void {
  const { views, malformed } = containerViews(pod);
  for (const container of views) visit(container);
  if (malformed !== undefined) throw malformed;
}

/** The readable containers in visiting order, and the malformed field that ends the walk, if any. */
interface ContainerWalk {
  readonly views: readonly ContainerView[];
  readonly malformed: MalformedField | undefined;
}

// Every pss check walks the same containers of the same pod; the walk is done once per pod
// subject and shared. The engine makes one subject per object and evaluation and runs every
// pod check on it before the next, so the last walk is all there is to keep: a WeakMap of
// them cost a weak-table entry per pod, which the garbage collector must trace (a third of
// the controller's full-pass time was collection). A malformed entry is remembered where it
// was met, so each check still sees the containers before it.
let lastPod: PodSubject | undefined;
let lastWalk: ContainerWalk = { views: [], malformed: undefined };

function containerViews(pod: PodSubject): ContainerWalk {
  if (pod !== lastPod) {
    lastWalk = walkContainers(pod);
    lastPod = pod;
  }
  return lastWalk;
}

function walkContainers(pod: PodSubject): ContainerWalk {
  const spec = podFields(pod);
  for (const kind of CONTAINER_KINDS) {
    const list = spec[kind];
    if (isAbsent(list)) continue;
    if (!Array.isArray(list))
      return { views: [], malformed: new MalformedField(`${pod.specPath}.${kind}`, 'a list', list) };
    const bad = list.findIndex((entry: unknown) => !isRecord(entry));
    if (bad >= 0) {
      return {
        views: [],
        malformed: new MalformedField(`${pod.specPath}.${kind}[${bad}]`, 'an object', list[bad]),
      };
    }
  }
  const views: ContainerView[] = [];
  let malformed: MalformedField | undefined;
  visitContainers(pod.spec, (container, kind, index) => {
    if (malformed !== undefined) return;
    const fields = container as unknown as Fields;
    const path = `${pod.specPath}.${kind}[${index}]`;
    const name = typeof fields['name'] === 'string' ? fields['name'] : `${kind}[${index}]`;
    try {
      views.push({ fields, name, kind, path, securityContext: readRecord(fields, 'securityContext', path) });
    } catch (error) {
      if (!(error instanceof MalformedField)) throw error;
      malformed = error;
    }
  });
  return { views, malformed };
}

// Message helpers, worded as upstream words them so messages read the same as the API server's.

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

/** `containers "a", "b"` / `container "a"`. */
export function containerList(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Sorted and de-duplicated, as upstream's string sets list their members (byte order). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareBytes);
}

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** A string quoted as Go's `%q` quotes it, for the annotation values upstream prints. */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) {
    const escape = GO_ESCAPES[char];
    const code = char.codePointAt(0) ?? 0;
    if (escape !== undefined) out += escape;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
