/**
 * A NetworkPolicy selects something: its `spec.podSelector` matches the labels of at least
 * one Pod or controller pod template in its namespace. A policy that selects nothing has no
 * effect, which usually means a typo in a label or a policy left behind by a removed
 * application. Read: `spec.podSelector` and the labels of the namespace's Pods and pod
 * templates. Passes when some pod or template matches (an empty selector matches all);
 * skipped when the inventory holds no pod or workload in the namespace, since the answer
 * cannot be known from it, and for policies the API server would reject.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { networkIndexOf } from '../../engine/network/network-index.js';
import { compileNetworkPolicy, describeSelector } from '../../engine/network/network-policy.js';
import { fail, PASS, skip } from '../../engine/types.js';

export const check: ObjectCheck = {
  id: 'net.policy-selects-nothing',
  title: 'NetworkPolicies select at least one pod',
  description:
    'A NetworkPolicy whose podSelector matches no pod in its namespace protects nothing. It is usually a label typo, ' +
    'so the workload it was meant for is not isolated at all, or a leftover from an application that is gone.',
  severity: 'low',
  category: 'network',
  profiles: ['network'],
  kinds: ['NetworkPolicy'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Network separation and hardening' }],
  remediation:
    'Fix spec.podSelector to match the labels of the pods it is meant for (compare with `kubectl get pods ' +
    '--show-labels`), or delete the policy if its workload is gone.',
  scope: 'object',
  evaluate(object, ctx) {
    if (object.kind !== 'NetworkPolicy') return skip('not a NetworkPolicy');
    const policy = compileNetworkPolicy(object);
    if (policy.diagnostics.length > 0) {
      return skip('the API server would reject this NetworkPolicy (net.policy-invalid reports why)');
    }
    if (policy.podSelector.empty) return PASS;
    const workloads = networkIndexOf(ctx).workloads(policy.namespace);
    if (workloads.length === 0) {
      return skip(
        `the inventory holds no pod or workload in namespace "${policy.namespace}", so what the policy selects cannot be judged`,
      );
    }
    const matched = workloads.some((w) => w.members.some((m) => policy.podSelector.matches(m.labels)));
    if (matched) return PASS;
    return fail(
      'SelectsNothing',
      `spec.podSelector "${describeSelector(policy.podSelector)}" matches no pod or pod template in namespace ` +
        `"${policy.namespace}" (${workloads.length} workload${workloads.length === 1 ? '' : 's'} there): the policy has no effect`,
    );
  },
};
