import assert from 'node:assert/strict';
import { evaluate, scoreOf } from '../../src/engine/evaluate.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { compilePolicy } from '../../src/engine/policy.js';
import type { CompiledPolicy } from '../../src/engine/policy.js';
import { fakeChecks } from './fake-checks.js';

const now = new Date('2026-11-24T00:00:00Z');

function policyOf(spec: unknown): CompiledPolicy {
  const result = compilePolicy({ kind: 'SecurityPolicy', metadata: { name: 'p' }, spec }, fakeChecks);
  assert.ok(result.policy, JSON.stringify(result.diagnostics));
  return result.policy;
}

function pod(
  name: string,
  namespace: string,
  container: string,
  extra: Partial<KubeObject> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(extra.metadata ?? {}) },
    spec: { containers: [{ name: container, image: 'x' }] },
  };
}

function replica(i: number, container = 'bad'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-5d8f7c9b4-${i}`,
      namespace: 'shop',
      labels: { 'pod-template-hash': '5d8f7c9b4' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b4', uid: 'rs-uid', controller: true },
      ],
    },
    spec: { containers: [{ name: container, image: 'x' }] },
  };
}

const summary = (
  findings: {
    checkId: string;
    resource: { kind: string; namespace?: string; name: string };
    count: number;
  }[],
): string[] =>
  findings.map(
    (f) => `${f.checkId} ${f.resource.kind}/${f.resource.namespace ?? '-'}/${f.resource.name} x${f.count}`,
  );

describe('evaluate', () => {
  it('groups replicas under their Deployment, found by the pod-template-hash convention', () => {
    const inventory = new Inventory([replica(1), replica(2), replica(3)]);
    const result = evaluate(inventory, policyOf({ profiles: ['workloads'] }), { now });
    assert.deepEqual(summary(result.findings), ['test.bad-container Deployment/shop/web x3']);
  });

  it('follows ownerReferences through the inventory when the owners are known', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-5d8f7c9b4',
        namespace: 'shop',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend', uid: 'd', controller: true },
        ],
      },
    };
    const result = evaluate(new Inventory([rs, replica(1)]), policyOf({ profiles: ['workloads'] }), { now });
    assert.deepEqual(summary(result.findings), ['test.bad-container Deployment/shop/frontend x1']);
  });

  it('reports a Deployment template and its pods once', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { template: { metadata: {}, spec: { containers: [{ name: 'bad', image: 'x' }] } } },
    };
    const result = evaluate(
      new Inventory([deployment, replica(1), replica(2)]),
      policyOf({ profiles: ['workloads'] }),
      { now },
    );
    assert.deepEqual(summary(result.findings), ['test.bad-container Deployment/shop/web x2']);
  });

  it('drops a superseded finding when the superseding check applies', () => {
    const result = evaluate(
      new Inventory([pod('a', 'shop', 'bad')]),
      policyOf({ profiles: ['workloads', 'pss-restricted'] }),
      { now },
    );
    assert.deepEqual(summary(result.findings), ['test.very-bad-container Pod/shop/a x1']);
  });

  it('runs namespace checks for every namespace, named or defined', () => {
    const inventory = new Inventory([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } },
      pod('a', 'shop', 'good'),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny', namespace: 'secure' },
        spec: {},
      },
    ]);
    const result = evaluate(inventory, policyOf({ profiles: ['network'] }), { now });
    assert.deepEqual(summary(result.findings), [
      'test.no-netpol Namespace/-/empty x1',
      'test.no-netpol Namespace/-/shop x1',
    ]);
  });

  it('applies namespace selection and exclusions to namespaced and cluster-check findings', () => {
    const inventory = new Inventory([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { env: 'dev' } } },
      pod('a', 'prod', 'bad'),
      pod('b', 'dev', 'bad'),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'prod' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'dev' } },
    ]);
    const p = policyOf({
      profiles: ['workloads'],
      namespaceSelector: { matchLabels: { env: 'prod' } },
      checks: [{ id: 'test.default-sa', enabled: true }],
    });
    assert.deepEqual(summary(evaluate(inventory, p, { now }).findings), [
      'test.bad-container Pod/prod/a x1',
      'test.default-sa ServiceAccount/prod/default x1',
    ]);
  });

  it('evaluates one namespace or the cluster scope alone', () => {
    const inventory = new Inventory([
      pod('a', 'one', 'bad'),
      pod('b', 'two', 'bad'),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'evil', namespace: 'two' },
      },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'one' } },
    ]);
    const p = policyOf({
      profiles: ['workloads', 'rbac'],
      checks: [{ id: 'test.default-sa', enabled: true }],
    });
    assert.deepEqual(
      summary(evaluate(inventory, p, { now, scope: { kind: 'namespace', namespace: 'two' } }).findings),
      ['test.bad-container Pod/two/b x1', 'test.named-role Role/two/evil x1'],
    );
    assert.deepEqual(summary(evaluate(inventory, p, { now, scope: { kind: 'cluster' } }).findings), [
      'test.default-sa ServiceAccount/one/default x1',
    ]);
  });

  it('marks waived findings and keeps them visible; expired exceptions stop applying and say so', () => {
    const inventory = new Inventory([pod('a', 'shop', 'bad'), pod('b', 'shop', 'bad')]);
    const p = policyOf({
      profiles: ['workloads'],
      exceptions: [
        { checks: ['test.bad-container'], match: { names: ['a'] }, reason: 'accepted' },
        {
          checks: ['test.bad-container'],
          match: { names: ['b'] },
          reason: 'was accepted',
          expires: '2026-01-01T00:00:00Z',
        },
      ],
    });
    const result = evaluate(inventory, p, { now });
    assert.deepEqual(
      result.findings.map((f) => [f.resource.name, f.waiver]),
      [
        ['a', { reason: 'accepted', expired: false }],
        ['b', { reason: 'was accepted', expires: '2026-01-01T00:00:00Z', expired: true }],
      ],
    );
    assert.deepEqual(result.diagnostics, [
      {
        severity: 'warning',
        path: 'spec.exceptions[1].expires',
        message: 'exception for test.bad-container expired at 2026-01-01T00:00:00Z; it no longer applies',
      },
    ]);
    // Only the live waiver lifts its finding from the score: 2 high findings, one still counts.
    assert.deepEqual(result.tallies.get('shop'), { evaluated: 10, failed: 5 });
    assert.equal(scoreOf(result.tallies.get('shop')), 50);
  });

  it('passes check parameters through', () => {
    const inventory = new Inventory([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'a', namespace: 'x' } },
    ]);
    assert.equal(evaluate(inventory, policyOf({ profiles: ['rbac'] }), { now }).findings.length, 0);
    assert.equal(
      evaluate(
        inventory,
        policyOf({ profiles: ['rbac'], checks: [{ id: 'test.named-role', params: { names: ['a'] } }] }),
        { now },
      ).findings.length,
      1,
    );
  });

  it('evaluates CEL rules, and reports an expression that cannot be evaluated as an error', () => {
    const inventory = new Inventory([
      pod('labelled', 'shop', 'x', { metadata: { name: 'labelled', labels: { team: 'a' } } }),
      pod('bare', 'shop', 'x'),
    ]);
    const p = policyOf({
      profiles: [],
      rules: [
        {
          id: 'acme.team-label',
          kinds: ['Pod'],
          expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
          message: 'every pod carries a team label',
          severity: 'low',
        },
        { id: 'acme.broken', kinds: ['Pod'], expression: 'object.spec.nothing == 1' },
      ],
    });
    const result = evaluate(inventory, p, { now });
    assert.deepEqual(
      result.findings.map((f) => [f.checkId, f.resource.name, f.status, f.message]),
      [
        ['acme.broken', 'bare', 'error', 'rule acme.broken could not be evaluated: No such key: nothing'],
        ['acme.broken', 'labelled', 'error', 'rule acme.broken could not be evaluated: No such key: nothing'],
        ['acme.team-label', 'bare', 'fail', 'every pod carries a team label'],
      ],
    );
  });

  it('turns a check that throws into an error finding and goes on', () => {
    const thrower = {
      ...fakeChecks[0]!,
      id: 'test.thrower',
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const p = policyOf({ profiles: ['workloads'] });
    const withThrower = {
      ...p,
      checks: [...p.checks, { check: thrower, severity: 'low' as const, params: {} }],
    };
    const result = evaluate(new Inventory([pod('a', 'shop', 'bad')]), withThrower, { now });
    assert.deepEqual(
      result.findings.map((f) => [f.checkId, f.status, f.message]),
      [
        ['test.bad-container', 'fail', 'container "bad" is bad'],
        ['test.thrower', 'error', 'check test.thrower failed on Pod Pod/shop/a: boom'],
      ],
    );
  });

  it('is deterministic whatever the input order', () => {
    const objects = [
      pod('a', 'x', 'bad'),
      pod('b', 'y', 'bad'),
      pod('c', 'x', 'bad'),
      replica(1),
      replica(2),
    ];
    const p = policyOf({ profiles: ['workloads', 'network'] });
    const forward = evaluate(new Inventory(objects), p, { now }).findings;
    const backward = evaluate(new Inventory([...objects].reverse()), p, { now }).findings;
    assert.deepEqual(backward, forward);
  });

  it('carries the source of the first object onto its finding', () => {
    const a = pod('a', 'shop', 'bad');
    const sources = new Map([[a, 'app.yaml#1']]);
    const result = evaluate(new Inventory([a]), policyOf({ profiles: ['workloads'] }), {
      now,
      sourceOf: (o) => sources.get(o),
    });
    assert.equal(result.findings[0]?.source, 'app.yaml#1');
  });
});

describe('derived indexes', () => {
  it('rebuild after a change to a kind they depend on, and only then', async () => {
    const { createCheckContext } = await import('../../src/engine/context.js');
    const inventory = new Inventory([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'x' } },
    ]);
    const ctx = createCheckContext({ inventory });
    let builds = 0;
    const build = (): number => ++builds;
    assert.equal(ctx.derive('sa', build, ['ServiceAccount']), 1);
    inventory.upsert(pod('p', 'x', 'c'));
    assert.equal(ctx.derive('sa', build, ['ServiceAccount']), 1);
    inventory.upsert({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'b', namespace: 'x' } });
    assert.equal(ctx.derive('sa', build, ['ServiceAccount']), 2);
    assert.equal(ctx.derive('all', build), 3);
    inventory.upsert(pod('q', 'x', 'c'));
    assert.equal(ctx.derive('all', build), 4);
  });
});

describe('supersession across scopes', () => {
  it('drops a namespace-level finding that an applicable check on the same namespace supersedes', () => {
    const strict = {
      ...fakeChecks[3]!,
      id: 'test.strict-netpol',
      supersedes: ['test.no-netpol'],
    } as (typeof fakeChecks)[3];
    const p = policyOf({ profiles: ['network'] });
    const both = { ...p, checks: [...p.checks, { check: strict, severity: 'medium' as const, params: {} }] };
    const result = evaluate(new Inventory([pod('a', 'shop', 'x')]), both, { now });
    assert.deepEqual(summary(result.findings), ['test.strict-netpol Namespace/-/shop x1']);
  });
});
