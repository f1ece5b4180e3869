/**
 * cluster-admin, or any role that grants every verb on every resource of every API group
 * (`*` / `*` / `*` with no resourceNames), is bound only to system components. Read: the
 * binding's roleRef and subjects, and the rules of the role it references (aggregated
 * ClusterRoles resolved). `ClusterRole cluster-admin` counts by name even when the inventory
 * does not hold it (the API server always does). A RoleBinding counts too: it makes the
 * subject an administrator of everything in the namespace, its RBAC and Secrets included.
 * System components (subjects.ts) pass, `system:masters` for one; so do subjects listed in
 * `allowedSubjects`, written `User:name`, `Group:name` or `ServiceAccount:namespace/name`.
 * Fails naming every other subject.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { isClusterAdminRule } from '../../engine/rbac/capabilities.js';
import { describeRef } from '../../engine/rbac/graph.js';
import { describeSubject, isSystemSubject, subjectKey } from '../../engine/rbac/subjects.js';
import { fail, PASS } from '../../engine/types.js';
import { BINDING_KINDS, bindingUnderCheck, NSA_AUTHZ } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.cluster-admin-binding',
  title: 'cluster-admin is bound only to system components',
  description:
    'cluster-admin, and any role granting every verb on every resource, gives unrestricted control of the cluster ' +
    '(or, through a RoleBinding, of a namespace). Day-to-day users, CI pipelines and workloads should hold roles ' +
    'scoped to their job.',
  severity: 'critical',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: BINDING_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.1' }, NSA_AUTHZ],
  remediation:
    'Bind a narrower role (admin or edit in one namespace, or a role of your own), keep cluster-admin for break-glass ' +
    'access, and delete the binding: kubectl delete clusterrolebinding NAME.',
  params: {
    allowedSubjects: {
      type: 'string[]',
      description: 'Subjects accepted as administrators: User:name, Group:name or ServiceAccount:namespace/name.',
      default: [],
    },
  },
  scope: 'object',
  evaluate(object, ctx) {
    const found = bindingUnderCheck(object, ctx);
    if ('status' in found) return found;
    const { node } = found;
    const byName = node.roleRef.kind === 'ClusterRole' && node.roleRef.name === 'cluster-admin';
    const equivalent = node.role?.rules.some(isClusterAdminRule) ?? false;
    if (!byName && !equivalent) return PASS;
    const allowed = ctx.params['allowedSubjects'];
    const accepted = new Set(Array.isArray(allowed) ? allowed : []);
    const subjects = node.subjects
      .map((bound) => bound.subject)
      .filter((subject) => !isSystemSubject(subject, { name: node.ref.name, roleName: node.roleRef.name }))
      .filter((subject) => !accepted.has(subjectKey(subject)));
    if (subjects.length === 0) return PASS;
    const role = node.role === undefined ? `ClusterRole ${node.roleRef.name}` : describeRef(node.role.ref);
    const what = byName ? role : `${role} (all verbs on all resources)`;
    const where = node.ref.namespace === undefined ? 'cluster-wide' : `in namespace ${node.ref.namespace}`;
    return fail('ClusterAdminBound', `binds ${what} ${where} to ${subjects.map(describeSubject).join(', ')}`);
  },
};
