/**
 * The verdict on one connection: may `from` open a connection to `to` on a port, under the
 * NetworkPolicies of the index? The API reference's rule, per direction:
 *  - egress is decided at the source, ingress at the destination, and a connection needs
 *    both; an IP endpoint (outside the cluster) has no policies of its own;
 *  - a pod that no policy in force for a direction selects is not isolated in it, and
 *    everything is allowed;
 *  - an isolated pod allows exactly the union of the rules of every policy that selects it
 *    for that direction: a connection is allowed when one rule's peers and ports match.
 * This is the function the e2e suite compares with an independent model (cyclonus), so it
 * takes the endpoints' labels as given and needs nothing else from the inventory than the
 * policies and the namespaces' labels.
 */
import { isRecord } from '../objects.js';
import type { ResourceRef } from '../types.js';
import { cidrContains, parseIp } from './cidr.js';
import type { ContainerPort, NetworkIndex } from './network-index.js';
import { namespaceLabelsOf, policiesSelecting } from './network-index.js';
import type {
  CompiledNetworkPolicy,
  CompiledRule,
  Direction,
  PeerMatcher,
  PortMatcher,
  Protocol,
} from './network-policy.js';

type Labels = Readonly<Record<string, string>>;

/** A pod: by namespace and labels, optionally with its IP (ipBlocks match pod IPs too). */
export interface PodEndpoint {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly labels: Labels;
  /**
   * The namespace's labels; by default those the index holds for it. Either way the
   * automatic `kubernetes.io/metadata.name` label is set, as the API server sets it.
   */
  readonly namespaceLabels?: Labels;
  readonly ip?: string;
  /** Container ports, against which named ports resolve when the pod is the destination. */
  readonly ports?: readonly ContainerPort[];
}

/** An address outside the pod network, or a pod known only by its IP. */
export interface IpEndpoint {
  readonly kind: 'ip';
  readonly ip: string;
  readonly ports?: readonly ContainerPort[];
}

export type Endpoint = PodEndpoint | IpEndpoint;

export interface Traffic {
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** The destination port number. */
  readonly port: number;
  /** TCP when omitted. */
  readonly protocol?: Protocol;
  /**
   * The name the destination gives `port`, when the caller knows it (cyclonus' traffic
   * carries it). Without it, named ports resolve against `to.ports`.
   */
  readonly portName?: string;
}

export interface RuleRef {
  readonly policy: ResourceRef;
  /** `spec.ingress[0]` */
  readonly path: string;
}

export interface DirectionVerdict {
  readonly direction: Direction;
  /** Some policy in force for this direction selects the pod at this end. */
  readonly isolated: boolean;
  readonly allowed: boolean;
  /** The policies that isolate the pod for this direction. */
  readonly policies: readonly ResourceRef[];
  /** The rules that allow the connection (empty when not isolated or not allowed). */
  readonly allowedBy: readonly RuleRef[];
}

export interface Verdict {
  readonly allowed: boolean;
  readonly ingress: DirectionVerdict;
  readonly egress: DirectionVerdict;
}

// Callers build endpoints from their own input (a CLI argument, a generated case); a
// malformed label map must give an answer, not a crash.
function safeLabels(labels: unknown): Labels {
  return isRecord(labels) ? (labels as Labels) : {};
}

function labelsOfNamespace(index: NetworkIndex, endpoint: PodEndpoint): Labels {
  if (endpoint.namespaceLabels !== undefined)
    return namespaceLabelsOf(endpoint.namespace, safeLabels(endpoint.namespaceLabels));
  return index.namespaces.get(endpoint.namespace)?.labels ?? namespaceLabelsOf(endpoint.namespace, {});
}

/** Whether a rule's peer names the endpoint at the other end of the connection. */
export function peerMatches(
  index: NetworkIndex,
  peer: PeerMatcher,
  policyNamespace: string,
  endpoint: Endpoint,
): boolean {
  if (peer.kind === 'ip-block') {
    const ip = parseIp(endpoint.ip);
    return (
      ip !== undefined && cidrContains(peer.cidr, ip) && !peer.except.some((block) => cidrContains(block, ip))
    );
  }
  if (endpoint.kind !== 'pod') return false;
  switch (peer.namespaces.kind) {
    case 'own':
      if (endpoint.namespace !== policyNamespace) return false;
      break;
    case 'selector':
      if (!peer.namespaces.matcher.matches(labelsOfNamespace(index, endpoint))) return false;
      break;
    case 'all':
      break;
  }
  return peer.pods === undefined || peer.pods.matches(safeLabels(endpoint.labels));
}

/** Whether a rule's port entry covers the connection's port at its destination. */
export function portMatches(port: PortMatcher, traffic: Traffic): boolean {
  const protocol = traffic.protocol ?? 'TCP';
  if (port.protocol !== protocol) return false;
  switch (port.kind) {
    case 'protocol':
      return true;
    case 'range':
      return port.from <= traffic.port && traffic.port <= port.to;
    case 'named':
      if (traffic.portName !== undefined) return traffic.portName === port.name;
      return (traffic.to.ports ?? []).some(
        (p) => p.name === port.name && p.protocol === protocol && p.port === traffic.port,
      );
  }
}

export function ruleAllows(
  index: NetworkIndex,
  policy: CompiledNetworkPolicy,
  rule: CompiledRule,
  traffic: Traffic,
): boolean {
  const other = rule.direction === 'ingress' ? traffic.from : traffic.to;
  const peerOk =
    rule.peers === 'all' || rule.peers.some((peer) => peerMatches(index, peer, policy.namespace, other));
  return peerOk && (rule.ports === 'all' || rule.ports.some((port) => portMatches(port, traffic)));
}

function directionVerdict(index: NetworkIndex, traffic: Traffic, direction: Direction): DirectionVerdict {
  const self = direction === 'ingress' ? traffic.to : traffic.from;
  if (self.kind !== 'pod') return { direction, isolated: false, allowed: true, policies: [], allowedBy: [] };
  const selecting = policiesSelecting(index, self.namespace, safeLabels(self.labels), direction);
  if (selecting.length === 0)
    return { direction, isolated: false, allowed: true, policies: [], allowedBy: [] };
  const allowedBy: RuleRef[] = [];
  for (const policy of selecting) {
    for (const rule of policy.rules[direction]) {
      if (ruleAllows(index, policy, rule, traffic)) allowedBy.push({ policy: policy.ref, path: rule.path });
    }
  }
  return {
    direction,
    isolated: true,
    allowed: allowedBy.length > 0,
    policies: selecting.map((p) => p.ref),
    allowedBy,
  };
}

/** The verdict with its reasons: which policies isolate each end and which rules allow. */
export function explainTraffic(index: NetworkIndex, traffic: Traffic): Verdict {
  const egress = directionVerdict(index, traffic, 'egress');
  const ingress = directionVerdict(index, traffic, 'ingress');
  return { allowed: egress.allowed && ingress.allowed, ingress, egress };
}

/** Whether the policies allow the connection; the question `bulwark reach` and the e2e ask. */
export function isAllowed(index: NetworkIndex, traffic: Traffic): boolean {
  return explainTraffic(index, traffic).allowed;
}
