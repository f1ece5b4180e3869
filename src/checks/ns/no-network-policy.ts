/**
 * Every namespace that runs workloads has at least one NetworkPolicy in force. Without
 * one, nothing isolates any of its pods: each accepts connections from anywhere and may
 * connect anywhere. Read: the namespace's Pods and controller pod templates, and its
 * NetworkPolicies (policies the API server would reject do not count). Passes with one
 * policy or more; skipped for a namespace without pods or workloads. The `net.default-deny-*`
 * checks ask the stricter question and supersede this one where they run.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { invalidPolicies, policiesInForce } from '../../engine/network/isolation.js';
import { namespaceRef, networkIndexOf, WORKLOAD_KINDS } from '../../engine/network/network-index.js';
import { fail, PASS, skip } from '../../engine/types.js';

export const check: NamespaceCheck = {
  id: 'ns.no-network-policy',
  title: 'Namespaces with workloads have NetworkPolicies',
  description:
    'A namespace without any NetworkPolicy leaves every pod in it open to every other pod in the cluster and free to ' +
    'connect anywhere, so one compromised pod anywhere reaches all of them.',
  severity: 'medium',
  category: 'namespace',
  profiles: ['namespaces', 'network'],
  kinds: ['Namespace', 'NetworkPolicy', ...WORKLOAD_KINDS],
  frameworks: [
    { framework: 'CIS', control: '5.3.2' },
    { framework: 'NSA-CISA', control: 'Network separation and hardening' },
  ],
  remediation:
    'Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) and policies that allow what ' +
    "each workload needs. System namespaces such as kube-system are usually left out with the policy's " +
    'excludeNamespaces or an exception.',
  scope: 'namespace',
  evaluate(namespace, ctx) {
    const index = networkIndexOf(ctx);
    const resource = index.namespaces.get(namespace)?.ref ?? namespaceRef(namespace);
    const workloads = index.workloads(namespace);
    if (workloads.length === 0)
      return [{ resource, outcome: skip(`namespace "${namespace}" has no pods or workloads`) }];
    if (policiesInForce(index, namespace).length > 0) return [{ resource, outcome: PASS }];
    const invalid = invalidPolicies(index, namespace).length;
    const note =
      invalid > 0
        ? ` (${invalid} NetworkPolic${invalid === 1 ? 'y' : 'ies'} the API server would reject do${invalid === 1 ? 'es' : ''} not count)`
        : '';
    const pods = workloads.reduce((n, w) => n + w.members.filter((m) => m.isPod).length, 0);
    const podsText = pods > 0 ? ` (${pods} pod${pods === 1 ? '' : 's'})` : '';
    return [
      {
        resource,
        outcome: fail(
          'NoNetworkPolicy',
          `namespace "${namespace}" runs ${workloads.length} workload${workloads.length === 1 ? '' : 's'}${podsText} ` +
            `and has no NetworkPolicy${note}: every pod accepts connections from anywhere and may connect anywhere`,
        ),
      },
    ];
  },
};
