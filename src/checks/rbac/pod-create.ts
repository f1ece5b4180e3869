/**
 * Roles do not let anyone create pods or pod controllers (Deployments, ReplicaSets,
 * StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers): whoever creates a pod
 * chooses its ServiceAccount and so holds the rights of every ServiceAccount in the
 * namespace, and can mount its Secrets. Read: each rule's verbs, apiGroups and resources
 * with the API server's wildcard semantics; only `create` counts, since `create` requests
 * carry no name, a rule limited by resourceNames never allows one. Passes when no rule
 * grants it, or the role is bound to no one but system components. `rbac.escalation-path`
 * reports which ServiceAccounts a creator can actually become.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { describeMatch, POD_CREATE, ruleGrants } from '../../engine/rbac/capabilities.js';
import { evaluateRoleRules, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.pod-create',
  title: 'Roles do not grant creating pods or pod controllers',
  description:
    "Creating a pod, or a controller that creates pods, picks the pod's ServiceAccount, so the creator gains the rights " +
    'of every ServiceAccount in the namespace and can mount any of its Secrets and volumes.',
  severity: 'medium',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.4' }, NSA_AUTHZ],
  remediation:
    'Grant create on pods and workload controllers only to deployment pipelines and operators that need it, in the ' +
    'namespaces they deploy to, and keep privileged ServiceAccounts out of those namespaces.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleRules(object, ctx, 'PodCreate', (rule) => {
      // The API server never matches a create against a name-limited rule.
      if (rule.resourceNames.length > 0) return undefined;
      const match = ruleGrants(rule, POD_CREATE);
      return match === undefined ? undefined : `grants ${describeMatch(match)}`;
    });
  },
};
