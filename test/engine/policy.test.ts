import assert from 'node:assert/strict';
import { compilePolicy, defaultPolicy, isNamespaceSelected, waiverFor } from '../../src/engine/policy.js';
import type { CompiledPolicy } from '../../src/engine/policy.js';
import { fakeChecks } from './fake-checks.js';

function policy(
  spec: unknown,
  name = 'p',
): { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown } {
  return { apiVersion: 'bulwark.dev/v1alpha1', kind: 'SecurityPolicy', metadata: { name }, spec };
}

function compiled(spec: unknown): CompiledPolicy {
  const result = compilePolicy(policy(spec), fakeChecks);
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(result.policy);
  return result.policy;
}

describe('compilePolicy', () => {
  const invalid: { name: string; spec: unknown; path: string; message: RegExp }[] = [
    {
      name: 'unknown profile with a hint',
      spec: { profiles: ['rbca'] },
      path: 'spec.profiles[0]',
      message: /unknown profile "rbca" \(did you mean "rbac"\?\)/,
    },
    {
      name: 'unknown check ID with a hint',
      spec: { checks: [{ id: 'test.named-rol' }] },
      path: 'spec.checks[0].id',
      message: /unknown check ID "test.named-rol" \(did you mean "test.named-role"\?\)/,
    },
    {
      name: 'bad severity',
      spec: { checks: [{ id: 'test.named-role', severity: 'urgent' }] },
      path: 'spec.checks[0].severity',
      message: /must be critical, high, medium or low \(got "urgent"\)/,
    },
    {
      name: 'unknown parameter',
      spec: { checks: [{ id: 'test.named-role', params: { nmes: [] } }] },
      path: 'spec.checks[0].params.nmes',
      message: /has no parameter "nmes" \(did you mean "names"\?\); known: names/,
    },
    {
      name: 'parameter of the wrong type',
      spec: { checks: [{ id: 'test.named-role', params: { names: 'x' } }] },
      path: 'spec.checks[0].params.names',
      message: /must be a list of strings \(got "x"\)/,
    },
    {
      name: 'duplicate override',
      spec: { checks: [{ id: 'test.named-role' }, { id: 'test.named-role' }] },
      path: 'spec.checks[1].id',
      message: /listed twice/,
    },
    {
      name: 'invalid CEL',
      spec: { rules: [{ id: 'acme.x', kinds: ['Pod'], expression: 'object.metadata +' }] },
      path: 'spec.rules[0].expression',
      message: /invalid CEL/,
    },
    {
      name: 'rule without kinds',
      spec: { rules: [{ id: 'acme.x', kinds: [], expression: 'true' }] },
      path: 'spec.rules[0].kinds',
      message: /at least one kind/,
    },
    {
      name: 'rule shadowing a built-in',
      spec: { rules: [{ id: 'test.named-role', kinds: ['Role'], expression: 'true' }] },
      path: 'spec.rules[0].id',
      message: /is a built-in check/,
    },
    {
      name: 'rule with a malformed ID',
      spec: { rules: [{ id: 'NoDot', kinds: ['Pod'], expression: 'true' }] },
      path: 'spec.rules[0].id',
      message: /prefix\.name/,
    },
    {
      name: 'rule returning a string',
      spec: { rules: [{ id: 'acme.x', kinds: ['Pod'], expression: '"yes"' }] },
      path: 'spec.rules[0].expression',
      message: /must evaluate to bool, not string/,
    },
    {
      name: 'invalid namespace selector',
      spec: { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } },
      path: 'spec.namespaceSelector.matchExpressions[0].values',
      message: /non-empty when operator is In/,
    },
    {
      name: 'exception without reason',
      spec: { exceptions: [{ checks: ['test.*'] }] },
      path: 'spec.exceptions[0].reason',
      message: /is required/,
    },
    {
      name: 'exception naming no check',
      spec: { exceptions: [{ checks: ['pss.nothing'], reason: 'r' }] },
      path: 'spec.exceptions[0].checks[0]',
      message: /matches no check/,
    },
    {
      name: 'exception with a bad expiry',
      spec: { exceptions: [{ checks: ['test.*'], reason: 'r', expires: 'next tuesday' }] },
      path: 'spec.exceptions[0].expires',
      message: /RFC 3339/,
    },
    {
      name: 'bad pod security version',
      spec: { podSecurity: { version: '1.30' } },
      path: 'spec.podSecurity.version',
      message: /"latest" or "v1.N"/,
    },
    { name: 'spec not an object', spec: 'x', path: 'spec', message: /must be an object/ },
  ];
  for (const row of invalid) {
    it(`rejects ${row.name} at ${row.path}`, () => {
      const result = compilePolicy(policy(row.spec), fakeChecks);
      assert.equal(result.policy, undefined);
      const diagnostic = result.diagnostics.find((d) => d.path === row.path);
      assert.ok(diagnostic, `no diagnostic at ${row.path}: ${JSON.stringify(result.diagnostics)}`);
      assert.match(diagnostic.message, row.message);
    });
  }

  it('rejects a wrong kind and a missing name', () => {
    const result = compilePolicy({ kind: 'Policy', metadata: {}, spec: {} }, fakeChecks);
    assert.deepEqual(
      result.diagnostics.map((d) => d.path),
      ['kind', 'metadata.name'],
    );
  });

  it('never throws on arbitrary input', () => {
    for (const raw of [
      null,
      42,
      [],
      'x',
      { spec: [] },
      { metadata: { name: 'x' }, spec: { checks: 'all', rules: {}, exceptions: [null] } },
    ]) {
      const result = compilePolicy(raw, fakeChecks);
      assert.equal(result.policy, undefined);
      assert.ok(result.diagnostics.length > 0);
    }
  });

  it('enables checks by profile, and every profile when the list is absent', () => {
    assert.deepEqual(
      compiled({}).checks.map((c) => c.check.id),
      ['test.bad-container', 'test.very-bad-container', 'test.named-role', 'test.no-netpol'],
    );
    assert.deepEqual(
      compiled({ profiles: ['rbac'] }).checks.map((c) => c.check.id),
      ['test.named-role'],
    );
    assert.deepEqual(compiled({ profiles: [] }).checks, []);
  });

  it('applies overrides: enable an opt-in check, disable one, change severity and params', () => {
    const p = compiled({
      profiles: ['rbac', 'workloads'],
      checks: [
        { id: 'test.default-sa', enabled: true },
        { id: 'test.bad-container', enabled: false },
        { id: 'test.named-role', severity: 'critical', params: { names: ['a'] } },
      ],
    });
    assert.deepEqual(
      p.checks.map((c) => [c.check.id, c.severity, c.params]),
      [
        ['test.named-role', 'critical', { names: ['a'] }],
        ['test.default-sa', 'low', {}],
      ],
    );
  });

  it('enables a check that an entry names, even outside the policy profiles, unless the entry disables it', () => {
    const p = compiled({
      profiles: ['workloads'],
      checks: [
        { id: 'test.default-sa', params: {} },
        { id: 'test.named-role', severity: 'low' },
      ],
    });
    assert.deepEqual(
      p.checks.map((c) => c.check.id),
      ['test.bad-container', 'test.named-role', 'test.default-sa'],
    );
    assert.deepEqual(
      compiled({ profiles: [], checks: [{ id: 'test.default-sa', enabled: false }] }).checks,
      [],
    );
  });

  it('compiles custom CEL rules with their severity', () => {
    const p = compiled({
      profiles: [],
      rules: [
        {
          id: 'acme.team-label',
          kinds: ['Pod'],
          expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
          severity: 'low',
        },
      ],
    });
    assert.deepEqual(
      p.checks.map((c) => [c.check.id, c.severity, c.check.category]),
      [['acme.team-label', 'low', 'custom']],
    );
  });

  it('warns about nothing for a valid policy', () => {
    const result = compilePolicy(policy({ profiles: ['rbac'] }), fakeChecks);
    assert.deepEqual(result.diagnostics, []);
  });

  it('defaultPolicy leaves opt-in checks off', () => {
    assert.ok(!defaultPolicy(fakeChecks).checks.some((c) => c.check.id === 'test.default-sa'));
  });
});

describe('namespace selection', () => {
  const p = compiled({ namespaceSelector: { matchLabels: { env: 'prod' } }, excludeNamespaces: ['kube-*'] });
  const rows: { name: string; ns: string; labels: Record<string, string> | undefined; selected: boolean }[] =
    [
      { name: 'matching labels', ns: 'shop', labels: { env: 'prod' }, selected: true },
      { name: 'other labels', ns: 'shop', labels: { env: 'dev' }, selected: false },
      { name: 'excluded by glob', ns: 'kube-system', labels: { env: 'prod' }, selected: false },
      { name: 'unknown namespace (no object, no labels)', ns: 'shop', labels: undefined, selected: true },
    ];
  for (const row of rows) {
    it(row.name, () => assert.equal(isNamespaceSelected(p, row.ns, row.labels), row.selected));
  }
  it('selects on the automatic kubernetes.io/metadata.name label', () => {
    const byName = compiled({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
    });
    assert.equal(isNamespaceSelected(byName, 'shop', {}), true);
    assert.equal(isNamespaceSelected(byName, 'other', {}), false);
  });
});

describe('exceptions', () => {
  const p = compiled({
    exceptions: [
      {
        checks: ['test.bad-*'],
        match: { kinds: ['Deployment'], namespaces: ['monitoring'], names: ['node-exporter-*'] },
        reason: 'needs host',
        owner: 'platform',
        ticket: 'SEC-1',
        expires: '2027-03-01T00:00:00Z',
      },
      { checks: ['test.named-role'], reason: 'old', expires: '2020-01-01T00:00:00Z' },
      { checks: ['test.named-role'], match: { names: ['kept'] }, reason: 'renewed' },
    ],
  });
  const now = new Date('2026-11-24T00:00:00Z');
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'monitoring',
    name: 'node-exporter-a',
  };

  it('waives a matching finding with reason, owner, ticket and expiry', () => {
    assert.deepEqual(waiverFor(p, 'test.bad-container', deployment, now), {
      reason: 'needs host',
      owner: 'platform',
      ticket: 'SEC-1',
      expires: '2027-03-01T00:00:00Z',
      expired: false,
    });
  });
  it('does not waive another kind, namespace, name or check', () => {
    assert.equal(waiverFor(p, 'test.bad-container', { ...deployment, kind: 'DaemonSet' }, now), undefined);
    assert.equal(waiverFor(p, 'test.bad-container', { ...deployment, namespace: 'default' }, now), undefined);
    assert.equal(waiverFor(p, 'test.bad-container', { ...deployment, name: 'web' }, now), undefined);
    assert.equal(waiverFor(p, 'test.no-netpol', deployment, now), undefined);
  });
  it('stops applying after expiry, and says so', () => {
    assert.equal(
      waiverFor(p, 'test.bad-container', deployment, new Date('2027-03-01T00:00:00Z'))?.expired,
      true,
    );
    assert.deepEqual(
      waiverFor(
        p,
        'test.named-role',
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', name: 'x' },
        now,
      ),
      {
        reason: 'old',
        expires: '2020-01-01T00:00:00Z',
        expired: true,
      },
    );
  });
  it('prefers a live exception over an expired one', () => {
    assert.equal(
      waiverFor(
        p,
        'test.named-role',
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', name: 'kept' },
        now,
      )?.reason,
      'renewed',
    );
  });
});
