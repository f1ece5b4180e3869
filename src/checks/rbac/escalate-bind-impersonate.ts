/**
 * Roles do not grant the verbs that step around RBAC itself: `bind` and `escalate` on roles
 * and clusterroles (grant or write permissions one does not hold), and `impersonate` on
 * users, groups, serviceaccounts or uids (act as someone else, `system:masters` included).
 * Read: each rule's verbs, apiGroups, resources and resourceNames with the API server's
 * wildcard semantics, so `*` verbs on `*` resources count. Passes when no rule grants them,
 * or the role is bound to no one but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { ESCALATE_BIND_IMPERSONATE } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.escalate-bind-impersonate',
  title: 'Roles do not grant escalate, bind or impersonate',
  description:
    'escalate lets a subject write roles with permissions it lacks, bind lets it bind roles it does not hold, and ' +
    'impersonate lets it act as another user, group or ServiceAccount, system:masters included. Each defeats the ' +
    "API server's protection against privilege escalation.",
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.8' }, NSA_AUTHZ],
  remediation:
    'Remove escalate, bind and impersonate from the role. Where a controller must bind roles, limit bind to the ' +
    'roles it hands out with resourceNames; where impersonation is needed, limit it to named users or groups.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, ESCALATE_BIND_IMPERSONATE, 'EscalateBindImpersonate');
  },
};
