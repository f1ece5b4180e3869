/**
 * NetworkPolicy egress rules do not open the internet: no rule of a policy in force for
 * Egress lets the selected pods connect to every destination, or to IP blocks that, minus
 * their excepts, cover at least half of the public IPv4 or IPv6 space (`0.0.0.0/0` with
 * the private ranges excepted is still the internet). Read: `spec.egress[].to[]` and
 * `spec.egress[].ports[]`, with `spec.policyTypes`. Rules whose every port is in the
 * `allowedPorts` parameter (DNS by default, which pods need and which resolves names through
 * the cluster DNS) are accepted. Skips policies that do not affect egress and policies the
 * API server would reject (net.policy-invalid reports those).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { internetBlocks } from '../../engine/network/isolation.js';
import type { CompiledRule } from '../../engine/network/network-policy.js';
import { compileNetworkPolicy, describePorts } from '../../engine/network/network-policy.js';
import { fail, PASS, skip } from '../../engine/types.js';

const MAX_LISTED = 5;

/** A rule limited to ports the policy author accepts towards any destination. */
function isOnlyAllowedPorts(rule: CompiledRule, allowed: ReadonlySet<string>): boolean {
  if (rule.ports === 'all' || rule.ports.length === 0) return false;
  return rule.ports.every((port) => {
    if (port.kind === 'range') return port.from === port.to && allowed.has(`${port.from}/${port.protocol}`);
    if (port.kind === 'named') return allowed.has(`${port.name}/${port.protocol}`);
    return false;
  });
}

export const check: ObjectCheck = {
  id: 'net.egress-internet',
  title: 'NetworkPolicies do not allow egress to the internet',
  description:
    'An egress rule without `to`, or with an IP block spanning the internet, lets the selected pods send data to ' +
    'any address and fetch anything: the path a compromised container uses to exfiltrate data and load tooling.',
  severity: 'medium',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Name the destinations in `to`: pods and namespaces by selector, and external services by their address ranges. ' +
    'Route traffic that must leave the cluster through an egress proxy or gateway and allow only that.',
  params: {
    allowedPorts: {
      type: 'string[]',
      description:
        'Ports, as PORT/PROTOCOL (a number or a port name), to which a rule may allow every destination; DNS by default',
      default: ['53/UDP', '53/TCP'],
    },
  },
  scope: 'object',
  evaluate(object, ctx) {
    if (object.kind !== 'NetworkPolicy') return skip('not a NetworkPolicy');
    const policy = compileNetworkPolicy(object);
    if (policy.diagnostics.length > 0) {
      return skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)');
    }
    if (!policy.affects.egress) return skip('the policy does not affect egress');
    const allowed = new Set(param<readonly string[]>(ctx, check, 'allowedPorts'));
    const problems: string[] = [];
    for (const rule of policy.rules.egress) {
      if (isOnlyAllowedPorts(rule, allowed)) continue;
      const ports = describePorts(rule.ports);
      if (rule.peers === 'all') {
        problems.push(`${rule.path} has no "to": every destination, the internet included, on ${ports}`);
        continue;
      }
      const internet = internetBlocks(rule, policy.namespace);
      if (internet !== undefined) problems.push(`${rule.path} allows the internet (${internet}) on ${ports}`);
    }
    if (problems.length === 0) return PASS;
    const shown = problems.slice(0, MAX_LISTED);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    return fail('EgressToInternet', `${shown.join('; ')}${more}`);
  },
};
