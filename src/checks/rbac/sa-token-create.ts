/**
 * Roles do not let anyone mint ServiceAccount tokens: `create` on `serviceaccounts/token`
 * issues a token for a ServiceAccount, and with it all of that account's rights. Read: each
 * rule's verbs, apiGroups, resources and resourceNames with the API server's wildcard
 * semantics (`*` and `* /token`, without the space, count); a rule limited by resourceNames
 * fails too, naming the accounts. Passes when no rule grants it, or the role is bound to no
 * one but system components (the kubelet and controller-manager legitimately hold it).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { SA_TOKEN_CREATE } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.sa-token-create',
  title: 'Roles do not grant creating ServiceAccount tokens',
  description:
    'create on serviceaccounts/token issues a bearer token for a ServiceAccount, so the holder can act as that ' +
    'account, with all its rights, from anywhere the API server is reachable and for as long as the token lives.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.13' }, NSA_AUTHZ],
  remediation:
    'Remove create on serviceaccounts/token from the role; where a tool must issue tokens, limit the rule to the ' +
    'accounts it serves with resourceNames.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, SA_TOKEN_CREATE, 'ServiceAccountTokenCreate');
  },
};
