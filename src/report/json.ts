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
 * same text for every finding of a check, so it is serialized once per check and reused,
 * as are the keys with their indentation. Looked up by check and severity without making a
 * string key, and with values quoted by `jsonString`: on the 10k bench set's 30,000
 * findings, dropping both took the report's cold rendering from ~100-150 to ~60 ms.
 */
export function findingJson(): (entry: ReportFinding, indent: string) => string {
  const perCheck = new Map<string, Map<string, CheckText>>();
  let keys = findingKeys('');
  return (entry, indent) => {
    if (indent !== keys.indent) {
      keys = findingKeys(indent);
      perCheck.clear();
    }
    const { finding, location } = entry;
    let bySeverity = perCheck.get(finding.checkId);
    if (bySeverity === undefined) {
      bySeverity = new Map();
      perCheck.set(finding.checkId, bySeverity);
    }
    let fixed = bySeverity.get(finding.severity);
    if (fixed === undefined || !fixed.describes(finding)) {
      fixed = checkText(finding, keys.i1, keys.i2);
      bySeverity.set(finding.severity, fixed);
    }
    const r = finding.resource;
    let text =
      fixed.head +
      keys.status +
      jsonString(finding.status) +
      (isActive(finding) ? keys.activeTrue : keys.activeFalse) +
      jsonString(r.apiVersion) +
      keys.kind +
      jsonString(r.kind) +
      (r.namespace !== undefined ? keys.namespace + jsonString(r.namespace) : '') +
      keys.name +
      jsonString(r.name) +
      (r.uid !== undefined ? keys.uid + jsonString(r.uid) : '') +
      keys.count +
      jsonNumber(finding.count) +
      keys.reason +
      jsonString(finding.reason) +
      keys.message +
      jsonString(finding.message) +
      fixed.tail;
    if (location !== undefined) {
      text +=
        keys.file +
        jsonString(location.file) +
        keys.line +
        jsonNumber(location.line) +
        (location.document !== undefined ? keys.document + jsonNumber(location.document) : '') +
        keys.locationEnd;
    }
    if (finding.waiver !== undefined) {
      text += `,${keys.i1}"waiver": ${JSON.stringify(waiverDocument(finding), null, 2).replaceAll('\n', keys.i1)}`;
    }
    return text + keys.end;
  };
}

/** The keys of a finding's own fields with the punctuation and indentation around them. */
function findingKeys(indent: string) {
  const i1 = `\n${indent}  `;
  const i2 = `${i1}  `;
  return {
    indent,
    i1,
    i2,
    status: `${i1}"status": `,
    activeTrue: `,${i1}"active": true,${i1}"resource": {${i2}"apiVersion": `,
    activeFalse: `,${i1}"active": false,${i1}"resource": {${i2}"apiVersion": `,
    kind: `,${i2}"kind": `,
    namespace: `,${i2}"namespace": `,
    name: `,${i2}"name": `,
    uid: `,${i2}"uid": `,
    count: `${i1}},${i1}"count": `,
    reason: `,${i1}"reason": `,
    message: `,${i1}"message": `,
    file: `,${i1}"location": {${i2}"file": `,
    line: `,${i2}"line": `,
    document: `,${i2}"document": `,
    locationEnd: `${i1}}`,
    end: `\n${indent}}`,
  } as const;
}

// What JSON.stringify escapes in a string: control characters, the quote, the backslash and
// (as lone surrogates) any surrogate; strings with none are quoted as they are.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** A string as JSON.stringify gives it, without its cost for the common plain string. */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** A number as JSON.stringify gives it. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
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
    tail: `,${i1}"remediation": ${JSON.stringify(made.remediation)},${i1}"frameworks": ${frameworks}`,
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
