import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyRule } from '../../../src/engine/rbac/rules.js';
import {
  describeRule,
  policyRuleOf,
  RuleCoverage,
  rulesCover,
  rulesOf,
} from '../../../src/engine/rbac/rules.js';

function r(verbs: string, resources: string, groups = '', names = ''): PolicyRule {
  const list = (s: string): string[] => (s === '' ? [] : s.split(','));
  return {
    verbs: list(verbs),
    apiGroups: groups === '' ? [''] : list(groups),
    resources: list(resources),
    resourceNames: list(names),
    nonResourceURLs: [],
  };
}
function url(verbs: string, urls: string): PolicyRule {
  return {
    verbs: verbs.split(','),
    apiGroups: [],
    resources: [],
    resourceNames: [],
    nonResourceURLs: urls.split(','),
  };
}

const cases: [name: string, owners: PolicyRule[], rule: PolicyRule, covered: boolean][] = [
  ['the same rule', [r('get', 'pods')], r('get', 'pods'), true],
  ['more verbs', [r('get,list', 'pods')], r('get', 'pods'), true],
  ['a missing verb', [r('get', 'pods')], r('get,list', 'pods'), false],
  ['split across rules', [r('get', 'pods'), r('list', 'pods')], r('get,list', 'pods'), true],
  ['* covers any verb', [r('*', 'pods')], r('delete', 'pods'), true],
  ['a literal * needs a *', [r('get,list,create', 'pods')], r('*', 'pods'), false],
  ['* resources', [r('get', '*')], r('get', 'secrets'), true],
  ['*/sub covers res/sub', [r('get', '*/status')], r('get', 'pods/status'), true],
  ['res does not cover res/sub', [r('get', 'pods')], r('get', 'pods/log'), false],
  ['named owner, unnamed rule', [r('get', 'secrets', '', 'a')], r('get', 'secrets'), false],
  ['unnamed owner covers names', [r('get', 'secrets')], r('get', 'secrets', '', 'a,b'), true],
  ['names subset', [r('get', 'secrets', '', 'a,b')], r('get', 'secrets', '', 'a'), true],
  ['group *', [r('get', 'deployments', '*')], r('get', 'deployments', 'apps'), true],
  ['another group', [r('get', 'deployments', 'extensions')], r('get', 'deployments', 'apps'), false],
  ['URL prefix', [url('get', '/api/*')], url('get', '/api/v1'), true],
  ['URL exact only', [url('get', '/api')], url('get', '/api/v1'), false],
  ['URL *', [url('*', '*')], url('post', '/anything'), true],
  ['nothing covers a URL rule', [], url('get', '/healthz'), false],
  ['an empty rule is always covered', [], r('', ''), true],
];

describe('rbac rulesCover', () => {
  for (const [name, owners, rule, covered] of cases) {
    it(name, () => {
      assert.equal(rulesCover(owners, rule), covered);
      assert.equal(new RuleCoverage(owners).covers(rule), covered, 'RuleCoverage');
    });
  }

  it('RuleCoverage answers as rulesCover on random rules', () => {
    const some = (values: string[]): fc.Arbitrary<string[]> =>
      fc.uniqueArray(fc.constantFrom(...values), { maxLength: 3 });
    const ruleArb: fc.Arbitrary<PolicyRule> = fc.record({
      verbs: some(['get', 'list', '*']),
      apiGroups: some(['', 'apps', '*']),
      resources: some(['pods', 'pods/log', '*/log', '*', 'secrets']),
      resourceNames: some(['a', 'b']),
      nonResourceURLs: some(['/a', '/a/*', '*']),
    });
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 5 }), ruleArb, (owners, rule) => {
        assert.equal(new RuleCoverage(owners).covers(rule), rulesCover(owners, rule));
      }),
      { numRuns: 500 },
    );
  });
});

describe('rbac describeRule and policyRuleOf', () => {
  it('describes resource and URL rules compactly', () => {
    assert.equal(describeRule(r('get,list', 'secrets')), 'get,list secrets');
    assert.equal(
      describeRule(r('get', 'deployments', 'apps,', 'web')),
      'get deployments in apps,core named web',
    );
    assert.equal(describeRule(url('get', '/healthz,/livez')), 'get URLs /healthz,/livez');
  });
  it('reads untrusted rules without throwing', () => {
    assert.deepEqual(policyRuleOf(null), {
      verbs: [],
      apiGroups: [],
      resources: [],
      resourceNames: [],
      nonResourceURLs: [],
    });
    assert.deepEqual(policyRuleOf({ verbs: 'get', resources: ['pods', 3] }).resources, ['pods']);
  });
});

describe('rbac rulesOf reads each rule object once', () => {
  it('gives the same rules for the same objects, and separate ones for equal copies', () => {
    const shared = [{ verbs: ['get', 7], apiGroups: [''], resources: ['pods'] }, 'not a rule'];
    const first = rulesOf(shared);
    assert.equal(rulesOf(shared), first);
    assert.deepEqual(first, [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [], nonResourceURLs: [] },
      { verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [] },
    ]);
    assert.equal(policyRuleOf(shared[0]), first[0]);
    const copy = structuredClone(shared);
    assert.notEqual(rulesOf(copy), first);
    assert.deepEqual(rulesOf(copy), first);
    assert.deepEqual(rulesOf('rules'), []);
  });
});
