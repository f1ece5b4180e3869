/**
 * Every namespace has a default deny for egress: a NetworkPolicy in force whose
 * `spec.podSelector` is `{}` (every pod of the namespace) with `Egress` among its
 * policyTypes (stated, or implied by a non-empty `spec.egress`). Then a pod that no other
 * policy selects can open no connection, which stops a compromised pod from reaching the
 * internet, the cloud metadata endpoint or other namespaces. Read: the namespace's
 * NetworkPolicies (`spec.podSelector`, `spec.policyTypes`, `spec.egress`). Passes when such
 * a policy exists and none of those policies has a rule with neither `to` nor `ports`
 * (that rule allows everything). Policies the API server would reject do not count.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { defaultDenyResult } from '../../engine/network/isolation.js';
import { networkIndexOf } from '../../engine/network/network-index.js';

export const check: NamespaceCheck = {
  id: 'net.default-deny-egress',
  title: 'Namespaces deny egress by default',
  description:
    'Without a NetworkPolicy that selects every pod of a namespace for Egress, a pod that no policy selects may connect ' +
    'to every pod in the cluster, the cloud metadata service and the internet: the first thing an attacker in a ' +
    'compromised container uses. A default-deny policy makes every allowed destination an explicit rule.',
  severity: 'low',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy', 'Namespace'],
  frameworks: [
    { framework: 'CIS', control: '5.3.2' },
    { framework: 'NSA-CISA', control: 'Network separation and hardening' },
  ],
  remediation:
    'Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Egress]` and no egress rules to the namespace, ' +
    'then allow what each workload needs (DNS to kube-system on 53/UDP and 53/TCP, its databases and APIs) with ' +
    "policies that select it. System namespaces are usually left out with the policy's excludeNamespaces or an " +
    'exception.',
  supersedes: ['ns.no-network-policy'],
  scope: 'namespace',
  evaluate(namespace, ctx) {
    return [defaultDenyResult(networkIndexOf(ctx), namespace, 'egress')];
  },
};
