/**
 * Roles do not grant `nodes/proxy`: it reaches the kubelet API of every node, which runs
 * commands in any container on it, bypassing admission and, for most endpoints, the API
 * server's audit log. Read: each rule's verbs, apiGroups and resources with the API server's
 * wildcard semantics (`*` and `* /proxy`, written without the space, count); every verb
 * counts, since the kubelet maps its HTTP methods onto them and exec needs only `get` on
 * some versions. Nodes are cluster-scoped, so only ClusterRoleBindings make the rule count.
 * Passes when no rule grants it, or no ClusterRoleBinding binds the role to anyone but system
 * components.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { NODES_PROXY } from '../../engine/rbac/capabilities.js';
import { evaluateRoleCapability, INCLUDE_UNBOUND, NSA_AUTHZ, ROLE_KINDS } from './role-grants.js';

export const check: ObjectCheck = {
  id: 'rbac.nodes-proxy',
  title: 'Roles do not grant nodes/proxy',
  description:
    "nodes/proxy forwards requests to the kubelet API of any node, which can run commands in every container on it; " +
    "those requests skip admission control and the API server's audit of what was run.",
  severity: 'high',
  category: 'rbac',
  profiles: ['rbac'],
  kinds: ROLE_KINDS,
  frameworks: [{ framework: 'CIS', control: '5.1.10' }, NSA_AUTHZ],
  remediation:
    'Remove nodes/proxy from the role. Monitoring agents that read kubelet metrics or pod lists should use the ' +
    'fine-grained nodes/metrics, nodes/stats, nodes/pods or nodes/healthz subresources instead.',
  params: INCLUDE_UNBOUND,
  scope: 'object',
  evaluate(object, ctx) {
    return evaluateRoleCapability(object, ctx, NODES_PROXY, 'NodesProxy', true);
  },
};
