/**
 * Roles do not let anyone approve CertificateSigningRequests: `update` (or `patch`) on
 * `certificatesigningrequests/approval` together with `approve` on a signer lets a subject
 * approve its own CSR for, say, a client certificate in `system:masters` or a node's
 * identity. Read: each rule's verbs, apiGroups, resources and resourceNames. A role fails
 * when a rule grants the approval subresource and a subject bound to it can also approve for
 * some signer — through this role or any other ClusterRoleBinding (signers are
 * cluster-scoped), which is why the check reads the whole RBAC graph; the approval
 * subresource alone approves nothing. Passes otherwise, and
 * when the role is bound to no one but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { CSR_APPROVAL, describeMatch, ruleGrants, SIGNER_APPROVE } from '../../engine/rbac/capabilities.js';
import { permissionsOf } from '../../engine/rbac/permissions.js';
import { identityOf } from '../../engine/rbac/subjects.js';
import { fail, PASS } from '../../engine/types.js';
import { boundSubjects, describeBound, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS, roleUnderCheck, ruleLabel } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.csr-approve',
  title: 'Roles do not grant approving certificate signing requests',
  description:
    'Approving a CertificateSigningRequest lets the approver mint client certificates the cluster trusts, for any ' +
    'user or group the signer allows (system:masters through the legacy signers, node identities through the ' +
    'kubelet signers). It needs update on certificatesigningrequests/approval and approve on the signer.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.11' }, NSA_AUTHZ],
  remediation:
    'Remove update and patch on certificatesigningrequests/approval from the role, or limit approve on signers to ' +
    'the one signer the approving controller serves, by resourceNames.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    const found = roleUnderCheck(object, ctx);
    if ('status' in found) return found;
    const { graph, node } = found;
    const hits = node.rules.flatMap((rule, index) => {
      const match = ruleGrants(rule, CSR_APPROVAL);
      return match === undefined ? [] : [`${ruleLabel(node, index)} grants ${describeMatch(match)}`];
    });
    if (hits.length === 0) return PASS;
    const bound = boundSubjects(graph, node, true);
    const approvers = bound.filter(({ subject }) => {
      // Signers are cluster-scoped: only ClusterRoleBindings can grant approve on them.
      const { cluster } = permissionsOf(graph, identityOf(subject));
      return cluster.some((grant) => ruleGrants(grant.rule, SIGNER_APPROVE) !== undefined);
    });
    if (approvers.length > 0) {
      return fail('CSRApproval', `${hits.join('; ')}; bound to ${describeBound(approvers)}, who can also approve for a signer`);
    }
    if (ctx.params['includeUnbound'] === true) {
      return fail('CSRApproval', `${hits.join('; ')}; no subject bound to it can approve for a signer yet`);
    }
    return PASS;
  },
};
