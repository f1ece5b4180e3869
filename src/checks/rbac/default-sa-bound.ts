/**
 * No role is bound to a namespace's `default` ServiceAccount: every pod that names no
 * ServiceAccount runs as it, so a right granted to it is granted to all of them (and to
 * whoever can create a pod there). Read: the binding's subjects — a ServiceAccount named
 * `default`, its namespace from the subject or, in a RoleBinding, the binding's own — and
 * the roleRef it grants. A User subject spelled `system:serviceaccount:<ns>:default` counts
 * too. Fails naming each such account, whatever the role (even one that does not exist yet,
 * since creating it would take effect at once).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { describeSubject, parseServiceAccountUser } from '../../engine/rbac/subjects.js';
import { fail, PASS } from '../../engine/types.js';
import { BINDING_KINDS, bindingUnderCheck, NSA_AUTHZ } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.default-sa-bound',
  title: 'No role is bound to a default ServiceAccount',
  description:
    "Pods that name no ServiceAccount run as their namespace's default one, so any role bound to it is granted to " +
    'all of them, and its rights cannot be told apart in audit logs.',
  severity: 'medium',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: BINDING_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.5' }, NSA_AUTHZ],
  remediation:
    'Create a ServiceAccount for the workload that needs the role, bind the role to it, set serviceAccountName in the ' +
    'pod template, and remove the default ServiceAccount from the binding.',
  scope: 'object',
  evaluate(object, ctx) {
    const found = bindingUnderCheck(object, ctx);
    if ('status' in found) return found;
    const { node } = found;
    const defaults = node.subjects
      .map((b) => b.subject)
      .filter((s) =>
        s.kind === 'ServiceAccount' ? s.name === 'default' : s.kind === 'User' && parseServiceAccountUser(s.name)?.name === 'default',
      );
    if (defaults.length === 0) return PASS;
    const role = node.roleRef.name === '' ? 'its role' : `${node.roleRef.kind || 'role'} ${node.roleRef.name}`;
    return fail('DefaultServiceAccountBound', `binds ${role} to ${defaults.map(describeSubject).join(', ')}`);
  },
};
