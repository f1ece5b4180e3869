/**
 * Nothing beyond discovery is bound to everyone: `system:anonymous` (the user of every
 * request without credentials), `system:unauthenticated` (its group) and
 * `system:authenticated` (every user and ServiceAccount that has any credential at all).
 * Read: the binding's subjects and the rules of its role. The bootstrap policy binds three
 * roles to these groups (`system:discovery`, `system:basic-user`,
 * `system:public-info-viewer`); their rules — `get` on the discovery, health, version and
 * OIDC URLs, and `create` on the self-review APIs — are judged by content, not by name, so a
 * default cluster passes and an edited bootstrap role does not. Fails naming the subject
 * and the first rules beyond that. A binding whose role does not exist passes here
 * (`rbac.dangling-binding` reports it).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { describeRef } from '../../engine/rbac/graph.js';
import type { PolicyRule } from '../../engine/rbac/rules.js';
import { describeRule } from '../../engine/rbac/rules.js';
import { describeSubject, isPublicSubject } from '../../engine/rbac/subjects.js';
import { fail, PASS } from '../../engine/types.js';
import { BINDING_KINDS, bindingUnderCheck, NSA_AUTHZ } from './role-grants.js';

/** What the bootstrap policy lets everyone read. */
const DISCOVERY_URLS = new Set([
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/readyz',
  '/version',
  '/version/',
  '/openapi',
  '/openapi/*',
  '/.well-known/openid-configuration',
  '/openid/v1/jwks',
]);

const SELF_REVIEWS: Readonly<Record<string, readonly string[]>> = {
  'authorization.k8s.io': ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  'authentication.k8s.io': ['selfsubjectreviews'],
};

function isDiscovery(rule: PolicyRule): boolean {
  if (rule.verbs.length === 0) return true;
  if (rule.resources.length === 0) {
    return rule.verbs.every((v) => v === 'get') && rule.nonResourceURLs.every((u) => DISCOVERY_URLS.has(u));
  }
  return (
    rule.nonResourceURLs.length === 0 &&
    rule.verbs.every((v) => v === 'create') &&
    rule.apiGroups.every((group) => {
      const allowed = Object.hasOwn(SELF_REVIEWS, group) ? SELF_REVIEWS[group] : undefined;
      return allowed !== undefined && rule.resources.every((r) => allowed.includes(r));
    })
  );
}

/** Rules shown before "and N more". */
const SHOWN_RULES = 3;

export const check: ObjectCheck = {
  id: 'rbac.anonymous-binding',
  title: 'Nothing beyond discovery is granted to anonymous or all authenticated users',
  description:
    'system:anonymous and system:unauthenticated are anyone who can reach the API server; system:authenticated is ' +
    'every user and every ServiceAccount in every namespace. A role bound to them is granted to all of those at once.',
  severity: 'critical',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: BINDING_KINDS,
  frameworks: [NSA_AUTHZ],
  remediation:
    'Bind the role to the users, groups or ServiceAccounts that need it instead, and remove system:anonymous, ' +
    'system:unauthenticated and system:authenticated from the binding.',
  scope: 'object',
  evaluate(object, ctx) {
    const found = bindingUnderCheck(object, ctx);
    if ('status' in found) return found;
    const { node } = found;
    const everyone = node.subjects.map((b) => b.subject).filter(isPublicSubject);
    if (everyone.length === 0 || node.role === undefined) return PASS;
    const beyond = node.role.rules.flatMap((rule, index) => (isDiscovery(rule) ? [] : [`rules[${index}] ${describeRule(rule)}`]));
    if (beyond.length === 0) return PASS;
    const shown = beyond.slice(0, SHOWN_RULES).join('; ');
    const more = beyond.length > SHOWN_RULES ? ` and ${beyond.length - SHOWN_RULES} more` : '';
    return fail(
      'PublicBinding',
      `binds ${describeRef(node.role.ref)} to ${everyone.map(describeSubject).join(', ')}, granting more than discovery: ${shown}${more}`,
    );
  },
};
