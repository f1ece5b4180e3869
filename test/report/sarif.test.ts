/**
 * Holds the SARIF output to what the SARIF 2.1.0 schema requires and GitHub code scanning
 * accepts, checked by hand (no network, no schema validator among the dependencies).
 */
import assert from 'node:assert/strict';
import type { Finding } from '../../src/engine/types.js';
import { findingFingerprint, renderSarif } from '../../src/report/sarif.js';
import { cleanReport, sampleReport } from './sample.js';

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${path} must be an object`);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  assert.ok(Array.isArray(value), `${path} must be an array`);
  return value;
}

function string(value: unknown, path: string): string {
  assert.equal(typeof value, 'string', `${path} must be a string`);
  return value as string;
}

function message(value: unknown, path: string): void {
  string(object(value, path)['text'], `${path}.text`);
}

function physicalLocation(value: unknown, path: string): void {
  const physical = object(value, path);
  const uri = string(object(physical['artifactLocation'], `${path}.artifactLocation`)['uri'], `${path}.artifactLocation.uri`);
  // GitHub resolves relative URIs against the repository root; a bare absolute path or a backslash never matches a file.
  const relativeUri = !uri.startsWith('/') && !uri.includes('\\') && !/^[a-z]+:/i.test(uri);
  assert.ok(relativeUri || uri.startsWith('file:///'), `${path}: uri "${uri}" must be relative or a file:// URI`);
  if (relativeUri) assert.equal(object(physical['artifactLocation'], path)['uriBaseId'], '%SRCROOT%');
  const region = object(physical['region'], `${path}.region`);
  assert.ok(Number.isInteger(region['startLine']) && (region['startLine'] as number) >= 1, `${path}.region.startLine must be a positive integer`);
}

/** The schema's required properties and enumerations for what we emit, and GitHub's limits. */
function validateSarif(text: string): void {
  const log = object(JSON.parse(text), 'log');
  assert.equal(log['version'], '2.1.0');
  string(log['$schema'], '$schema');
  const runs = array(log['runs'], 'runs');
  assert.ok(runs.length >= 1 && runs.length <= 20, 'GitHub accepts 1 to 20 runs');
  runs.forEach((runValue, r) => {
    const run = object(runValue, `runs[${r}]`);
    const driver = object(object(run['tool'], 'tool')['driver'], 'tool.driver');
    string(driver['name'], 'tool.driver.name');
    const rules = array(driver['rules'] ?? [], 'tool.driver.rules');
    const ids = new Set<string>();
    rules.forEach((ruleValue, i) => {
      const path = `rules[${i}]`;
      const rule = object(ruleValue, path);
      const id = string(rule['id'], `${path}.id`);
      assert.ok(!ids.has(id), `${path}: duplicate rule id ${id}`);
      ids.add(id);
      message(rule['shortDescription'], `${path}.shortDescription`);
      message(rule['fullDescription'], `${path}.fullDescription`);
      message(rule['help'], `${path}.help`);
      assert.ok(/^https:\/\//.test(string(rule['helpUri'], `${path}.helpUri`)));
      const level = object(rule['defaultConfiguration'], `${path}.defaultConfiguration`)['level'];
      assert.ok(['none', 'note', 'warning', 'error'].includes(level as string), `${path}: level ${String(level)}`);
      const properties = object(rule['properties'], `${path}.properties`);
      const tags = array(properties['tags'], `${path}.properties.tags`);
      assert.ok(tags.length <= 20 && tags.every((t) => typeof t === 'string'), `${path}: at most 20 string tags`);
      const severity = Number(string(properties['security-severity'], `${path}.properties.security-severity`));
      assert.ok(severity >= 0 && severity <= 10, `${path}: security-severity within 0.0–10.0`);
    });
    const results = array(run['results'], 'results');
    assert.ok(results.length <= 25_000, 'GitHub accepts at most 25,000 results per run');
    results.forEach((resultValue, i) => {
      const path = `results[${i}]`;
      const result = object(resultValue, path);
      message(result['message'], `${path}.message`);
      const ruleId = string(result['ruleId'], `${path}.ruleId`);
      const ruleIndex = result['ruleIndex'];
      assert.ok(Number.isInteger(ruleIndex), `${path}.ruleIndex must be an integer`);
      assert.equal(object(rules[ruleIndex as number], `rules[${String(ruleIndex)}]`)['id'], ruleId, `${path}: ruleIndex points at ${ruleId}`);
      assert.ok(['none', 'note', 'warning', 'error'].includes(result['level'] as string), `${path}.level`);
      const locations = array(result['locations'], `${path}.locations`);
      assert.ok(locations.length >= 1, `${path}: GitHub shows only results with a location`);
      locations.forEach((l, j) => physicalLocation(object(l, `${path}.locations[${j}]`)['physicalLocation'], `${path}.locations[${j}].physicalLocation`));
      const fingerprints = object(result['partialFingerprints'], `${path}.partialFingerprints`);
      for (const [key, value] of Object.entries(fingerprints)) string(value, `${path}.partialFingerprints.${key}`);
      for (const [j, s] of array(result['suppressions'] ?? [], `${path}.suppressions`).entries()) {
        const suppression = object(s, `${path}.suppressions[${j}]`);
        assert.ok(['inSource', 'external'].includes(suppression['kind'] as string), `${path}.suppressions[${j}].kind`);
        assert.ok(['accepted', 'underReview', 'rejected'].includes(suppression['status'] as string), `${path}.suppressions[${j}].status`);
      }
    });
    array(run['invocations'], 'invocations').forEach((invocationValue, i) => {
      const invocation = object(invocationValue, `invocations[${i}]`);
      assert.equal(typeof invocation['executionSuccessful'], 'boolean', 'invocations[].executionSuccessful is required');
      for (const n of array(invocation['toolExecutionNotifications'] ?? [], 'toolExecutionNotifications')) {
        message(object(n, 'notification')['message'], 'notification.message');
      }
    });
  });
}

describe('SARIF output', () => {
  const cases = [
    { name: 'a report with findings of every kind', report: sampleReport },
    { name: 'a clean report', report: cleanReport },
  ];
  for (const c of cases) {
    it(`meets the schema's required fields and GitHub's limits: ${c.name}`, () => {
      validateSarif(renderSarif(c.report()));
    });
  }

  it('points findings without a location of their own at the default location', () => {
    const log = JSON.parse(renderSarif(sampleReport())) as {
      runs: { results: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    const result = log.runs[0]?.results.find((r) => r.message.text.startsWith('ClusterRole/aggregated'));
    assert.deepEqual(result?.locations[0]?.physicalLocation.artifactLocation.uri, 'apps/shop.yaml');
    assert.deepEqual(result?.locations[0]?.physicalLocation.region.startLine, 1);
  });

  it('marks waived findings as accepted suppressions, and only those', () => {
    const log = JSON.parse(renderSarif(sampleReport())) as { runs: { results: { ruleId: string; message: { text: string }; suppressions?: unknown[] }[] }[] };
    const suppressed = log.runs[0]?.results.filter((r) => r.suppressions !== undefined).map((r) => r.message.text);
    assert.deepEqual(suppressed, ['DaemonSet/node-agent in namespace shop: container "agent" is privileged']);
  });

  it('fingerprints a finding by check and resource, not by line or message', () => {
    const base = sampleReport().findings[0]?.finding as Finding;
    const moved: Finding = { ...base, message: 'other words', source: 'elsewhere.yaml#9' };
    const other: Finding = { ...base, resource: { ...base.resource, name: 'api' } };
    assert.equal(findingFingerprint(moved), findingFingerprint(base));
    assert.notEqual(findingFingerprint(other), findingFingerprint(base));
    assert.match(findingFingerprint(base), /^[0-9a-f]{32}$/);
  });
});
