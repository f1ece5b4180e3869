/**
 * Roles do not let anyone change admission webhooks: creating, updating, patching or
 * deleting a MutatingWebhookConfiguration or ValidatingWebhookConfiguration lets a subject
 * rewrite every object the API server admits (inject containers, strip security contexts) or
 * switch off the policy engines that validate them. Read: each rule's verbs, apiGroups and
 * resources with the API server's wildcard semantics. Webhook configurations are
 * cluster-scoped, so only ClusterRoleBindings make a rule count. Passes when no rule grants
 * those verbs, or no ClusterRoleBinding binds the role to anyone but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { ADMISSION_WEBHOOKS } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.admission-webhooks',
  title: 'Roles do not grant changing admission webhooks',
  description:
    'A mutating webhook sees and may rewrite every object it selects before it is stored, and deleting a validating ' +
    'webhook switches off the policies it enforces. Whoever may change webhook configurations controls admission.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.12' }, NSA_AUTHZ],
  remediation:
    'Remove create, update, patch and delete on mutatingwebhookconfigurations and validatingwebhookconfigurations ' +
    'from the role; leave them to cluster administrators and the operators that own those webhooks, by resourceNames.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, ADMISSION_WEBHOOKS, 'AdmissionWebhooks', true);
  },
};
