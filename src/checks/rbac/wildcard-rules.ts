/**
 * Roles name what they grant: a `*` in verbs, apiGroups or resources (or a `*` followed by
 * `/subresource`, which matches that subresource of every resource) grants everything that
 * exists now and everything added later — new verbs, new CRDs and their subresources.
 * Read: each rule's verbs, apiGroups and resources, aggregated rules included. `*` in
 * nonResourceURLs is left to the other checks (it reaches only URLs such as /metrics), and
 * `pods/*` is no wildcard to the API server. Passes when no rule uses one, or the role is
 * bound to no one but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import type { PolicyRule } from '../../engine/rbac/rules.js';
import { ALL } from '../../engine/rbac/rules.js';
import { evaluateRoleRules, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

function wildcards(rule: PolicyRule): string | undefined {
  const fields: string[] = [];
  if (rule.verbs.includes(ALL)) fields.push('verbs');
  if (rule.apiGroups.includes(ALL)) fields.push('apiGroups');
  if (rule.resources.some((r) => r === ALL || r.startsWith('*/'))) fields.push('resources');
  return fields.length === 0 ? undefined : `uses * in ${fields.join(', ')}`;
}

export const check: ObjectCheck = {
  id: 'rbac.wildcard-rules',
  title: 'Roles do not use wildcards in verbs, resources or API groups',
  description:
    'A wildcard grants every verb, resource or API group, including those added later by upgrades and CRDs, so a ' +
    'role written for today silently grows. Explicit lists keep permissions reviewable.',
  severity: 'medium',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.3' }, NSA_AUTHZ],
  remediation: 'Replace * with the verbs, resources and API groups the subject needs (kubectl api-resources lists them).',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleRules(object, ctx, 'WildcardRule', wildcards);
  },
};
