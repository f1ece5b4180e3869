import assert from 'node:assert/strict';
import { seriesOf } from '../../src/metrics/findings-gauge.js';
import { createMetrics, exposition } from '../../src/metrics/metrics.js';

/** The exposition's lines as a set: series order is not part of the format. */
function lines(text: string): Set<string> {
  return new Set(text.split('\n').filter((line) => line !== ''));
}

describe('FindingsGauge', () => {
  it('writes what prom-client writes for the same series, escaping included', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.findings.replace(
      'prod',
      'shop',
      new Map([
        [seriesOf('high', 'pss.privileged'), 3],
        [seriesOf('low', 'custom.odd "name"\\x'), 1],
      ]),
    );
    metrics.findings.replace('prod', 'team-a', new Map([[seriesOf('medium', 'net.default-deny'), 2]]));
    metrics.findings.replace('dev', 'shop', new Map([[seriesOf('critical', 'rbac.cluster-admin'), 7]]));
    const ours = metrics.findings.exposition();
    const theirs = await metrics.registry.getSingleMetricAsString('bulwark_findings');
    assert.deepEqual(lines(ours), lines(theirs));
    assert.equal(lines(ours).size, 6, 'HELP, TYPE and four series');
  });

  it('keeps the gauge and the text in step as groups change, shrink and go', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { findings } = metrics;
    findings.replace(
      'p',
      'a',
      new Map([
        [seriesOf('high', 'x'), 1],
        [seriesOf('low', 'y'), 2],
      ]),
    );
    findings.replace('p', 'b', new Map([[seriesOf('high', 'x'), 5]]));
    const first = findings.exposition();
    assert.equal(findings.exposition(), first, 'nothing changed: the same text');
    findings.replace('p', 'a', new Map([[seriesOf('high', 'x'), 4]]));
    findings.drop('p', 'b');
    const text = findings.exposition();
    assert.deepEqual(lines(text), lines(await metrics.registry.getSingleMetricAsString('bulwark_findings')));
    assert.match(text, /bulwark_findings\{policy="p",namespace="a",severity="high",check="x"\} 4/);
    assert.doesNotMatch(text, /check="y"|namespace="b"/, 'removed series are gone from the text');
    const json = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'bulwark_findings');
    assert.deepEqual(
      json?.values.map((v) => [v.labels['namespace'], v.labels['check'], v.value]),
      [['a', 'x', 4]],
    );
  });

  it('is served in /metrics in place of prom-client’s own rendering of it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.findings.replace('p', 'a', new Map([[seriesOf('high', 'x'), 1]]));
    metrics.queueDepth.set(3);
    const served = await exposition(metrics);
    const registry = await metrics.registry.metrics();
    assert.deepEqual(lines(served), lines(registry));
    assert.ok(served.endsWith('\n'));
  });
});
