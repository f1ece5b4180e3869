/**
 * The shipped dashboard and alert rules may only use metrics the controller exports:
 * a renamed metric must fail here, not silently blank a panel or an alert.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { createMetrics } from '../../src/metrics/metrics.js';

const root = new URL('../../', import.meta.url);

async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\b(bulwark_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+)\b/g)].map(
    (m) => m[1] as string,
  );
}

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

describe('monitoring config', () => {
  it('alert rules use only exported metrics, and every alert has a summary', async () => {
    const names = await exportedNames();
    const rules = load(
      readFileSync(new URL('config/prometheus/bulwark-alerts.yaml', root), 'utf8'),
    ) as RuleFile;
    const alerts = rules.groups.flatMap((g) => g.rules);
    assert.ok(alerts.length >= 8);
    for (const rule of alerts) {
      const used = metricNamesIn(rule.expr);
      assert.ok(used.length > 0, `${rule.alert} uses no metric`);
      for (const name of used)
        assert.ok(names.has(name), `${rule.alert} uses ${name}, which the controller does not export`);
    }
  });

  it('dashboard panels use only exported metrics', async () => {
    const names = await exportedNames();
    const dashboard = JSON.parse(
      readFileSync(new URL('config/grafana/bulwark-dashboard.json', root), 'utf8'),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
      templating: { list: { definition?: string }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const)),
      ...dashboard.templating.list.flatMap((v) =>
        v.definition ? [['variable', v.definition] as const] : [],
      ),
    ];
    assert.ok(exprs.length >= 15);
    for (const [title, expr] of exprs) {
      const used = metricNamesIn(expr);
      assert.ok(used.length > 0, `panel ${title} uses no metric`);
      for (const name of used)
        assert.ok(names.has(name), `panel ${title} uses ${name}, which the controller does not export`);
    }
  });
});
