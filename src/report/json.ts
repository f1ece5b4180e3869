/**
 * The machine-readable report as one JSON document. Its shape is a contract with users'
 * scripts: keys come in a fixed order, every finding carries its resource, location,
 * frameworks, remediation and any waiver, and waived findings are included (marked), so a
 * script can decide for itself. `yaml.ts` renders the same document.
 */
import type { Finding } from '../engine/types.js';
import { isActive } from '../engine/types.js';
import type { ReportFinding, ScanReport } from './model.js';
import { jsonChunks, STREAMED_ARRAY } from './stream.js';

export const REPORT_API_VERSION = 'bulwark.dev/v1alpha1';
export const REPORT_KIND = 'ScanReport';

export function findingDocument({ finding, location }: ReportFinding): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    apiVersion: finding.resource.apiVersion,
    kind: finding.resource.kind,
  };
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
    doc['location'] = {
      file: location.file,
      line: location.line,
      ...(location.document !== undefined ? { document: location.document } : {}),
    };
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
    inputs: {
      files: report.inputs.files,
      documents: report.inputs.documents,
      objects: report.inputs.objects,
    },
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
  return jsonChunks(reportHead(report, STREAMED_ARRAY), report.findings, findingJson());
}

/**
 * A finding's JSON exactly as `JSON.stringify(findingDocument(entry), null, 2)` gives it
 * (indented by `indent`), written directly: a big scan's report is tens of thousands of
 * findings, and most of each (title, severity, category, remediation, frameworks) is the
 * same text for every finding of a check, so it is serialized once per check and reused.
 */
export function findingJson(): (entry: ReportFinding, indent: string) => string {
  const perCheck = new Map<string, CheckText>();
  return (entry, indent) => {
    const { finding, location } = entry;
    const i1 = `\n${indent}  `;
    const i2 = `${i1}  `;
    const key = `${finding.checkId}\u0000${finding.severity}\u0000${indent}`;
    let fixed = perCheck.get(key);
    if (fixed === undefined || !fixed.describes(finding)) {
      fixed = checkText(finding, i1, i2);
      perCheck.set(key, fixed);
    }
    const r = finding.resource;
    let text =
      `${fixed.head}${i1}"status": ${JSON.stringify(finding.status)},${i1}"active": ${String(isActive(finding))},` +
      `${i1}"resource": {${i2}"apiVersion": ${JSON.stringify(r.apiVersion)},${i2}"kind": ${JSON.stringify(r.kind)},` +
      (r.namespace !== undefined ? `${i2}"namespace": ${JSON.stringify(r.namespace)},` : '') +
      `${i2}"name": ${JSON.stringify(r.name)}` +
      (r.uid !== undefined ? `,${i2}"uid": ${JSON.stringify(r.uid)}` : '') +
      `${i1}},${i1}"count": ${JSON.stringify(finding.count)},${i1}"reason": ${JSON.stringify(finding.reason)},` +
      `${i1}"message": ${JSON.stringify(finding.message)},${fixed.tail}`;
    if (location !== undefined) {
      text +=
        `,${i1}"location": {${i2}"file": ${JSON.stringify(location.file)},${i2}"line": ${JSON.stringify(location.line)}` +
        (location.document !== undefined ? `,${i2}"document": ${JSON.stringify(location.document)}` : '') +
        `${i1}}`;
    }
    if (finding.waiver !== undefined) {
      text += `,${i1}"waiver": ${JSON.stringify(waiverDocument(finding), null, 2).replaceAll('\n', i1)}`;
    }
    return `${text}\n${indent}}`;
  };
}

/** The text every finding of one check (at one severity) shares: before and after its own fields. */
interface CheckText {
  readonly head: string;
  readonly tail: string;
  /** Whether a finding carries the texts this was made from (a catalogue could reuse an id). */
  describes(finding: Finding): boolean;
}

function checkText(made: Finding, i1: string, i2: string): CheckText {
  const frameworks =
    made.frameworks.length === 0
      ? '[]'
      : `[${made.frameworks
          .map(
            (f) =>
              `${i2}{${i2}  "framework": ${JSON.stringify(f.framework)},${i2}  "control": ${JSON.stringify(f.control)}${i2}}`,
          )
          .join(',')}${i1}]`;
  return {
    head:
      `{${i1}"checkId": ${JSON.stringify(made.checkId)},${i1}"title": ${JSON.stringify(made.title)},` +
      `${i1}"severity": ${JSON.stringify(made.severity)},${i1}"category": ${JSON.stringify(made.category)},`,
    tail: `${i1}"remediation": ${JSON.stringify(made.remediation)},${i1}"frameworks": ${frameworks}`,
    describes: (finding) =>
      finding.title === made.title &&
      finding.category === made.category &&
      finding.remediation === made.remediation &&
      finding.frameworks === made.frameworks,
  };
}

export function renderJson(report: ScanReport): string {
  return [...renderJsonChunks(report)].join('');
}
