/**
 * Every workload is isolated for egress: each of its pods (and its controller's pod
 * template) is selected by at least one NetworkPolicy in force with `Egress` among its
 * policyTypes. A pod no such policy selects may connect anywhere. Read: Pods and the pod
 * templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers,
 * Jobs and CronJobs (`metadata.labels` of the pod or template), and the namespace's
 * NetworkPolicies. One result per workload (top-level owner), counting the pods it stands
 * for; it passes when every pod and template is selected.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { workloadIsolationResults } from '../../engine/network/isolation.js';
import { networkIndexOf, WORKLOAD_KINDS } from '../../engine/network/network-index.js';

export const check: NamespaceCheck = {
  id: 'net.pod-not-selected-egress',
  title: 'Every workload is selected by an egress NetworkPolicy',
  description:
    'A pod that no NetworkPolicy selects for Egress may connect to every pod in the cluster, the cloud metadata ' +
    'service and the internet, which is how a compromised container spreads and sends data out.',
  severity: 'low',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy', 'Namespace', ...WORKLOAD_KINDS],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Select the workload with a NetworkPolicy whose policyTypes include Egress and whose rules allow only the ' +
    'destinations it needs (DNS, its databases and APIs), or add a default-deny egress policy (podSelector: {}) to ' +
    'its namespace. `bulwark reach NAMESPACE/WORKLOAD` shows where it may connect today.',
  scope: 'namespace',
  evaluate(namespace, ctx) {
    return workloadIsolationResults(networkIndexOf(ctx), namespace, 'egress');
  },
};
