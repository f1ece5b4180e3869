/**
 * Workloads live in a namespace of their own, not in `default`: `default` is where anything
 * created without thought lands, so it tends to collect broad RoleBindings and no
 * NetworkPolicies or Pod Security labels, and nothing separates one application from
 * another there. Read: `metadata.namespace` of the Pod or workload. Fails in `default`;
 * a manifest that sets no namespace is skipped, because `kubectl apply -n` decides it.
 */
import type { PodCheck } from '../../engine/check.js';
import { namespaceOf } from '../../engine/objects.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { fail, PASS, skip } from '../../engine/types.js';

const DEFAULT_NAMESPACE = 'default';

export const check: PodCheck = {
  id: 'workload.default-namespace',
  title: 'Workloads are not in the default namespace',
  description:
    'The default namespace collects whatever is created without a namespace, usually without NetworkPolicies, Pod ' +
    'Security labels or scoped RBAC. Workloads belong in namespaces that set those boundaries.',
  severity: 'low',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'CIS', control: '5.7.4' },
    { framework: 'NSA-CISA', control: 'Network separation: namespaces' },
  ],
  remediation:
    'Create a namespace for the application (with Pod Security labels, NetworkPolicies and its own RBAC) and deploy ' +
    'the workload there.',
  scope: 'pod',
  evaluate(pod) {
    const namespace = namespaceOf(pod.holder);
    if (namespace === undefined) return skip('the manifest sets no namespace');
    return namespace === DEFAULT_NAMESPACE ? fail('DefaultNamespace', 'runs in the default namespace') : PASS;
  },
};
