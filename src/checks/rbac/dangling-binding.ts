/**
 * Bindings reference a role and ServiceAccounts that exist. A binding to a missing role
 * grants nothing today, but whoever later creates a role of that name decides what it
 * grants; a binding to a missing ServiceAccount hands its rights to whoever creates that
 * account. Read: `roleRef` (kind, name: a Role in the binding's namespace, or a ClusterRole;
 * a ClusterRoleBinding may not reference a Role) and `subjects` (kind User, Group or
 * ServiceAccount with a name; a ServiceAccount's namespace, which a ClusterRoleBinding must
 * give). A ServiceAccount exists when the inventory holds it or it is `default` (every
 * namespace has one); the bootstrap ClusterRoles (`cluster-admin`, `admin`, `edit`, `view`
 * and `system:*`) exist on every cluster, in the inventory or not. The bootstrap policy
 * binds an account for every controller the controller-manager may run, which creates the
 * account only when it starts that controller, so missing system components (subjects.ts:
 * kube-system accounts bound by `system:*` bindings) are not reported. Fails listing every
 * problem.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { serviceAccountExists } from '../../engine/rbac/graph.js';
import { isSystemSubject } from '../../engine/rbac/subjects.js';
import { fail, PASS } from '../../engine/types.js';
import { BINDING_KINDS, bindingUnderCheck, NSA_AUTHZ } from './role-grants.js';

const BOOTSTRAP_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);

function isBootstrapClusterRole(name: string): boolean {
  return BOOTSTRAP_ROLES.has(name) || name.startsWith('system:');
}

export const check: ObjectCheck = {
  id: 'rbac.dangling-binding',
  title: 'Bindings reference a role and ServiceAccounts that exist',
  description:
    'A binding to a role or ServiceAccount that does not exist is a loaded grant: whoever later creates a role of ' +
    'that name decides what the binding grants, and whoever creates the ServiceAccount receives its rights.',
  severity: 'medium',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: BINDING_KINDS,
  frameworks: [NSA_AUTHZ],
  remediation: 'Delete the binding, or correct its roleRef or subjects to name objects that exist.',
  scope: 'object',
  evaluate(object, ctx) {
    const found = bindingUnderCheck(object, ctx);
    if ('status' in found) return found;
    const { graph, node } = found;
    const problems: string[] = [];
    const bootstrap = node.roleRef.kind === 'ClusterRole' && isBootstrapClusterRole(node.roleRef.name);
    if (node.roleProblem !== undefined && !bootstrap) problems.push(node.roleProblem);
    problems.push(...node.subjectProblems);
    for (const { subject, index } of node.subjects) {
      if (subject.kind !== 'ServiceAccount' || subject.namespace === undefined) continue;
      if (isSystemSubject(subject, { name: node.ref.name, roleName: node.roleRef.name })) continue;
      if (!serviceAccountExists(graph, subject.namespace, subject.name)) {
        problems.push(`subjects[${index}] ServiceAccount ${subject.namespace}/${subject.name} does not exist`);
      }
    }
    return problems.length === 0 ? PASS : fail('DanglingReference', problems.join('; '));
  },
};
