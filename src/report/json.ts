/**
 * The machine-readable report as one JSON document. Its shape is a contract with users'
 * scripts: keys come in a fixed order, every finding carries its resource, location,
 * frameworks, remediation and any waiver, and waived findings are included (marked), so a
 * script can decide for itself. `yaml.ts` renders the same document.
 */
import type { Finding } from '../engine/types.js';
import { isActive } from '../engine/types.js';
import type { ReportFinding, ScanReport } from './model.js';
import { jsonChunks, mapIterable, STREAMED_ARRAY } from './stream.js';

export const REPORT_API_VERSION = 'bulwark.dev/v1alpha1';
export const REPORT_KIND = 'ScanReport';

function findingDocument({ finding, location }: ReportFinding): Record<string, unknown> {
  const resource: Record<string, unknown> = { apiVersion: finding.resource.apiVersion, kind: finding.resource.kind };
  if (finding.resource.namespace !== undefined) resource['namespace'] = finding.resource.namespace;
  resource['name'] = finding.resource.name;
  if (finding.resource.uid !== undefined) resource['uid'] = finding.resource.uid;
  const doc: Record<string, unknown> = {
    checkId: finding.checkId,
    title: finding.title,
    severity: finding.severity,
    category: finding.category,
    status: finding.status,
    active: isActive(finding),
    resource,
    count: finding.count,
    reason: finding.reason,
    message: finding.message,
    remediation: finding.remediation,
    frameworks: finding.frameworks.map((f) => ({ framework: f.framework, control: f.control })),
  };
  if (location !== undefined) {
    doc['location'] = { file: location.file, line: location.line, ...(location.document !== undefined ? { document: location.document } : {}) };
  }
  if (finding.waiver !== undefined) doc['waiver'] = waiverDocument(finding);
  return doc;
}

function waiverDocument(finding: Finding): Record<string, unknown> {
  const waiver = finding.waiver;
  if (waiver === undefined) return {};
  return {
    reason: waiver.reason,
    ...(waiver.owner !== undefined ? { owner: waiver.owner } : {}),
    ...(waiver.ticket !== undefined ? { ticket: waiver.ticket } : {}),
    ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
    expired: waiver.expired,
  };
}

/** The report as plain data, in the key order both JSON and YAML print. */
export function reportDocument(report: ScanReport): Record<string, unknown> {
  return reportHead(report, report.findings.map(findingDocument));
}

function reportHead(report: ScanReport, findings: unknown): Record<string, unknown> {
  return {
    apiVersion: REPORT_API_VERSION,
    kind: REPORT_KIND,
    tool: { name: report.tool.name, version: report.tool.version },
    policy: report.policy,
    generatedAt: report.generatedAt,
    inputs: { files: report.inputs.files, documents: report.inputs.documents, objects: report.inputs.objects },
    summary: {
      score: report.summary.score,
      ...report.summary.counts,
      waived: report.summary.waived,
      undecided: report.summary.undecided,
      inputErrors: report.summary.inputErrors,
    },
    namespaces: report.namespaces.map((ns) => ({
      // The cluster scope has no namespace; `scope` tells the two apart without a magic name.
      scope: ns.namespace === '' ? 'cluster' : 'namespace',
      ...(ns.namespace !== '' ? { namespace: ns.namespace } : {}),
      score: ns.score,
      ...ns.counts,
      waived: ns.waived,
    })),
    findings,
    diagnostics: report.diagnostics.map((d) => ({ severity: d.severity, path: d.path, message: d.message })),
  };
}

/** The JSON report in pieces, one finding at a time. */
export function renderJsonChunks(report: ScanReport): Iterable<string> {
  return jsonChunks(reportHead(report, STREAMED_ARRAY), mapIterable(report.findings, findingDocument));
}

export function renderJson(report: ScanReport): string {
  return [...renderJsonChunks(report)].join('');
}
