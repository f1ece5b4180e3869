/**
 * Isolation questions the `net.*` and `ns.*` checks share, asked per direction: does a
 * namespace deny by default, which workloads no policy isolates, how many policies are in
 * force. The checks for ingress and egress are the same question, so the answer and its
 * wording live here once.
 */
import type { ScopedResult } from '../check.js';
import type { CheckOutcome } from '../types.js';
import { fail, PASS } from '../types.js';
import type { NetworkIndex, Workload } from './network-index.js';
import { namespaceRef } from './network-index.js';
import { publicShare, rangesOf, subtractRanges } from './cidr.js';
import type { CompiledNetworkPolicy, CompiledRule, Direction } from './network-policy.js';
import { describePeer, isValidPolicy, selectsAllPods } from './network-policy.js';

// Enough names to find the pods; a namespace with hundreds of them still gives a short message.
const MAX_LISTED = 5;

export const POLICY_TYPE: Readonly<Record<Direction, string>> = { ingress: 'Ingress', egress: 'Egress' };

/** The policies of a namespace the API server would accept: the ones in force. */
export function policiesInForce(index: NetworkIndex, namespace: string): CompiledNetworkPolicy[] {
  return index.policies(namespace).filter(isValidPolicy);
}

export function invalidPolicies(index: NetworkIndex, namespace: string): CompiledNetworkPolicy[] {
  return index.policies(namespace).filter((policy) => !isValidPolicy(policy));
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((n) => `"${n}"`);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/**
 * A default deny for the direction: a policy in force that selects every pod of the
 * namespace (`podSelector: {}`) for it, and no such policy with a rule that lets
 * everything through — `ingress: [{}]` on an all-pods policy is the documented "allow
 * all", not a deny.
 */
export function defaultDenyOutcome(
  index: NetworkIndex,
  namespace: string,
  direction: Direction,
): CheckOutcome {
  const type = POLICY_TYPE[direction];
  const isolating = policiesInForce(index, namespace).filter(
    (p) => p.affects[direction] && selectsAllPods(p),
  );
  if (isolating.length === 0) {
    const invalid = invalidPolicies(index, namespace).filter(
      (p) => selectsAllPods(p) && p.affects[direction],
    );
    const note =
      invalid.length > 0
        ? ` (NetworkPolicy ${listNames(invalid.map((p) => p.name))} would, but the API server rejects it)`
        : '';
    const exposure =
      direction === 'ingress'
        ? 'accept connections from any pod and any address'
        : 'may connect to any pod and any address';
    return fail(
      'NoDefaultDeny',
      `namespace "${namespace}" has no NetworkPolicy that selects every pod (podSelector: {}) for ${type}${note}: ` +
        `pods that no other policy selects ${exposure}`,
    );
  }
  // Policies add up: one all-pods policy that opens everything undoes every deny beside it.
  const peers = direction === 'ingress' ? 'source' : 'destination';
  for (const policy of isolating) {
    for (const rule of policy.rules[direction]) {
      const everything = opensEverything(rule, policy.namespace);
      if (everything === undefined) continue;
      return fail(
        'AllowAllNotDeny',
        `NetworkPolicy "${policy.name}" selects every pod for ${type}, and its ${rule.path} allows every ${peers}` +
          `${everything} on every port: the namespace has no default deny`,
      );
    }
  }
  return PASS;
}

/**
 * Whether a rule lets every peer through on every port: no peers named, or an IP block of
 * a whole address family without excepts (ipBlocks match pod addresses too). Returns how
 * the peers are named (empty when not named at all), or undefined.
 */
function opensEverything(rule: CompiledRule, policyNamespace: string): string | undefined {
  if (rule.ports !== 'all') return undefined;
  if (rule.peers === 'all') return '';
  const whole = rule.peers.find(
    (peer) => peer.kind === 'ip-block' && peer.cidr.prefix === 0 && peer.except.length === 0,
  );
  return whole === undefined ? undefined : ` (${describePeer(whole, policyNamespace)})`;
}

export function defaultDenyResult(
  index: NetworkIndex,
  namespace: string,
  direction: Direction,
): ScopedResult {
  const info = index.namespaces.get(namespace);
  return {
    resource: info?.ref ?? namespaceRef(namespace),
    outcome: defaultDenyOutcome(index, namespace, direction),
  };
}

/** How many objects a workload result stands for: its pods, or one for a template alone. */
function podCount(members: Workload['members']): number {
  const pods = members.filter((m) => m.isPod).length;
  return pods > 0 ? pods : 1;
}

/**
 * One result per workload of the namespace: it passes when every pod and template of it is
 * selected by some policy in force for the direction.
 */
export function workloadIsolationResults(
  index: NetworkIndex,
  namespace: string,
  direction: Direction,
): ScopedResult[] {
  const type = POLICY_TYPE[direction];
  const exposure =
    direction === 'ingress'
      ? 'accept connections from any pod in any namespace, and any address, on every port'
      : 'may connect to any pod in any namespace, and any address, on every port';
  return index.workloads(namespace).map((workload) => {
    const unselected = workload.members.filter((m) => m.selectedBy[direction].length === 0);
    const what = `${workload.ref.kind}/${workload.ref.name}`;
    if (unselected.length === 0) {
      return { resource: workload.ref, outcome: PASS, count: podCount(workload.members) };
    }
    const message =
      unselected.length === workload.members.length
        ? `${what} is selected by no NetworkPolicy for ${type}: its pods ${exposure}`
        : `${unselected.length} of ${workload.members.length} pods and templates of ${what} ` +
          `(${listNames(unselected.map((m) => `${m.ref.kind}/${m.ref.name}`))}) are selected by no NetworkPolicy ` +
          `for ${type}: they ${exposure}`;
    return { resource: workload.ref, outcome: fail('NotIsolated', message), count: podCount(unselected) };
  });
}

/**
 * Whether a rule's IP blocks, minus their excepts, cover at least half of the public address
 * space of IPv4 or IPv6: `0.0.0.0/0` with the private ranges excepted is still the
 * internet, `203.0.113.0/24` is one service. Returns how the rule names those blocks, or
 * undefined when they are not the internet.
 */
export function internetBlocks(rule: CompiledRule, policyNamespace: string): string | undefined {
  if (rule.peers === 'all') return undefined;
  const blocks = rule.peers.filter((peer) => peer.kind === 'ip-block');
  if (blocks.length === 0) return undefined;
  const ranges = blocks.flatMap((peer) => subtractRanges(rangesOf([peer.cidr]), rangesOf(peer.except)));
  if (publicShare(ranges, 4) < 0.5 && publicShare(ranges, 6) < 0.5) return undefined;
  return blocks.map((peer) => describePeer(peer, policyNamespace)).join(', ');
}
