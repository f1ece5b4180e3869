/**
 * The API server's own bootstrap policy (v1.36.3, captured from the local control plane
 * into fixtures/bootstrap-v1.36.3.json): aggregation resolved from selectors gives exactly
 * the rules the aggregation controller wrote, a few answers the API server gives, and no
 * rbac.* or sa.privileged-unused finding on a cluster nobody has touched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rbacChecks } from '../../../src/checks/rbac/index.js';
import { check as privilegedUnused } from '../../../src/checks/sa/privileged-unused.js';
import type { Check } from '../../../src/engine/check.js';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { AccessRequest } from '../../../src/engine/rbac/authorize.js';
import { authorize } from '../../../src/engine/rbac/authorize.js';
import { buildRbacGraph } from '../../../src/engine/rbac/graph.js';
import { ruleKey, rulesOf } from '../../../src/engine/rbac/rules.js';
import { contextFor } from '../../support/check-harness.js';

const BOOTSTRAP = (JSON.parse(readFileSync(new URL('fixtures/bootstrap-v1.36.3.json', import.meta.url), 'utf8')) as { items: KubeObject[] }).items;

describe('rbac on the bootstrap policy', () => {
  it('resolves admin, edit and view from their selectors exactly as the controller did', () => {
    const stripped = BOOTSTRAP.map((o) => (o['aggregationRule'] !== undefined ? { ...o, rules: [] } : o));
    const graph = buildRbacGraph(new Inventory(stripped));
    const aggregated = BOOTSTRAP.filter((o) => o['aggregationRule'] !== undefined);
    assert.deepEqual(aggregated.map((o) => o.metadata?.name).sort(), ['admin', 'edit', 'view']);
    for (const live of aggregated) {
      const mine = graph.roles.get(`ClusterRole:${live.metadata?.name ?? ''}`)?.rules.map(ruleKey);
      assert.deepEqual(mine, rulesOf(live['rules']).map(ruleKey), String(live.metadata?.name));
    }
  });

  const graph = buildRbacGraph(new Inventory(BOOTSTRAP));
  const answers: [string, AccessRequest, boolean][] = [
    ['the scheduler binds pods', { user: 'system:kube-scheduler', verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'shop' }, true],
    ['the scheduler reads no secrets', { user: 'system:kube-scheduler', verb: 'get', resource: 'secrets', namespace: 'shop' }, false],
    ['anyone reads /healthz', { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', path: '/healthz' }, true],
    ['anonymous reads no /metrics', { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', path: '/metrics' }, false],
    ['authenticated users review their own access', { user: 'alice', groups: ['system:authenticated'], verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }, true],
    ['authenticated users list no pods', { user: 'alice', groups: ['system:authenticated'], verb: 'list', resource: 'pods', namespace: 'shop' }, false],
    [
      'a ServiceAccount may fetch the OIDC discovery document',
      { user: 'system:serviceaccount:shop:web', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'], verb: 'get', path: '/.well-known/openid-configuration' },
      true,
    ],
    ['system:masters may do anything', { user: 'root', groups: ['system:masters'], verb: 'delete', resource: 'nodes' }, true],
  ];
  for (const [name, request, allowed] of answers) it(name, () => assert.equal(authorize(graph, request).allowed, allowed));

  it('raises no rbac.* or sa.privileged-unused finding on an untouched cluster', () => {
    const ctx = contextFor({ objects: BOOTSTRAP });
    const findings: string[] = [];
    for (const check of [...rbacChecks, privilegedUnused] as Check[]) {
      if (check.scope === 'object') {
        for (const object of BOOTSTRAP) {
          if (typeof object.kind !== 'string' || !check.kinds.includes(object.kind)) continue;
          const outcome = check.evaluate(object, ctx);
          if (outcome.status === 'fail' || outcome.status === 'error') findings.push(`${check.id} ${object.kind} ${object.metadata?.name ?? ''}: ${outcome.message}`);
        }
      } else if (check.scope === 'cluster') {
        for (const result of check.evaluate(ctx)) {
          if (result.outcome.status === 'fail' || result.outcome.status === 'error') findings.push(`${check.id} ${result.resource.name}: ${result.outcome.message}`);
        }
      }
    }
    assert.deepEqual(findings, []);
  });
});
