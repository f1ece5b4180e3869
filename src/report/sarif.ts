/**
 * SARIF 2.1.0, as GitHub code scanning (and other SARIF viewers) read it. The checks that
 * ran are the rules, each with its description, remediation as help, framework controls
 * and category as tags, and a `security-severity` so GitHub ranks alerts the way the policy
 * ranks findings. Each finding is a result pointing at the file and line of the manifest
 * that holds the resource (GitHub shows only results with a location), with a fingerprint
 * built from the check and resource, not the line, so an alert survives edits that move it.
 * Waived findings are results with an accepted suppression; input problems are tool
 * notifications.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../engine/types.js';
import { isActive } from '../engine/types.js';
import type { ReportFinding, ReportLocation, ReportRule, ScanReport } from './model.js';
import { diagnosticLocation, resourceName } from './model.js';
import { jsonChunks, mapIterable, STREAMED_ARRAY } from './stream.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where each check's documentation lives; `explain` prints the same text. */
export const CHECK_DOCS_URL = 'https://bulwark.dev/checks/';
const INFORMATION_URI = 'https://bulwark.dev/';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

// GitHub maps security-severity to its own levels: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, < 4.0 low.
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

function ruleDocument(rule: ReportRule): Record<string, unknown> {
  const { check, severity } = rule;
  const frameworks = check.frameworks.map((f) => `${f.framework} ${f.control}`);
  const markdown = [
    `**${check.title}**`,
    '',
    check.description,
    '',
    `**Remediation:** ${check.remediation}`,
    ...(frameworks.length > 0 ? ['', `**Controls:** ${frameworks.join(', ')}`] : []),
  ].join('\n');
  return {
    id: check.id,
    name: check.id,
    shortDescription: { text: check.title },
    fullDescription: { text: check.description },
    helpUri: `${CHECK_DOCS_URL}${check.id}`,
    help: { text: `${check.description}\n\nRemediation: ${check.remediation}`, markdown },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: ['security', 'kubernetes', check.category, ...frameworks],
      precision: 'high',
      'problem.severity': LEVEL[severity] === 'note' ? 'recommendation' : LEVEL[severity],
      'security-severity': SECURITY_SEVERITY[severity],
    },
  };
}

/** Stable across line moves and reorderings: the check and the resource identify a finding. */
export function findingFingerprint(finding: Finding): string {
  const { kind, namespace, name } = finding.resource;
  return createHash('sha256')
    .update(`${finding.checkId}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * A file as a SARIF artifact location: relative paths against the source root (GitHub
 * resolves them against the repository), absolute ones as file:// URIs.
 */
function artifactLocation(file: string): Record<string, string> {
  // SARIF URIs are URI references: escape what a path may hold but a URI may not.
  const encoded = file
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return file.startsWith('/') ? { uri: `file://${encoded}` } : { uri: encoded, uriBaseId: '%SRCROOT%' };
}

function physicalLocation(location: ReportLocation): Record<string, unknown> {
  return { artifactLocation: artifactLocation(location.file), region: { startLine: location.line } };
}

function resultDocument(entry: ReportFinding, ruleIndex: number, fallback: ReportLocation | undefined): Record<string, unknown> {
  const { finding } = entry;
  const location = entry.location ?? fallback;
  const scope = finding.resource.namespace !== undefined ? ` in namespace ${finding.resource.namespace}` : '';
  const prefix = finding.status === 'error' ? 'could not check: ' : '';
  const text = `${resourceName(finding)}${scope}: ${prefix}${finding.message}`;
  const result: Record<string, unknown> = {
    ruleId: finding.checkId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVEL[finding.severity],
    message: { text },
    locations: [
      {
        ...(location !== undefined ? { physicalLocation: physicalLocation(location) } : {}),
        logicalLocations: [
          {
            name: resourceName(finding),
            fullyQualifiedName: `${finding.resource.namespace ?? ''}/${finding.resource.kind}/${finding.resource.name}`,
            kind: 'resource',
          },
        ],
      },
    ],
    partialFingerprints: { 'bulwarkFinding/v1': findingFingerprint(finding) },
    properties: {
      severity: finding.severity,
      status: finding.status,
      reason: finding.reason,
      count: finding.count,
    },
  };
  const waiver = finding.waiver;
  if (waiver !== undefined && isActive(finding) === false) {
    const justification = [waiver.reason, waiver.owner !== undefined ? `owner: ${waiver.owner}` : '', waiver.ticket ?? '', waiver.expires !== undefined ? `until ${waiver.expires}` : '']
      .filter(Boolean)
      .join('; ');
    result['suppressions'] = [{ kind: 'external', status: 'accepted', justification }];
  }
  return result;
}

export function sarifDocument(report: ScanReport): Record<string, unknown> {
  return sarifHead(report, report.findings.map((entry) => resultAt(report, entry)));
}

function resultAt(report: ScanReport, entry: ReportFinding): Record<string, unknown> {
  return resultDocument(entry, ruleIndexOf(report).get(entry.finding.checkId) ?? -1, report.defaultLocation);
}

const ruleIndexes = new WeakMap<ScanReport, Map<string, number>>();
function ruleIndexOf(report: ScanReport): Map<string, number> {
  let index = ruleIndexes.get(report);
  if (index === undefined) {
    index = new Map(report.rules.map((rule, i) => [rule.check.id, i]));
    ruleIndexes.set(report, index);
  }
  return index;
}

function sarifHead(report: ScanReport, results: unknown): Record<string, unknown> {
  const notifications = report.diagnostics.map((d) => {
    const where = diagnosticLocation(d);
    return {
      level: d.severity === 'error' ? 'error' : 'warning',
      message: { text: `${d.path}: ${d.message}` },
      ...(where !== undefined ? { locations: [{ physicalLocation: physicalLocation(where) }] } : {}),
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: report.rules.map(ruleDocument),
          },
        },
        automationDetails: { id: `bulwark/${report.policy}/` },
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful: report.summary.inputErrors === 0,
            endTimeUtc: report.generatedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        results,
      },
    ],
  };
}

/** The SARIF log in pieces, one result at a time. */
export function renderSarifChunks(report: ScanReport): Iterable<string> {
  return jsonChunks(sarifHead(report, STREAMED_ARRAY), mapIterable(report.findings, (entry) => resultAt(report, entry)));
}

export function renderSarif(report: ScanReport): string {
  return [...renderSarifChunks(report)].join('');
}
