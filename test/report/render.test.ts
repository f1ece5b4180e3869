import assert from 'node:assert/strict';
import type { ScanReport } from '../../src/report/model.js';
import { countAtOrAbove } from '../../src/report/model.js';
import type { Format } from '../../src/report/index.js';
import { FORMATS, renderReport } from '../../src/report/index.js';
import { escapeXml } from '../../src/report/junit.js';
import { assertGolden } from './golden.js';
import { cleanReport, sampleReport } from './sample.js';

const EXTENSIONS: Readonly<Record<Format, string>> = {
  table: 'table.txt',
  json: 'json',
  yaml: 'yaml',
  sarif: 'sarif',
  junit: 'junit.xml',
};

describe('report formats (golden files)', () => {
  const cases: { name: string; report: () => ScanReport }[] = [
    { name: 'findings', report: sampleReport },
    { name: 'clean', report: cleanReport },
  ];
  for (const c of cases) {
    for (const format of FORMATS) {
      it(`${c.name} as ${format}`, () => {
        assertGolden(`report/${c.name}.${EXTENSIONS[format]}`, renderReport(format, c.report(), { color: false, showWaived: false }));
      });
    }
  }

  it('findings as a table with waived findings listed', () => {
    assertGolden('report/findings.show-waived.table.txt', renderReport('table', sampleReport(), { color: false, showWaived: true }));
  });

  it('findings as a coloured table', () => {
    assertGolden('report/findings.color.table.txt', renderReport('table', sampleReport(), { color: true, showWaived: false }));
  });
});

describe('report model', () => {
  it('counts active findings at or above a threshold', () => {
    const report = sampleReport();
    assert.deepEqual(
      (['critical', 'high', 'medium', 'low'] as const).map((s) => countAtOrAbove(report, s)),
      [1, 3, 5, 6],
    );
  });

  it('sums per-namespace counts and leaves waived findings out of them', () => {
    const report = sampleReport();
    assert.deepEqual(
      report.namespaces.map((ns) => [ns.namespace, ns.score, ns.counts, ns.waived]),
      [
        ['quiet', 100, { critical: 0, high: 0, medium: 0, low: 0 }, 0],
        ['shop', 47, { critical: 1, high: 0, medium: 2, low: 0 }, 1],
        ['tools', 100, { critical: 0, high: 0, medium: 0, low: 1 }, 0],
        ['', 60, { critical: 0, high: 2, medium: 0, low: 0 }, 0],
      ],
    );
    assert.deepEqual(report.summary, {
      score: 63,
      counts: { critical: 1, high: 2, medium: 2, low: 1 },
      waived: 1,
      undecided: 1,
      inputErrors: 1,
    });
  });

  it('the JSON and YAML reports carry the same data', async () => {
    const { load } = await import('js-yaml');
    const report = sampleReport();
    assert.deepEqual(load(renderReport('yaml', report, { color: false, showWaived: false })), JSON.parse(renderReport('json', report, { color: false, showWaived: false })));
  });

  it('escapes XML and drops characters XML cannot hold', () => {
    assert.equal(escapeXml('a<b>&"c"\'d\'\u0001e'), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;e');
  });
});
