/**
 * NetworkPolicy ingress rules name their sources: no rule of a policy in force for Ingress
 * opens the selected pods to every source. Read: `spec.ingress[].from[]` and
 * `spec.ingress[].ports[]`, with `spec.policyTypes`. Fails on a rule without `from` (or
 * with `from: []`), which matches every source inside and outside the cluster; on IP blocks
 * that, minus their excepts, cover at least half of the public IPv4 or IPv6 space
 * (`0.0.0.0/0`, `::/0`); on a peer with `namespaceSelector: {}`, which reaches into every
 * namespace, present and future; and on an empty peer `{}`, which reads as "every source"
 * although the API server rejects it. Passes when every source is named more narrowly.
 * Skips policies that do not affect ingress and policies the API server would reject for
 * other reasons (net.policy-invalid reports those).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { internetBlocks } from '../../engine/network/isolation.js';
import { compileNetworkPolicy, describePeer, describePorts } from '../../engine/network/network-policy.js';
import { fail, PASS, skip } from '../../engine/types.js';

// Enough to act on; the rest are alike.
const MAX_LISTED = 5;

export const check: ObjectCheck = {
  id: 'net.allow-all-sources',
  title: 'NetworkPolicies do not allow ingress from every source',
  description:
    'An ingress rule without `from`, with an IP block spanning the internet, or with `namespaceSelector: {}` lets ' +
    'every source (or every pod of every namespace, including namespaces created later) reach the selected pods, ' +
    'which undoes the isolation the policy was written for.',
  severity: 'medium',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Name the clients in `from`: a podSelector for pods of the same namespace, a namespaceSelector on ' +
    '`kubernetes.io/metadata.name` together with a podSelector (in one peer) for pods elsewhere, and ipBlocks only ' +
    'for the address ranges that must connect. A service that really faces the internet (an ingress gateway) is ' +
    'better recorded as an exception with its reason than left unflagged.',
  scope: 'object',
  evaluate(object) {
    if (object.kind !== 'NetworkPolicy') return skip('not a NetworkPolicy');
    const policy = compileNetworkPolicy(object);
    const problems: string[] = [];
    for (const d of policy.diagnostics) {
      if (d.message === 'must specify a peer' && d.path.startsWith('spec.ingress[')) {
        problems.push(
          `${d.path} is an empty peer ({}): it reads as "every source", and the API server rejects it ("must specify a peer")`,
        );
      }
    }
    if (problems.length === 0 && policy.diagnostics.length > 0) {
      return skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)');
    }
    if (problems.length === 0 && !policy.affects.ingress) return skip('the policy does not affect ingress');
    for (const rule of policy.rules.ingress) {
      const ports = describePorts(rule.ports);
      if (rule.peers === 'all') {
        problems.push(`${rule.path} has no "from": every source, in the cluster and outside it, on ${ports}`);
        continue;
      }
      const internet = internetBlocks(rule, policy.namespace);
      if (internet !== undefined) problems.push(`${rule.path} allows the internet (${internet}) on ${ports}`);
      rule.peers.forEach((peer) => {
        if (peer.kind === 'pods' && peer.namespaces.kind === 'all') {
          problems.push(
            `${peer.path} (namespaceSelector: {}) allows ${describePeer(peer, policy.namespace)} on ${ports}`,
          );
        }
      });
    }
    if (problems.length === 0) return PASS;
    const shown = problems.slice(0, MAX_LISTED);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    return fail('OpenToAllSources', `${shown.join('; ')}${more}`);
  },
};
