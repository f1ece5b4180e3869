/**
 * Shared fixtures for the rbac table tests: a compliant role bound to one ServiceAccount,
 * changed in one place per case, and the table runner every file uses.
 */
import assert from 'node:assert/strict';
import type { ClusterCheck, ObjectCheck, Params } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome, ResourceRef } from '../../../src/engine/types.js';
import { runClusterCheck, runObjectCheck } from '../../support/check-harness.js';
import type { RuleSpec, SubjectSpec } from '../../engine/rbac/objects.js';
import { clusterRole, clusterRoleBinding, role, roleBinding, rule, sa, serviceAccount } from '../../engine/rbac/objects.js';

export { clusterRole, clusterRoleBinding, group, role, roleBinding, rule, sa, serviceAccount, urlRule, user } from '../../engine/rbac/objects.js';
export { CLUSTER_ADMIN, namespace, pod } from '../../engine/rbac/objects.js';

/** What the compliant role grants: reading ConfigMaps. */
export const HARMLESS = rule('get,list', 'configmaps');

/** Role shop/app with `rules`, bound by RoleBinding shop/app to ServiceAccount shop/app. */
export function boundRole(rules: readonly RuleSpec[], subjects: readonly SubjectSpec[] = [sa('shop', 'app')]): Fixture {
  return {
    subject: role('shop', 'app', rules),
    objects: [roleBinding('shop', 'app', { kind: 'Role', name: 'app' }, subjects), serviceAccount('shop', 'app')],
  };
}

/** ClusterRole app with `rules`, bound by ClusterRoleBinding app to ServiceAccount shop/app. */
export function boundClusterRole(rules: readonly RuleSpec[], subjects: readonly SubjectSpec[] = [sa('shop', 'app')]): Fixture {
  return {
    subject: clusterRole('app', rules),
    objects: [clusterRoleBinding('app', 'app', subjects), serviceAccount('shop', 'app')],
  };
}

/** A role or binding under test with the objects around it. */
export interface Fixture {
  readonly subject: KubeObject;
  readonly objects: readonly KubeObject[];
}

export interface ObjectCase {
  readonly name: string;
  readonly subject: KubeObject;
  /** Other objects in the cluster. */
  readonly objects?: readonly KubeObject[];
  readonly params?: Params;
  readonly expected: CheckOutcome;
}

/** One `describe` per check, one `it` per row. */
export function objectTable(check: ObjectCheck, cases: readonly ObjectCase[]): void {
  describe(check.id, () => {
    for (const c of cases) {
      it(c.name, () => {
        const options = { objects: c.objects ?? [], ...(c.params !== undefined ? { params: c.params } : {}) };
        assert.deepEqual(runObjectCheck(check, c.subject, options), c.expected);
      });
    }
  });
}

export interface ClusterCase {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly params?: Params;
  /** Results that are not `pass`, by resource: `ServiceAccount shop/app` or `User alice`. */
  readonly expected: Readonly<Record<string, CheckOutcome>>;
  /** How many results pass (the rest of the subjects analysed). */
  readonly passing?: number;
}

export function resourceLabel(ref: ResourceRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export function clusterTable(check: ClusterCheck, cases: readonly ClusterCase[]): void {
  describe(check.id, () => {
    for (const c of cases) {
      it(c.name, () => {
        const results = runClusterCheck(check, { objects: c.objects, ...(c.params !== undefined ? { params: c.params } : {}) });
        const failing = Object.fromEntries(
          results.filter((r) => r.outcome.status !== 'pass').map((r) => [resourceLabel(r.resource), r.outcome]),
        );
        assert.deepEqual(failing, c.expected);
        if (c.passing !== undefined) assert.equal(results.filter((r) => r.outcome.status === 'pass').length, c.passing);
      });
    }
  });
}

export type { RuleSpec, SubjectSpec };
