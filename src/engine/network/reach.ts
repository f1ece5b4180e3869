/**
 * Who can reach a workload, and where it may connect: for each direction and port, the
 * peers the NetworkPolicies allow, resolved against the inventory (namespaces by name,
 * workloads by owner) and kept as written where the inventory cannot resolve them (IP
 * blocks, every namespace, a selector that matches nothing known today). This is the
 * answer `bulwark reach NAMESPACE/WORKLOAD` prints.
 *
 * A direction in which no policy selects the workload is not isolated: every peer on every
 * port. An isolated direction allows the union of the rules of all policies selecting it.
 * Ingress named ports resolve against the workload's own container ports (it is the
 * destination); egress named ports resolve against each destination, so they stay named.
 */
import type { Diagnostic, ResourceRef } from '../types.js';
import { formatCidr } from './cidr.js';
import type { NetworkIndex, Workload } from './network-index.js';
import { policiesSelecting } from './network-index.js';
import type {
  CompiledNetworkPolicy,
  CompiledRule,
  Direction,
  PeerMatcher,
  Protocol,
} from './network-policy.js';
import { describePeer, isValidPolicy } from './network-policy.js';
import type { RuleRef } from './verdict.js';

export type ReachPeer =
  /** Everything: every pod of every namespace and every address. */
  | { readonly kind: 'any' }
  /** Every pod of every namespace, present and future (not addresses outside the cluster). */
  | { readonly kind: 'all-namespaces' }
  /** Every pod of one namespace. */
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'workload'; readonly namespace: string; readonly workload: ResourceRef }
  | { readonly kind: 'ip-block'; readonly cidr: string; readonly except: readonly string[] }
  /** A selector no namespace or workload of the inventory matches today; kept so it is not lost. */
  | { readonly kind: 'unmatched'; readonly description: string };

export type ReachPort =
  | { readonly kind: 'all' }
  | { readonly kind: 'protocol'; readonly protocol: Protocol }
  | {
      readonly kind: 'range';
      readonly protocol: Protocol;
      readonly from: number;
      readonly to: number;
      /** The name the rule used, when a named port resolved to this number. */
      readonly name?: string;
    }
  | { readonly kind: 'named'; readonly protocol: Protocol; readonly name: string };

export interface ReachEntry {
  readonly port: ReachPort;
  readonly peers: readonly ReachPeer[];
  readonly rules: readonly RuleRef[];
}

export interface DirectionReach {
  readonly direction: Direction;
  readonly isolated: boolean;
  /** The policies that select the workload for this direction. */
  readonly policies: readonly ResourceRef[];
  /** Per port, the peers allowed; empty for an isolated direction that allows nothing. */
  readonly entries: readonly ReachEntry[];
  /** Rules that allow nothing for a reason worth telling (a named port the workload lacks). */
  readonly notes: readonly string[];
}

export interface Reach {
  readonly workload: Workload;
  readonly ingress: DirectionReach;
  readonly egress: DirectionReach;
  /** Policies of the workload's namespace that the API server would reject; not counted. */
  readonly ignored: readonly { readonly policy: ResourceRef; readonly diagnostics: readonly Diagnostic[] }[];
}

const PEER_ORDER: Readonly<Record<ReachPeer['kind'], number>> = {
  any: 0,
  'all-namespaces': 1,
  namespace: 2,
  workload: 3,
  'ip-block': 4,
  unmatched: 5,
};

// Code-unit order: deterministic, and cheap on the thousands of peers a broad rule names.
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function peerKey(peer: ReachPeer): string {
  switch (peer.kind) {
    case 'any':
    case 'all-namespaces':
      return peer.kind;
    case 'namespace':
      return `namespace/${peer.namespace}`;
    case 'workload':
      return `workload/${peer.namespace}/${peer.workload.kind}/${peer.workload.name}`;
    case 'ip-block':
      return `ip-block/${peer.cidr}/${peer.except.join(',')}`;
    case 'unmatched':
      return `unmatched/${peer.description}`;
  }
}

export function portKey(port: ReachPort): string {
  switch (port.kind) {
    case 'all':
      return 'all';
    case 'protocol':
      return port.protocol;
    case 'range':
      return `${port.protocol}:${port.from}-${port.to}`;
    case 'named':
      return `${port.protocol}:${port.name}`;
  }
}

/** `80/TCP`, `8000-8080/TCP`, `http/TCP`, `every UDP port`, `every port`. */
export function describeReachPort(port: ReachPort): string {
  switch (port.kind) {
    case 'all':
      return 'every port';
    case 'protocol':
      return `every ${port.protocol} port`;
    case 'range': {
      const numbers = port.from === port.to ? `${port.from}` : `${port.from}-${port.to}`;
      return port.name !== undefined
        ? `${numbers}/${port.protocol} (${port.name})`
        : `${numbers}/${port.protocol}`;
    }
    case 'named':
      return `${port.name}/${port.protocol}`;
  }
}

export function describeReachPeer(peer: ReachPeer): string {
  switch (peer.kind) {
    case 'any':
      return 'anyone (every pod and every address)';
    case 'all-namespaces':
      return 'every pod in every namespace';
    case 'namespace':
      return `every pod in namespace ${peer.namespace}`;
    case 'workload':
      return `${peer.workload.kind}/${peer.workload.name} in namespace ${peer.namespace}`;
    case 'ip-block':
      return peer.except.length === 0 ? peer.cidr : `${peer.cidr} except ${peer.except.join(', ')}`;
    case 'unmatched':
      return `${peer.description} (none in the inventory)`;
  }
}

/** The peers a rule's peer entry stands for, resolved against the index. */
export function resolvePeer(index: NetworkIndex, peer: PeerMatcher, policyNamespace: string): ReachPeer[] {
  if (peer.kind === 'ip-block') {
    return [{ kind: 'ip-block', cidr: formatCidr(peer.cidr), except: peer.except.map(formatCidr) }];
  }
  const scope = peer.namespaces;
  if (scope.kind === 'all' && peer.pods === undefined) return [{ kind: 'all-namespaces' }];
  const namespaces =
    scope.kind === 'own'
      ? [policyNamespace]
      : [...index.namespaces.values()]
          .filter((ns) => scope.kind === 'all' || scope.matcher.matches(ns.labels))
          .map((ns) => ns.name);
  const out: ReachPeer[] = [];
  for (const namespace of namespaces) {
    if (peer.pods === undefined) {
      out.push({ kind: 'namespace', namespace });
      continue;
    }
    for (const workload of index.workloadsMatching(namespace, peer.pods.matches)) {
      out.push({ kind: 'workload', namespace, workload });
    }
  }
  return out.length > 0 ? out : [{ kind: 'unmatched', description: describePeer(peer, policyNamespace) }];
}

/** Drops peers another peer of the same list already covers, de-duplicates and sorts. */
export function simplifyPeers(peers: readonly ReachPeer[]): ReachPeer[] {
  if (peers.some((p) => p.kind === 'any')) return [{ kind: 'any' }];
  const allNamespaces = peers.some((p) => p.kind === 'all-namespaces');
  const wholeNamespaces = new Set(peers.flatMap((p) => (p.kind === 'namespace' ? [p.namespace] : [])));
  const seen = new Map<string, ReachPeer>();
  for (const peer of peers) {
    if (allNamespaces && (peer.kind === 'namespace' || peer.kind === 'workload')) continue;
    if (peer.kind === 'workload' && wholeNamespaces.has(peer.namespace)) continue;
    seen.set(peerKey(peer), peer);
  }
  return [...seen.entries()]
    .sort(([ka, a], [kb, b]) => PEER_ORDER[a.kind] - PEER_ORDER[b.kind] || byText(ka, kb))
    .map(([, peer]) => peer);
}

const PORT_ORDER: Readonly<Record<ReachPort['kind'], number>> = { all: 0, protocol: 1, range: 2, named: 3 };

/** Every port first, then whole protocols, then numbers ascending, then names. */
export function comparePorts(a: ReachPort, b: ReachPort): number {
  if (a.kind !== b.kind) return PORT_ORDER[a.kind] - PORT_ORDER[b.kind];
  if (a.kind === 'range' && b.kind === 'range')
    return a.from - b.from || a.to - b.to || byText(a.protocol, b.protocol);
  return byText(portKey(a), portKey(b));
}

interface EntryDraft {
  port: ReachPort;
  peers: ReachPeer[];
  rules: RuleRef[];
}

function rulePorts(
  rule: CompiledRule,
  workload: Workload,
  notes: string[],
  policy: CompiledNetworkPolicy,
): ReachPort[] {
  if (rule.ports === 'all') return [{ kind: 'all' }];
  const out: ReachPort[] = [];
  for (const port of rule.ports) {
    if (port.kind === 'protocol') out.push({ kind: 'protocol', protocol: port.protocol });
    else if (port.kind === 'range') {
      // A single ingress port carries the workload's name for it, as a named rule would.
      const named =
        rule.direction === 'ingress' && port.from === port.to
          ? workload.ports.find(
              (p) => p.port === port.from && p.protocol === port.protocol && p.name !== undefined,
            )
          : undefined;
      out.push({
        kind: 'range',
        protocol: port.protocol,
        from: port.from,
        to: port.to,
        ...(named?.name !== undefined ? { name: named.name } : {}),
      });
    } else if (rule.direction === 'egress')
      out.push({ kind: 'named', protocol: port.protocol, name: port.name });
    else {
      const resolved = workload.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
      if (resolved === undefined) {
        notes.push(
          `${policy.namespace}/${policy.name} ${rule.path} names port "${port.name}"/${port.protocol}, which no container of ${workload.ref.kind}/${workload.ref.name} declares: that port entry allows nothing`,
        );
      } else {
        out.push({
          kind: 'range',
          protocol: port.protocol,
          from: resolved.port,
          to: resolved.port,
          name: port.name,
        });
      }
    }
  }
  return out;
}

function directionReach(index: NetworkIndex, workload: Workload, direction: Direction): DirectionReach {
  const selecting = policiesSelecting(index, workload.namespace, workload.labels, direction);
  if (selecting.length === 0) {
    return {
      direction,
      isolated: false,
      policies: [],
      entries: [{ port: { kind: 'all' }, peers: [{ kind: 'any' }], rules: [] }],
      notes: workload.hostNetwork ? [hostNetworkNote(workload)] : [],
    };
  }
  const notes: string[] = [];
  if (workload.hostNetwork) notes.push(hostNetworkNote(workload));
  const drafts = new Map<string, EntryDraft>();
  for (const policy of selecting) {
    for (const rule of policy.rules[direction]) {
      const peers =
        rule.peers === 'all'
          ? [{ kind: 'any' } as const]
          : rule.peers.flatMap((peer) => resolvePeer(index, peer, policy.namespace));
      for (const port of rulePorts(rule, workload, notes, policy)) {
        const key = portKey(port);
        let draft = drafts.get(key);
        if (draft === undefined) {
          draft = { port, peers: [], rules: [] };
          drafts.set(key, draft);
        }
        draft.peers.push(...peers);
        draft.rules.push({ policy: policy.ref, path: rule.path });
      }
    }
  }
  const entries = [...drafts.values()]
    .sort((a, b) => comparePorts(a.port, b.port))
    .map((d) => ({ port: d.port, peers: simplifyPeers(d.peers), rules: d.rules }));
  return { direction, isolated: true, policies: selecting.map((p) => p.ref), entries, notes };
}

function hostNetworkNote(workload: Workload): string {
  return (
    `${workload.ref.kind}/${workload.ref.name} uses the node's network (hostNetwork: true): NetworkPolicy is ` +
    "undefined for such pods and most network plugins do not apply it: the node's firewall governs its traffic"
  );
}

/** Who can reach the workload and where it may connect, per direction and port. */
export function reachOf(index: NetworkIndex, workload: Workload): Reach {
  const ignored = index
    .policies(workload.namespace)
    .filter((policy) => !isValidPolicy(policy))
    .map((policy) => ({ policy: policy.ref, diagnostics: policy.diagnostics }));
  return {
    workload,
    ingress: directionReach(index, workload, 'ingress'),
    egress: directionReach(index, workload, 'egress'),
    ignored,
  };
}
