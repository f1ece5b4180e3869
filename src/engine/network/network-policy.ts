/**
 * One NetworkPolicy read into the form the reachability model evaluates, with the API
 * server's defaulting applied and its validation repeated, so that a manifest is judged as
 * the object the cluster would store (networking/v1 API reference; defaulting in
 * `pkg/apis/networking/v1/defaults.go`, validation in `pkg/apis/networking/validation`):
 *  - `podSelector` absent is the empty selector: every pod in the policy's namespace;
 *  - `policyTypes` absent or empty becomes `[Ingress]`, plus `Egress` when `spec.egress`
 *    has at least one rule; rules of a direction not in `policyTypes` are ignored;
 *  - a rule whose `from`/`to` is absent or empty matches every peer; whose `ports` is
 *    absent or empty matches every port; a port's `protocol` defaults to TCP and a port
 *    entry without `port` matches every port of its protocol;
 *  - a peer is exactly one of ipBlock, or podSelector and/or namespaceSelector.
 * A policy the API server would reject carries diagnostics; the model leaves it out, since
 * it could never be in force.
 */
import type { LabelSelector } from '../label-selector.js';
import { isEmptySelector, validateSelector } from '../label-selector.js';
import type { KubeObject } from '../objects.js';
import { isRecord, nameOf, namespaceOf, refOf } from '../objects.js';
import type { Diagnostic, ResourceRef } from '../types.js';
import type { Cidr } from './cidr.js';
import { cidrCovers, formatCidr, parseCidr } from './cidr.js';

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isProtocol(value: unknown): value is Protocol {
  return typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value);
}

type Labels = Readonly<Record<string, string>>;

/**
 * Namespace-less manifests land in `default` when applied without `-n` or a context
 * namespace; policies and pods must agree on it or a policy would select nothing.
 */
export const DEFAULT_NAMESPACE = 'default';

export function effectiveNamespace(obj: KubeObject): string {
  return namespaceOf(obj) ?? DEFAULT_NAMESPACE;
}

/** A label selector checked once, then matched many times. */
export interface SelectorMatcher {
  readonly selector: LabelSelector;
  /** `{}`: matches every label set. */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
}

type Requirement = (labels: Labels) => boolean;

/**
 * The selector's requirements as closures, so that matching a label set allocates nothing
 * and does not re-validate: an index matches every policy against every pod. Only called
 * on selectors `validateSelector` accepted; the property tests hold it to `matchesSelector`.
 */
function requirementsOf(selector: LabelSelector): Requirement[] {
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    out.push((labels) => Object.hasOwn(labels, key) && labels[key] === value);
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const set = new Set(values);
    switch (operator) {
      case 'In':
        out.push((labels) => Object.hasOwn(labels, key) && set.has(labels[key] as string));
        break;
      case 'NotIn':
        out.push((labels) => !Object.hasOwn(labels, key) || !set.has(labels[key] as string));
        break;
      case 'Exists':
        out.push((labels) => Object.hasOwn(labels, key));
        break;
      case 'DoesNotExist':
        out.push((labels) => !Object.hasOwn(labels, key));
        break;
      default:
        out.push(() => false);
    }
  }
  return out;
}

export function selectorMatcher(selector: LabelSelector): SelectorMatcher {
  const valid = validateSelector(selector, '').length === 0;
  const empty = valid && isEmptySelector(selector);
  if (!valid) return { selector, empty, matches: () => false };
  if (empty) return { selector, empty, matches: () => true };
  const requirements = requirementsOf(selector);
  return {
    selector,
    empty,
    matches: (labels) => {
      for (const requirement of requirements) if (!requirement(labels)) return false;
      return true;
    },
  };
}

// Stands in for a selector the API server would refuse; such a policy is never in force.
const MATCHES_NOTHING: SelectorMatcher = { selector: {}, empty: false, matches: () => false };

/** Which namespaces a pod peer reaches into. */
export type NamespaceScope =
  | { readonly kind: 'own' }
  | { readonly kind: 'all' }
  | { readonly kind: 'selector'; readonly matcher: SelectorMatcher };

export type PeerMatcher =
  | {
      readonly kind: 'pods';
      readonly path: string;
      readonly namespaces: NamespaceScope;
      /** undefined: every pod of those namespaces. */
      readonly pods: SelectorMatcher | undefined;
    }
  | {
      readonly kind: 'ip-block';
      readonly path: string;
      readonly cidr: Cidr;
      readonly except: readonly Cidr[];
    };

export type PortMatcher =
  /** A port entry without `port`: every port of the protocol. */
  | { readonly kind: 'protocol'; readonly protocol: Protocol }
  /** A numbered port (`from === to`) or an `endPort` range, inclusive. */
  | { readonly kind: 'range'; readonly protocol: Protocol; readonly from: number; readonly to: number }
  /** A named port: resolved against the destination pod's container ports. */
  | { readonly kind: 'named'; readonly protocol: Protocol; readonly name: string };

export interface CompiledRule {
  readonly direction: Direction;
  /** `spec.ingress[0]`: where the rule is, for messages. */
  readonly path: string;
  readonly peers: readonly PeerMatcher[] | 'all';
  readonly ports: readonly PortMatcher[] | 'all';
}

export interface CompiledNetworkPolicy {
  readonly ref: ResourceRef;
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: SelectorMatcher;
  /** policyTypes after defaulting. */
  readonly affects: Readonly<Record<Direction, boolean>>;
  /** Rules of each affected direction; empty for a direction the policy does not affect. */
  readonly rules: Readonly<Record<Direction, readonly CompiledRule[]>>;
  /** Why the API server would reject the policy; empty when it is valid. */
  readonly diagnostics: readonly Diagnostic[];
}

export function isValidPolicy(policy: CompiledNetworkPolicy): boolean {
  return policy.diagnostics.length === 0;
}

/** `IsValidPortName` from apimachinery: an IANA service name. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(name))
    return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];

  problem(path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', path, message });
  }

  /** A list field: absent is empty, anything but an array is a problem. */
  list(value: unknown, path: string): readonly unknown[] {
    if (isAbsent(value)) return [];
    if (!Array.isArray(value)) {
      this.problem(path, 'must be a list');
      return [];
    }
    return value;
  }

  selector(value: unknown, path: string): SelectorMatcher | undefined {
    const problems = validateSelector(value, path);
    this.diagnostics.push(...problems);
    return problems.length === 0 && isRecord(value) ? selectorMatcher(value as LabelSelector) : undefined;
  }

  port(value: unknown, path: string): PortMatcher | undefined {
    if (!isRecord(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const { protocol: rawProtocol, port, endPort } = value;
    let protocol: Protocol = 'TCP';
    if (!isAbsent(rawProtocol)) {
      if (isProtocol(rawProtocol)) protocol = rawProtocol;
      else {
        this.problem(
          `${path}.protocol`,
          `must be one of TCP, UDP, SCTP (got ${JSON.stringify(rawProtocol)})`,
        );
        return undefined;
      }
    }
    if (isAbsent(port)) {
      if (!isAbsent(endPort)) {
        this.problem(`${path}.endPort`, 'may not be specified when `port` is not specified');
        return undefined;
      }
      return { kind: 'protocol', protocol };
    }
    if (typeof port === 'string') {
      if (!isAbsent(endPort)) {
        this.problem(`${path}.endPort`, 'may not be specified when `port` is non-numeric');
        return undefined;
      }
      const problem = portNameProblem(port);
      if (problem !== undefined) {
        this.problem(`${path}.port`, `${JSON.stringify(port)} is not a valid port name: ${problem}`);
        return undefined;
      }
      return { kind: 'named', protocol, name: port };
    }
    if (!isPortNumber(port)) {
      this.problem(
        `${path}.port`,
        `must be a port number between 1 and 65535 or a port name (got ${JSON.stringify(port)})`,
      );
      return undefined;
    }
    if (isAbsent(endPort)) return { kind: 'range', protocol, from: port, to: port };
    if (!isPortNumber(endPort)) {
      this.problem(
        `${path}.endPort`,
        `must be a port number between 1 and 65535 (got ${JSON.stringify(endPort)})`,
      );
      return undefined;
    }
    if (endPort < port) {
      this.problem(`${path}.endPort`, 'must be greater than or equal to `port`');
      return undefined;
    }
    return { kind: 'range', protocol, from: port, to: endPort };
  }

  peer(value: unknown, path: string): PeerMatcher | undefined {
    if (!isRecord(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const { podSelector, namespaceSelector, ipBlock } = value;
    const present = [podSelector, namespaceSelector, ipBlock].filter((v) => !isAbsent(v)).length;
    if (present === 0) {
      this.problem(path, 'must specify a peer');
      return undefined;
    }
    if (!isAbsent(ipBlock)) {
      if (present > 1) {
        this.problem(path, 'may not specify both ipBlock and another peer');
        return undefined;
      }
      return this.ipBlock(ipBlock, `${path}.ipBlock`);
    }
    const pods = isAbsent(podSelector) ? undefined : this.selector(podSelector, `${path}.podSelector`);
    if (!isAbsent(podSelector) && pods === undefined) return undefined;
    let namespaces: NamespaceScope = { kind: 'own' };
    if (!isAbsent(namespaceSelector)) {
      const matcher = this.selector(namespaceSelector, `${path}.namespaceSelector`);
      if (matcher === undefined) return undefined;
      namespaces = matcher.empty ? { kind: 'all' } : { kind: 'selector', matcher };
    }
    return { kind: 'pods', path, namespaces, pods: pods === undefined || pods.empty ? undefined : pods };
  }

  ipBlock(value: unknown, path: string): PeerMatcher | undefined {
    if (!isRecord(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const rawCidr = value['cidr'];
    if (isAbsent(rawCidr) || rawCidr === '') {
      this.problem(`${path}.cidr`, 'is required');
      return undefined;
    }
    const cidr = parseCidr(rawCidr);
    if (cidr === undefined) {
      this.problem(`${path}.cidr`, `must be a valid CIDR (got ${JSON.stringify(rawCidr)})`);
      return undefined;
    }
    const except: Cidr[] = [];
    let ok = true;
    this.list(value['except'], `${path}.except`).forEach((raw, i) => {
      const at = `${path}.except[${i}]`;
      const block = parseCidr(raw);
      if (block === undefined) {
        this.problem(at, `must be a valid CIDR (got ${JSON.stringify(raw)})`);
        ok = false;
      } else if (!cidrCovers(cidr, block) || block.prefix <= cidr.prefix) {
        this.problem(at, `${String(raw)} must be a strict subset of \`cidr\` ${formatCidr(cidr)}`);
        ok = false;
      } else except.push(block);
    });
    return ok ? { kind: 'ip-block', path, cidr, except } : undefined;
  }

  rule(value: unknown, direction: Direction, path: string): CompiledRule | undefined {
    if (!isRecord(value)) {
      this.problem(path, 'must be an object');
      return undefined;
    }
    const peerField = direction === 'ingress' ? 'from' : 'to';
    const ports = this.list(value['ports'], `${path}.ports`)
      .map((port, i) => this.port(port, `${path}.ports[${i}]`))
      .filter((p): p is PortMatcher => p !== undefined);
    const rawPeers = this.list(value[peerField], `${path}.${peerField}`);
    const peers = rawPeers
      .map((peer, i) => this.peer(peer, `${path}.${peerField}[${i}]`))
      .filter((p): p is PeerMatcher => p !== undefined);
    const rawPorts = value['ports'];
    return {
      direction,
      path,
      // "If this field is empty or missing, this rule matches all sources/destinations."
      peers: rawPeers.length === 0 ? 'all' : peers,
      // "If this field is empty or missing, this rule matches all ports."
      ports: !Array.isArray(rawPorts) || rawPorts.length === 0 ? 'all' : ports,
    };
  }
}

/** Reads a NetworkPolicy as the API server would store it. Never throws. */
export function compileNetworkPolicy(obj: KubeObject): CompiledNetworkPolicy {
  const reader = new Reader();
  const namespace = effectiveNamespace(obj);
  const ref: ResourceRef = { ...refOf(obj), namespace };
  const rawSpec = obj['spec'];
  let spec: Record<string, unknown> = {};
  if (isRecord(rawSpec)) spec = rawSpec;
  else if (!isAbsent(rawSpec)) reader.problem('spec', 'must be an object');

  const rawSelector = spec['podSelector'];
  const podSelector = isAbsent(rawSelector)
    ? selectorMatcher({})
    : (reader.selector(rawSelector, 'spec.podSelector') ?? MATCHES_NOTHING);

  const rawIngress = reader.list(spec['ingress'], 'spec.ingress');
  const rawEgress = reader.list(spec['egress'], 'spec.egress');
  const types = reader.list(spec['policyTypes'], 'spec.policyTypes');
  const affects = { ingress: false, egress: false };
  if (types.length === 0) {
    affects.ingress = true;
    affects.egress = rawEgress.length > 0;
  } else if (types.length > 2) {
    reader.problem('spec.policyTypes', 'may not specify more than two policyTypes');
  } else {
    types.forEach((type, i) => {
      if (type === 'Ingress') affects.ingress = true;
      else if (type === 'Egress') affects.egress = true;
      else
        reader.problem(`spec.policyTypes[${i}]`, `must be Ingress or Egress (got ${JSON.stringify(type)})`);
    });
  }
  // Rules are validated whether or not their direction is in force, as the API server does.
  const ingress = rawIngress
    .map((rule, i) => reader.rule(rule, 'ingress', `spec.ingress[${i}]`))
    .filter((r): r is CompiledRule => r !== undefined);
  const egress = rawEgress
    .map((rule, i) => reader.rule(rule, 'egress', `spec.egress[${i}]`))
    .filter((r): r is CompiledRule => r !== undefined);
  return {
    ref,
    namespace,
    name: nameOf(obj),
    podSelector,
    affects,
    rules: { ingress: affects.ingress ? ingress : [], egress: affects.egress ? egress : [] },
    diagnostics: reader.diagnostics,
  };
}

/** `spec.podSelector` is `{}`: the policy applies to every pod of its namespace. */
export function selectsAllPods(policy: CompiledNetworkPolicy): boolean {
  return policy.podSelector.empty;
}

/** A rule that lets everything through: no peers and no ports named. */
export function isAllowAllRule(rule: CompiledRule): boolean {
  return rule.peers === 'all' && rule.ports === 'all';
}

export function describePorts(ports: readonly PortMatcher[] | 'all'): string {
  if (ports === 'all') return 'every port';
  return ports.map(describePort).join(', ');
}

export function describePort(port: PortMatcher): string {
  switch (port.kind) {
    case 'protocol':
      return `every ${port.protocol} port`;
    case 'range':
      return port.from === port.to
        ? `${port.from}/${port.protocol}`
        : `${port.from}-${port.to}/${port.protocol}`;
    case 'named':
      return `${port.name}/${port.protocol}`;
  }
}

/** `app=web,tier in (a,b),!canary`: kubectl's selector notation. */
export function describeSelector(matcher: SelectorMatcher): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(matcher.selector.matchLabels ?? {}))
    parts.push(`${key}=${value}`);
  for (const expr of matcher.selector.matchExpressions ?? []) {
    switch (expr.operator) {
      case 'Exists':
        parts.push(expr.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${expr.key}`);
        break;
      default:
        parts.push(
          `${expr.key} ${expr.operator === 'In' ? 'in' : 'notin'} (${(expr.values ?? []).join(',')})`,
        );
    }
  }
  return parts.join(',');
}

/** `pods app=web in namespaces team=a`, as a person would say what a peer names. */
export function describePeer(peer: PeerMatcher, policyNamespace: string): string {
  if (peer.kind === 'ip-block') {
    const except = peer.except.map(formatCidr);
    return except.length === 0
      ? formatCidr(peer.cidr)
      : `${formatCidr(peer.cidr)} except ${except.join(', ')}`;
  }
  const pods = peer.pods === undefined ? 'every pod' : `pods ${describeSelector(peer.pods)}`;
  switch (peer.namespaces.kind) {
    case 'own':
      return `${pods} in namespace ${policyNamespace}`;
    case 'all':
      return `${pods} in every namespace`;
    case 'selector':
      return `${pods} in namespaces ${describeSelector(peer.namespaces.matcher)}`;
  }
}
