/**
 * A ServiceAccount that holds dangerous rights is used by some pod. An account with such
 * rights that no workload runs as is either left over — rights nobody needs, a token that
 * may still be out there — or used from outside the cluster, which deserves a review.
 * Read: ServiceAccount objects; the bindings that name each account itself (not its
 * groups, whose rights every account of the namespace shares) and the rules of their
 * roles, judged with the same capabilities the `rbac.*` checks use (read Secrets, exec,
 * escalate/bind/impersonate, create pods, nodes/proxy, create tokens, approve CSRs, change
 * webhooks, or all verbs on all resources); and every Pod and pod template, whose
 * `serviceAccountName` (else `serviceAccount`, else `default`) counts as use. System
 * components (the controller-manager's accounts in kube-system, bound by `system:*`
 * bindings) are skipped: they are used without pods. Passes for accounts without dangerous
 * rights and for accounts in use.
 */
import type { ClusterCheck, ScopedResult } from '../../engine/check.js';
import { DANGEROUS_CAPABILITIES, isClusterAdminRule, ruleGrants } from '../../engine/rbac/capabilities.js';
import { describeRef, rbacGraphOf } from '../../engine/rbac/graph.js';
import { directGrants, isSystemComponent } from '../../engine/rbac/permissions.js';
import type { Subject } from '../../engine/rbac/subjects.js';
import { compareText } from '../../engine/rbac/subjects.js';
import { serviceAccountUsageOf } from '../../engine/rbac/usage.js';
import { fail, PASS } from '../../engine/types.js';

/** Ways in shown before "and N more". */
const SHOWN_GRANTS = 3;

export const check: ClusterCheck = {
  id: 'sa.privileged-unused',
  title: 'Privileged ServiceAccounts are used by a workload',
  description:
    'A ServiceAccount with powerful rights that no pod runs as is usually a leftover, or a credential used from ' +
    'outside the cluster. Either way its rights are unused by the workloads here and its tokens are a standing risk.',
  severity: 'medium',
  category: 'service-account',
  profiles: ['service-accounts'],
  kinds: ['ServiceAccount', 'RoleBinding', 'ClusterRoleBinding', 'Role', 'ClusterRole', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'PodTemplate'],
  frameworks: [{ framework: 'NSA-CISA', control: 'Authentication and authorization' }],
  remediation:
    'Delete the ServiceAccount and its bindings if nothing uses it; if something outside the cluster does, move it to ' +
    'a short-lived token (kubectl create token) and narrow its role.',
  scope: 'cluster',
  *evaluate(ctx): Iterable<ScopedResult> {
    const graph = rbacGraphOf(ctx);
    const used = serviceAccountUsageOf(ctx);
    for (const [namespace, accounts] of [...graph.serviceAccounts].sort((a, b) => compareText(a[0], b[0]))) {
      for (const name of [...accounts.keys()].sort()) {
        const subject: Subject = { kind: 'ServiceAccount', namespace, name };
        const resource = { apiVersion: 'v1', kind: 'ServiceAccount', namespace, name };
        if (isSystemComponent(graph, subject)) continue;
        const dangerous = new Map<string, Set<string>>();
        for (const grant of directGrants(graph, subject)) {
          const labels = DANGEROUS_CAPABILITIES.filter((c) => ruleGrants(grant.rule, c) !== undefined).map((c) => c.label);
          if (isClusterAdminRule(grant.rule)) labels.unshift('do anything');
          if (labels.length === 0) continue;
          const via = `${describeRef(grant.binding)} → ${describeRef(grant.role)}`;
          let set = dangerous.get(via);
          if (set === undefined) dangerous.set(via, (set = new Set()));
          for (const label of labels) set.add(label);
        }
        if (dangerous.size === 0 || used.has(`${namespace}/${name}`)) {
          yield { resource, outcome: PASS };
          continue;
        }
        const ways = [...dangerous].map(([via, labels]) => `${[...labels].join(', ')} (${via})`);
        const more = ways.length > SHOWN_GRANTS ? ` and ${ways.length - SHOWN_GRANTS} more` : '';
        yield {
          resource,
          outcome: fail(
            'PrivilegedServiceAccountUnused',
            `may ${ways.slice(0, SHOWN_GRANTS).join('; ')}${more}, but no pod or pod template in the inventory runs as it`,
          ),
        };
      }
    }
  },
};
