/**
 * Every workload is isolated for ingress: each of its pods (and its controller's pod
 * template) is selected by at least one NetworkPolicy in force with `Ingress` among its
 * policyTypes. A pod no such policy selects accepts connections from anywhere, whatever
 * other policies the namespace has. Read: Pods and the pod templates of Deployments,
 * StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and CronJobs
 * (`metadata.labels` of the pod or template), and the namespace's NetworkPolicies. One
 * result per workload (top-level owner), counting the pods it stands for; it passes when
 * every pod and template is selected.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { workloadIsolationResults } from '../../engine/network/isolation.js';
import { networkIndexOf, WORKLOAD_KINDS } from '../../engine/network/network-index.js';

export const check: NamespaceCheck = {
  id: 'net.pod-not-selected-ingress',
  title: 'Every workload is selected by an ingress NetworkPolicy',
  description:
    'A pod that no NetworkPolicy selects for Ingress is not isolated: every pod in the cluster and every address that ' +
    'routes to it can connect on any port, even when the rest of its namespace is locked down.',
  severity: 'medium',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy', 'Namespace', ...WORKLOAD_KINDS],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Select the workload with a NetworkPolicy whose policyTypes include Ingress and whose rules allow only the clients ' +
    'it serves, or add a default-deny ingress policy (podSelector: {}) to its namespace. `bulwark reach ' +
    'NAMESPACE/WORKLOAD` shows who can reach it today.',
  scope: 'namespace',
  evaluate(namespace, ctx) {
    return workloadIsolationResults(networkIndexOf(ctx), namespace, 'ingress');
  },
};
