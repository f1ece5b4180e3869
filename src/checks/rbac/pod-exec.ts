/**
 * Roles do not let anyone into running containers: `pods/exec`, `pods/attach` and
 * `pods/portforward` run commands in, attach to, or open ports of any pod the binding
 * reaches, with that pod's ServiceAccount token and mounted Secrets. Read: each rule's
 * verbs, apiGroups and resources with the API server's wildcard semantics; `create` and
 * `get` both count, since websocket connections were authorized as `get` until the
 * AuthorizePodWebsocketUpgradeCreatePermission gate. Passes when no rule grants them, or the
 * role is bound to no one but system components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { POD_EXEC } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.pod-exec',
  title: 'Roles do not grant exec, attach or port-forward into pods',
  description:
    'pods/exec, pods/attach and pods/portforward give a shell in, the terminal of, or network access to running ' +
    'containers, and with it their ServiceAccount tokens and mounted Secrets, bypassing everything admission checked.',
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [NSA_AUTHZ, { framework: 'MITRE', control: 'T1609' }],
  remediation:
    'Remove pods/exec, pods/attach and pods/portforward from the role; grant them to operators through a separate, ' +
    'audited role bound only when needed.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, POD_EXEC, 'PodExec');
  },
};
