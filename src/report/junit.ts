/**
 * JUnit XML, the format Jenkins, GitLab and most CI servers render as test results. One
 * test suite per namespace (and one for cluster-scoped resources), one test case per
 * (check, resource) finding: a violation is a `<failure>`, an undecided check an `<error>`,
 * a waived finding `<skipped>` with the exception's reason. Input problems get a suite of
 * their own, so a malformed manifest fails the pipeline visibly rather than silently
 * shrinking the scan. The class name is `<namespace>.<Kind>/<name>`, which CI servers show
 * as package and class.
 */
import type { Finding } from '../engine/types.js';
import { isActive } from '../engine/types.js';
import type { ReportFinding, ScanReport } from './model.js';
import { resourceName, scopeOf } from './model.js';

/** Escapes text for XML attributes and content; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Suite {
  readonly name: string;
  readonly cases: string[];
  failures: number;
  errors: number;
  skipped: number;
}

function details(finding: Finding, location: ReportFinding['location']): string {
  const lines = [
    `${finding.title} (${finding.severity})`,
    finding.message,
    `Resource: ${resourceName(finding)}${finding.resource.namespace !== undefined ? ` in namespace ${finding.resource.namespace}` : ''}${finding.count > 1 ? ` (${finding.count} objects)` : ''}`,
    ...(location !== undefined ? [`Location: ${location.file}:${location.line}`] : []),
    `Remediation: ${finding.remediation}`,
    ...(finding.frameworks.length > 0 ? [`Controls: ${finding.frameworks.map((f) => `${f.framework} ${f.control}`).join(', ')}`] : []),
  ];
  if (finding.waiver?.expired === true) lines.push(`Exception expired ${finding.waiver.expires ?? ''}: ${finding.waiver.reason}`);
  return lines.join('\n');
}

function testCase(entry: ReportFinding): { xml: string; kind: 'failure' | 'error' | 'skipped' } {
  const { finding, location } = entry;
  const classname = `${scopeOf(finding) || 'cluster'}.${resourceName(finding)}`;
  const file = location !== undefined ? ` file="${escapeXml(location.file)}" line="${location.line}"` : '';
  const open = `    <testcase name="${escapeXml(`${finding.checkId} ${resourceName(finding)}`)}" classname="${escapeXml(classname)}"${file} time="0">`;
  if (!isActive(finding)) {
    const waiver = finding.waiver;
    const message = `waived: ${waiver?.reason ?? ''}${waiver?.expires !== undefined ? ` (until ${waiver.expires})` : ''}`;
    return { xml: `${open}\n      <skipped message="${escapeXml(message)}"/>\n    </testcase>`, kind: 'skipped' };
  }
  const tag = finding.status === 'error' ? 'error' : 'failure';
  const body = escapeXml(details(finding, location));
  return {
    xml: `${open}\n      <${tag} message="${escapeXml(finding.message)}" type="${finding.severity}">${body}</${tag}>\n    </testcase>`,
    kind: tag,
  };
}

function suiteXml(suite: Suite, timestamp: string): string {
  const tests = suite.cases.length;
  const head = `  <testsuite name="${escapeXml(suite.name)}" tests="${tests}" failures="${suite.failures}" errors="${suite.errors}" skipped="${suite.skipped}" time="0" timestamp="${escapeXml(timestamp)}"`;
  return tests === 0 ? `${head}/>` : `${head}>\n${suite.cases.join('\n')}\n  </testsuite>`;
}

export function renderJunit(report: ScanReport): string {
  const suites = new Map<string, Suite>();
  const suite = (name: string): Suite => {
    let found = suites.get(name);
    if (found === undefined) {
      found = { name, cases: [], failures: 0, errors: 0, skipped: 0 };
      suites.set(name, found);
    }
    return found;
  };
  // Every evaluated namespace gets a suite, so a clean namespace shows as passing, not missing.
  for (const ns of report.namespaces) suite(ns.namespace === '' ? 'bulwark.cluster' : `bulwark.namespace.${ns.namespace}`);
  for (const entry of report.findings) {
    const ns = scopeOf(entry.finding);
    const target = suite(ns === '' ? 'bulwark.cluster' : `bulwark.namespace.${ns}`);
    const { xml, kind } = testCase(entry);
    target.cases.push(xml);
    if (kind === 'failure') target.failures++;
    else if (kind === 'error') target.errors++;
    else target.skipped++;
  }
  const inputErrors = report.diagnostics.filter((d) => d.severity === 'error');
  if (inputErrors.length > 0) {
    const input = suite('bulwark.input');
    for (const d of inputErrors) {
      input.cases.push(
        `    <testcase name="${escapeXml(d.path)}" classname="input" time="0">\n      <error message="${escapeXml(d.message)}" type="input">${escapeXml(`${d.path}: ${d.message}`)}</error>\n    </testcase>`,
      );
      input.errors++;
    }
  }
  const all = [...suites.values()];
  const total = (key: 'failures' | 'errors' | 'skipped'): number => all.reduce((n, s) => n + s[key], 0);
  const tests = all.reduce((n, s) => n + s.cases.length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bulwark scan (policy ${escapeXml(report.policy)})" tests="${tests}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}" time="0">`,
    ...all.map((s) => suiteXml(s, report.generatedAt)),
    '</testsuites>',
    '',
  ].join('\n');
}
