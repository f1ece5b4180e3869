/**
 * A NetworkPolicy is one the API server accepts. Manifests can hold policies it would
 * reject (an empty peer `{}`, an ipBlock beside a selector, a quoted port number, an
 * `except` outside its `cidr`, an unknown protocol or policyType); such a policy is never
 * in force, so the pods it was written for are not isolated, and every other network check
 * leaves it out. Read: the whole `spec`, validated as `pkg/apis/networking/validation`
 * does. Passes when there is nothing to reject.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { compileNetworkPolicy } from '../../engine/network/network-policy.js';
import { fail, PASS, skip } from '../../engine/types.js';

const MAX_LISTED = 5;

export const check: ObjectCheck = {
  id: 'net.policy-invalid',
  title: 'NetworkPolicies are valid',
  description:
    'A NetworkPolicy the API server would reject never takes effect: `kubectl apply` fails on it, and the pods it ' +
    'was meant to isolate stay open. The network checks and `bulwark reach` leave it out.',
  severity: 'medium',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Fix the fields named in the message. A peer is exactly one of ipBlock, or podSelector and/or namespaceSelector; ' +
    'ports are numbers 1-65535 or port names; endPort needs a numeric port; except blocks lie strictly inside cidr; ' +
    'protocols are TCP, UDP or SCTP.',
  scope: 'object',
  evaluate(object) {
    if (object.kind !== 'NetworkPolicy') return skip('not a NetworkPolicy');
    const { diagnostics } = compileNetworkPolicy(object);
    if (diagnostics.length === 0) return PASS;
    const shown = diagnostics.slice(0, MAX_LISTED).map((d) => `${d.path}: ${d.message}`);
    const more = diagnostics.length > shown.length ? `; and ${diagnostics.length - shown.length} more` : '';
    return fail(
      'InvalidPolicy',
      `the API server would reject this NetworkPolicy, so it is not in force: ${shown.join('; ')}${more}`,
    );
  },
};
