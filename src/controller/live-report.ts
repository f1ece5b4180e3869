/**
 * Live reports as the controller keeps them: not whole, but as the two things a reconcile
 * needs from them.
 *
 * - The hash of their body (the fields the controller writes), to tell whether a freshly
 *   built body differs and must be written, and whether a watch event is the echo of our
 *   own write or a hand edit to undo.
 * - Their findings cut to what carries over into the next body (first-seen and
 *   last-changed times, who changed the resource, the waiver) and what drift is counted
 *   from (check, resource, severity). A report lists findings under their resource; kept
 *   here, each finding points at its resource instead, which is what the reconciler looks
 *   them up by.
 *
 * Kept whole, 2,000 namespace reports of ~50 KB each cost ~140 MB of heap, and the
 * canonical text kept to compare them another ~100 MB; this way they cost a few kilobytes
 * each, which is what lets 100,000 watched objects fit SPEC §10's 400 MiB.
 */
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import type { ReportFinding } from './report-content.js';
import { contentHash, findingKey } from './report-content.js';
import { internJson, internMessage, shareJson, trimMetadata, withFieldsInObject } from './trim.js';

/** The fields of a report body, as the controller writes them. */
const BODY_FIELDS = [
  'policy',
  'scope',
  'score',
  'summary',
  'checks',
  'resources',
  'omitted',
  'namespaces',
] as const;

/** What of a previous finding carries over, or is compared, or is counted as drift. */
const FINDING_FIELDS = [
  'checkId',
  'severity',
  'count',
  'message',
  'firstSeen',
  'lastChanged',
  'changedBy',
  'waiver',
] as const;

/** The field of a compacted live report holding its body hash. */
const BODY_HASH = 'bodyHash';

/** The parts of a live report the controller writes, read back for comparison. */
export function liveBodyOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  if (obj === undefined) return undefined;
  const body: Record<string, unknown> = {};
  for (const field of BODY_FIELDS) {
    if (obj[field] !== undefined) body[field] = obj[field];
  }
  return body;
}

// A report that did not come through compactLiveReport (tests hand the reconciler whole
// ones) is hashed once.
const hashes = new WeakMap<KubeObject, string>();

/** The content hash of a live report's body; equal to `contentHash` of the body written. */
export function liveBodyHash(obj: KubeObject): string {
  const stored = obj[BODY_HASH];
  if (typeof stored === 'string') return stored;
  let hash = hashes.get(obj);
  if (hash === undefined) {
    hash = contentHash(liveBodyOf(obj));
    hashes.set(obj, hash);
  }
  return hash;
}

function compactFinding(finding: Record<string, unknown>, resource: unknown, changedBy: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (const field of FINDING_FIELDS) {
    const value = field === 'changedBy' ? changedBy : finding[field];
    if (value === undefined) continue;
    // Who changed a resource, and a waiver, repeat across a report's findings; check IDs,
    // severities, the times of one pass and most messages across reports.
    out[field] =
      field === 'message' && typeof value === 'string'
        ? internMessage(value)
        : field === 'changedBy' || field === 'waiver'
          ? shareJson(value)
          : internJson(value);
  }
  out['resource'] = resource;
  // 90,000 of these at 100,000 watched objects (measured): 40 bytes each saved.
  return withFieldsInObject(out);
}

/**
 * Calls `visit` with each finding a report lists, the resource it is listed under, and who
 * changed that resource: the finding's own, else the one the resource says for its findings.
 */
function forEachListedFinding(
  report: KubeObject,
  visit: (finding: Record<string, unknown>, resource: Record<string, unknown>, changedBy: unknown) => void,
): void {
  const resources = report['resources'];
  if (!Array.isArray(resources)) return;
  for (const resource of resources) {
    if (!isRecord(resource) || !Array.isArray(resource['findings'])) continue;
    for (const finding of resource['findings']) {
      if (isRecord(finding)) visit(finding, resource, finding['changedBy'] ?? resource['changedBy']);
    }
  }
}

/**
 * A report reflector's trim: metadata, the body hash and the findings cut down as above.
 * Undefined for input without a name (the reflector skips it).
 */
export function compactLiveReport(object: unknown): KubeObject | undefined {
  if (!isRecord(object)) return undefined;
  const metadata = trimMetadata(object['metadata']);
  if (metadata === undefined || typeof metadata['name'] !== 'string') return undefined;
  delete metadata['managedFields'];
  // Carried over when the report is replaced, so another controller's finalizer stays.
  const finalizers = isRecord(object['metadata']) ? object['metadata']['finalizers'] : undefined;
  if (Array.isArray(finalizers) && finalizers.length > 0) metadata['finalizers'] = finalizers;
  const findings: unknown[] = [];
  forEachListedFinding(object as KubeObject, (finding, resource, changedBy) => {
    // findingKey reads kind, namespace and name; apiVersion and uid only fill the report.
    const { kind, namespace, name } = resource;
    const ref = shareJson({ kind, name, ...(namespace !== undefined ? { namespace } : {}) });
    findings.push(compactFinding(finding, ref, changedBy));
  });
  return {
    apiVersion: object['apiVersion'] as string,
    kind: object['kind'] as string,
    metadata,
    [BODY_HASH]: contentHash(liveBodyOf(object as KubeObject)),
    findings,
  };
}

/** The findings of a live report (whole or compacted) by findingKey, each with its resource. */
export function previousFindings(obj: KubeObject | undefined): Map<string, ReportFinding> {
  const map = new Map<string, ReportFinding>();
  if (obj === undefined) return map;
  const add = (finding: Record<string, unknown>): void => {
    if (typeof finding['checkId'] === 'string' && isRecord(finding['resource'])) {
      const typed = finding as unknown as ReportFinding;
      map.set(findingKey(typed), typed);
    }
  };
  if (typeof obj[BODY_HASH] === 'string') {
    // Compacted: its findings point at their resources already.
    const findings = obj['findings'];
    if (Array.isArray(findings)) for (const f of findings) if (isRecord(f)) add(f);
  } else {
    forEachListedFinding(obj, (finding, resource, changedBy) =>
      add({ ...finding, resource, ...(changedBy !== undefined ? { changedBy } : {}) }),
    );
  }
  return map;
}
