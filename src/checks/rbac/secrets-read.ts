/**
 * Roles do not let anyone read Secrets: `get`, `list` or `watch` on `secrets` in the core
 * group hands out every credential the namespace (or, through a ClusterRoleBinding, the
 * cluster) holds — and a `list` returns the values, not just the names. Read: each rule's
 * verbs, apiGroups, resources and resourceNames, with the API server's wildcard semantics
 * (`*` verbs, groups or resources count); rules aggregated into a ClusterRole count as its
 * own. A rule limited by resourceNames still fails, naming the Secrets. Passes when no rule
 * grants those verbs, or the role is bound to no one but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { SECRETS_READ } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.secrets-read',
  title: 'Roles do not grant read access to Secrets',
  description:
    'get, list or watch on Secrets exposes every password, key and token stored in them, ServiceAccount tokens ' +
    'included, and list returns the values themselves. Few subjects need it; a compromised one with it holds the ' +
    "namespace's credentials.",
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.2' }, NSA_AUTHZ],
  remediation:
    'Remove get, list and watch on secrets from the role; where a workload needs one Secret, mount it or limit the ' +
    'rule to that Secret with resourceNames and the get verb only.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, SECRETS_READ, 'SecretsRead');
  },
};
