/**
 * What a SecurityReport / ClusterSecurityReport says, built from an evaluation. Pure: the
 * controller supplies the clock, the previous report (for first-seen times) and the field
 * managers that changed resources.
 *
 * Reports are kept small on purpose (SPEC §9: peers' per-resource reports filled etcd):
 * one per (namespace, policy), failures only, and capped in bytes with an `omitted` count,
 * while the summary still counts everything. A check's title, category, framework
 * references and remediation are said once per report, in `checks`, not once per
 * finding: they were about half of a report's bytes, and every write costs the API server
 * CPU in proportion to its size (~0.85 ms per KiB measured here: at 20 changes a second
 * on 2 cores, that decides whether reports keep up). A content hash lets the writer skip a
 * write when nothing changed, also across restarts.
 */
import { createHash } from 'node:crypto';
import type { Tally } from '../engine/evaluate.js';
import { scoreOf } from '../engine/evaluate.js';
import { resourceKey } from '../engine/owner.js';
import type { Finding, FrameworkRef, ResourceRef, Severity, Waiver } from '../engine/types.js';
import { isActive, SEVERITY_RANK } from '../engine/types.js';

/** Who last changed a resource, from its managedFields. */
export interface ChangedBy {
  readonly manager: string;
  readonly operation?: string;
  readonly time?: string;
}

/** What a report says once about a check that has findings in it. */
export interface ReportCheck {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly frameworks: readonly FrameworkRef[];
  readonly remediation: string;
}

/**
 * One failed check on one resource, as the controller reasons about it (carry-over, drift);
 * a report lists it under its resource, as a `ResourceFinding`.
 */
export interface ReportFinding extends ResourceFinding {
  readonly resource: ResourceRef;
}

/** One failed check on the resource it is listed under; its check's text is in `checks`. */
export interface ResourceFinding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly status: 'Fail' | 'Error';
  readonly count: number;
  readonly message: string;
  readonly firstSeen: string;
  readonly lastChanged: string;
  readonly changedBy?: ChangedBy;
  readonly waiver?: Waiver;
}

/**
 * A resource with findings, and its findings, most severe first. `changedBy` is said here
 * when all of them have one and names the one most of them share; a finding whose own
 * differs says its own.
 */
export interface ReportResource extends ResourceRef {
  readonly changedBy?: ChangedBy;
  readonly findings: readonly ResourceFinding[];
}

export interface ReportSummary {
  critical: number;
  high: number;
  medium: number;
  low: number;
  waived: number;
  total: number;
}

export interface ReportBody {
  readonly policy: string;
  readonly scope: string;
  readonly score: number;
  readonly summary: ReportSummary;
  /** The checks of the findings kept, in the order they first appear there. */
  readonly checks: readonly ReportCheck[];
  /**
   * The resources with findings, each said once with its findings under it, the resource
   * with the most severe finding first.
   */
  readonly resources: readonly ReportResource[];
  readonly omitted?: { readonly count: number; readonly reason: string };
}

/**
 * A report's findings, each with the resource it is listed under and who changed that
 * resource, in the report's order.
 */
export function findingsOf(body: { readonly resources: readonly ReportResource[] }): ReportFinding[] {
  return body.resources.flatMap(({ findings, changedBy, ...resource }) =>
    findings.map((f) => {
      const who = f.changedBy ?? changedBy;
      return { ...f, resource, ...(who !== undefined ? { changedBy: who } : {}) };
    }),
  );
}

/** Stable identity of a finding across evaluations: check and resource. */
export function findingKey(finding: { checkId: string; resource: ResourceRef }): string {
  return `${finding.checkId}\u0000${resourceKey(finding.resource)}`;
}

export interface BuildReportInput {
  readonly policy: string;
  /** Namespace name, or `cluster`. */
  readonly scope: string;
  readonly findings: readonly Finding[];
  readonly tally: Tally | undefined;
  /** The findings of the report as it stands, to carry first-seen times over. */
  readonly previous: ReadonlyMap<string, ReportFinding>;
  /** ISO time of this evaluation. */
  readonly now: string;
  readonly changedBy?: (finding: Finding) => ChangedBy | undefined;
  /** Budget for the serialized `resources` and `checks`; the API server's limit is far above it. */
  readonly maxBytes?: number;
}

/** What a resource's entry adds to its JSON: `,"findings":[` and `]`, less the comma of its last finding. */
const RESOURCE_ENTRY_OVERHEAD = 14;

// etcd refuses requests over 1.5 MiB and the upstream advice is objects of at most tens of
// kilobytes; 256 KiB of findings keeps even a pathological namespace far from trouble.
export const DEFAULT_MAX_REPORT_BYTES = 256 * 1024;

/**
 * Field by field: the waiver of a live report comes back from the API server with its keys
 * sorted, so comparing JSON text called every waived finding changed on each rebuild (and
 * after every restart or fail-over), moving its lastChanged and rewriting the report.
 */
function sameWaiver(a: Waiver | undefined, b: Waiver | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.reason === b.reason &&
    a.owner === b.owner &&
    a.ticket === b.ticket &&
    a.expires === b.expires &&
    a.expired === b.expired
  );
}

function severityOrder(a: ReportFinding, b: ReportFinding): number {
  const activeA = a.waiver === undefined || a.waiver.expired ? 0 : 1;
  const activeB = b.waiver === undefined || b.waiver.expired ? 0 : 1;
  return activeA - activeB || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
}

export function buildReportBody(input: BuildReportInput): ReportBody {
  const summary: ReportSummary = { critical: 0, high: 0, medium: 0, low: 0, waived: 0, total: 0 };
  const entries: ReportFinding[] = [];
  const checkOf = new Map<string, ReportCheck>();
  for (const finding of input.findings) {
    if (!checkOf.has(finding.checkId)) {
      checkOf.set(finding.checkId, {
        id: finding.checkId,
        title: finding.title,
        category: finding.category,
        frameworks: finding.frameworks,
        remediation: finding.remediation,
      });
    }
    if (isActive(finding)) {
      summary[finding.severity]++;
      summary.total++;
    } else summary.waived++;
    const before = input.previous.get(findingKey(finding));
    const unchanged =
      before !== undefined &&
      before.message === finding.message &&
      before.severity === finding.severity &&
      before.count === finding.count &&
      sameWaiver(before.waiver, finding.waiver);
    const changedBy = before?.changedBy ?? input.changedBy?.(finding);
    entries.push({
      checkId: finding.checkId,
      severity: finding.severity,
      status: finding.status === 'fail' ? 'Fail' : 'Error',
      resource: finding.resource,
      count: finding.count,
      message: finding.message,
      firstSeen: before?.firstSeen ?? input.now,
      lastChanged: unchanged ? before.lastChanged : input.now,
      ...(changedBy !== undefined ? { changedBy } : {}),
      ...(finding.waiver !== undefined ? { waiver: finding.waiver } : {}),
    });
  }

  // Keep the most severe active findings when over budget; the stable sort keeps the
  // engine's deterministic order within a severity.
  const ordered = [...entries].sort(severityOrder);
  const budget = input.maxBytes ?? DEFAULT_MAX_REPORT_BYTES;
  const checks: ReportCheck[] = [];
  const said = new Set<string>();
  const resources = new Map<string, ReportResource & { readonly findings: ResourceFinding[] }>();
  let kept = 0;
  let bytes = 0;
  for (const entry of ordered) {
    const { resource, ...listed } = entry;
    // A finding of a check, or on a resource, not yet in the report brings the check's
    // text, or the resource, with it.
    const check = said.has(entry.checkId) ? undefined : checkOf.get(entry.checkId);
    const key = resourceKey(resource);
    const group = resources.get(key);
    const size =
      JSON.stringify(listed).length +
      1 +
      (check === undefined ? 0 : JSON.stringify(check).length + 1) +
      (group === undefined ? JSON.stringify(resource).length + RESOURCE_ENTRY_OVERHEAD : 0);
    if (bytes + size > budget) break;
    bytes += size;
    kept++;
    if (group === undefined) resources.set(key, { ...resource, findings: [listed] });
    else group.findings.push(listed);
    if (check !== undefined) {
      said.add(check.id);
      checks.push(check);
    }
  }
  const omitted = ordered.length - kept;
  return {
    policy: input.policy,
    scope: input.scope,
    score: scoreOf(input.tally),
    summary,
    checks,
    resources: Array.from(resources.values(), withChangedBySaidOnce),
    ...(omitted > 0
      ? {
          omitted: {
            count: omitted,
            reason: `report size limit of ${budget} bytes reached; least severe findings left out`,
          },
        }
      : {}),
  };
}

function changedByKey(who: ChangedBy): string {
  return `${who.manager}\u0000${who.operation ?? ''}\u0000${who.time ?? ''}`;
}

/**
 * The findings of one resource mostly share who changed it (they appeared in one change), so
 * it is said once, on the resource: repeated, it was a seventh of a report's bytes. Only
 * when every finding has one: a finding without it must not seem to inherit another's.
 */
function withChangedBySaidOnce(resource: ReportResource): ReportResource {
  const counts = new Map<string, number>();
  let common: ChangedBy | undefined;
  let commonCount = 0;
  for (const f of resource.findings) {
    if (f.changedBy === undefined) return resource;
    const key = changedByKey(f.changedBy);
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > commonCount) {
      common = f.changedBy;
      commonCount = n;
    }
  }
  if (common === undefined) return resource;
  const commonKey = changedByKey(common);
  const { findings, ...ref } = resource;
  return {
    ...ref,
    changedBy: common,
    findings: findings.map((f) => {
      if (f.changedBy === undefined || changedByKey(f.changedBy) !== commonKey) return f;
      const { changedBy, ...rest } = f;
      return rest;
    }),
  };
}

function hasSortedKeys(object: Record<string, unknown>): boolean {
  let previous = '';
  for (const key in object) {
    if (key < previous) return false;
    previous = key;
  }
  return true;
}

/** JSON.stringify's replacer for canonicalJson: objects whose keys are out of order are re-keyed. */
function sortedKeys(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  if (hasSortedKeys(object)) return object;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) out[key] = object[key];
  return out;
}

/**
 * Canonical JSON: keys sorted (code-unit order), undefined members left out, so equal
 * content always hashes the same. Native JSON.stringify with a replacer that copies only
 * the objects whose keys are out of order: about three times faster than building the
 * text by hand on a 50 KB report, which every reconcile compares.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys);
}

/**
 * A digest of what a report body is built from, besides the check metadata (titles,
 * remediation, frameworks), which cannot change while the controller runs, and the
 * previous report. If the digest and the live report are both as they were after the last
 * reconcile of a scope, rebuilding the body would give that reconcile's body again: a
 * cluster at rest is re-evaluated without building, hashing or comparing any report.
 */
export function evaluationDigest(findings: readonly Finding[], tally: Tally | undefined): string {
  // Fed a finding at a time: joined first, the text of a namespace's findings was one more
  // copy of it per evaluation (~50 MB a full pass at 100,000 objects, measured).
  const hash = createHash('sha256').update(tally === undefined ? '-' : `${tally.evaluated}/${tally.failed}`);
  for (const f of findings) {
    const r = f.resource;
    hash.update(
      `\u0000${f.checkId}\u0001${r.apiVersion}\u0001${r.kind}\u0001${r.namespace ?? ''}\u0001${r.name}\u0001${r.uid ?? ''}` +
        `\u0001${f.severity}\u0001${f.status}\u0001${f.count}\u0001${f.message}` +
        `\u0001${f.waiver === undefined ? '' : JSON.stringify(f.waiver)}`,
    );
  }
  return hash.digest('base64');
}

export function contentHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 32);
}
