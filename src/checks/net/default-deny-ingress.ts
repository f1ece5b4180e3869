/**
 * Every namespace has a default deny for ingress: a NetworkPolicy in force whose
 * `spec.podSelector` is `{}` (every pod of the namespace) with `Ingress` among its
 * policyTypes (stated, or implied because every policy affects ingress). Then a pod that
 * no other policy selects accepts nothing, and each opening is a deliberate rule. Read:
 * the namespace's NetworkPolicies (`spec.podSelector`, `spec.policyTypes`, `spec.ingress`).
 * Passes when such a policy exists and none of those policies has a rule with neither
 * `from` nor `ports` (that rule allows everything). Policies the API server would reject
 * do not count.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { defaultDenyResult } from '../../engine/network/isolation.js';
import { networkIndexOf } from '../../engine/network/network-index.js';

export const check: NamespaceCheck = {
  id: 'net.default-deny-ingress',
  title: 'Namespaces deny ingress by default',
  description:
    'Without a NetworkPolicy that selects every pod of a namespace for Ingress, a pod that no policy selects accepts ' +
    'connections from every pod in the cluster and from any address that can route to it. A default-deny policy ' +
    'makes every allowed connection an explicit rule.',
  severity: 'medium',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy', 'Namespace'],
  frameworks: [
    { framework: 'CIS', control: '5.3.2' },
    { framework: 'NSA-CISA', control: 'Network separation and hardening' },
  ],
  remediation:
    'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` and no ingress rules to the namespace, ' +
    'then allow what each workload needs with policies that select it. System namespaces whose components need ' +
    "host or cluster-wide access (kube-system, for example) are usually left out with the policy's " +
    'excludeNamespaces or an exception, rather than given a deny they cannot live with.',
  supersedes: ['ns.no-network-policy'],
  scope: 'namespace',
  evaluate(namespace, ctx) {
    return [defaultDenyResult(networkIndexOf(ctx), namespace, 'ingress')];
  },
};
