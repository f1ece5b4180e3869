/**
 * What every output format renders: the findings of one scan with where they were read,
 * per-namespace scores and counts, the checks that ran (SARIF lists them as rules) and the
 * input diagnostics. Built once by `buildReport`, so the formats agree on every number and
 * differ only in layout. Pure: time and locations come in as arguments.
 */
import type { CheckMeta } from '../engine/check.js';
import type { Tally } from '../engine/evaluate.js';
import { scoreOf } from '../engine/evaluate.js';
import type { Diagnostic, Finding, Severity } from '../engine/types.js';
import { isActive, SEVERITIES, SEVERITY_RANK } from '../engine/types.js';

/** Where a finding's resource was read. */
export interface ReportLocation {
  readonly file: string;
  /** 1-based line of the document that holds the resource. */
  readonly line: number;
  /** 1-based document number in the file. */
  readonly document?: number;
}

export interface ReportFinding {
  readonly finding: Finding;
  readonly location?: ReportLocation;
}

export type SeverityCounts = Record<Severity, number>;

export interface NamespaceSummary {
  /** `''` for cluster-scoped resources. */
  readonly namespace: string;
  readonly score: number;
  /** Active findings (not waived) by severity. */
  readonly counts: SeverityCounts;
  readonly waived: number;
}

/** A check that ran, at the severity the policy gave it. */
export interface ReportRule {
  readonly check: CheckMeta;
  readonly severity: Severity;
}

export interface ScanReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly policy: string;
  /** RFC 3339. */
  readonly generatedAt: string;
  readonly inputs: { readonly files: number; readonly documents: number; readonly objects: number };
  /** In the engine's order: namespace, then severity (worst first), check, resource. */
  readonly findings: readonly ReportFinding[];
  readonly diagnostics: readonly Diagnostic[];
  /** Namespaces in name order, the cluster scope (`''`) last. */
  readonly namespaces: readonly NamespaceSummary[];
  readonly summary: {
    readonly score: number;
    readonly counts: SeverityCounts;
    readonly waived: number;
    /** Findings a check could not decide (malformed fields). */
    readonly undecided: number;
    /** Input problems of severity `error` (unreadable files, malformed documents). */
    readonly inputErrors: number;
  };
  /** Sorted by ID. */
  readonly rules: readonly ReportRule[];
  /**
   * Where to point a finding that has no location of its own (a resource the manifests only
   * reference): SARIF consumers such as GitHub accept only results with a location.
   */
  readonly defaultLocation?: ReportLocation;
}

export interface ReportInput {
  readonly tool: { readonly name: string; readonly version: string };
  readonly policy: string;
  readonly now: Date;
  readonly inputs: ScanReport['inputs'];
  readonly findings: readonly Finding[];
  readonly tallies: ReadonlyMap<string, Tally>;
  readonly diagnostics: readonly Diagnostic[];
  readonly rules: readonly ReportRule[];
  readonly locate?: (finding: Finding) => ReportLocation | undefined;
  readonly defaultLocation?: ReportLocation;
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

export function buildReport(input: ReportInput): ScanReport {
  const perNamespace = new Map<string, { counts: SeverityCounts; waived: number }>();
  const entry = (namespace: string): { counts: SeverityCounts; waived: number } => {
    let found = perNamespace.get(namespace);
    if (found === undefined) {
      found = { counts: emptyCounts(), waived: 0 };
      perNamespace.set(namespace, found);
    }
    return found;
  };
  for (const namespace of input.tallies.keys()) entry(namespace);
  const counts = emptyCounts();
  let waived = 0;
  let undecided = 0;
  for (const finding of input.findings) {
    const ns = entry(scopeOf(finding));
    if (finding.status === 'error') undecided++;
    if (isActive(finding)) {
      ns.counts[finding.severity]++;
      counts[finding.severity]++;
    } else {
      ns.waived++;
      waived++;
    }
  }
  const total: Tally = { evaluated: 0, failed: 0 };
  for (const tally of input.tallies.values()) {
    total.evaluated += tally.evaluated;
    total.failed += tally.failed;
  }
  const namespaces = [...perNamespace.entries()]
    .map(([namespace, { counts: nsCounts, waived: nsWaived }]) => ({
      namespace,
      score: scoreOf(input.tallies.get(namespace)),
      counts: nsCounts,
      waived: nsWaived,
    }))
    .sort((a, b) => (a.namespace === '' ? 1 : b.namespace === '' ? -1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  return {
    tool: input.tool,
    policy: input.policy,
    generatedAt: input.now.toISOString(),
    inputs: input.inputs,
    findings: input.findings.map((finding) => {
      const location = input.locate?.(finding);
      return location === undefined ? { finding } : { finding, location };
    }),
    diagnostics: input.diagnostics,
    namespaces,
    summary: {
      score: scoreOf(total),
      counts,
      waived,
      undecided,
      inputErrors: input.diagnostics.filter((d) => d.severity === 'error').length,
    },
    rules: [...input.rules].sort((a, b) => (a.check.id < b.check.id ? -1 : a.check.id > b.check.id ? 1 : 0)),
    ...(input.defaultLocation !== undefined ? { defaultLocation: input.defaultLocation } : {}),
  };
}

/** Active findings at or above `threshold`; what `--fail-on` counts. */
export function countAtOrAbove(report: ScanReport, threshold: Severity): number {
  return report.findings.filter(({ finding }) => isActive(finding) && SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[threshold]).length;
}

/**
 * The namespace a finding is shown under: the resource's own, or for a Namespace object the
 * namespace it is (so "namespace tools has no NetworkPolicy" is listed with tools), or `''`
 * for cluster-scoped resources.
 */
export function scopeOf(finding: Finding): string {
  const { namespace, kind, name } = finding.resource;
  if (namespace !== undefined) return namespace;
  return kind === 'Namespace' ? name : '';
}

/** `Deployment/web`, the way kubectl names a resource. */
export function resourceName(finding: Finding): string {
  return `${finding.resource.kind}/${finding.resource.name}`;
}

/** `3 critical, 1 high`; severities with no findings are left out. */
export function describeCounts(counts: SeverityCounts): string {
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length === 0 ? 'no findings' : parts.join(', ');
}

/** The file and line a diagnostic names, when its path is `file#document` and its message starts with `line N`. */
export function diagnosticLocation(diagnostic: Diagnostic): ReportLocation | undefined {
  const hash = diagnostic.path.lastIndexOf('#');
  if (hash <= 0) return undefined;
  const file = diagnostic.path.slice(0, hash);
  const document = Number(diagnostic.path.slice(hash + 1));
  const line = /^line (\d+)/.exec(diagnostic.message);
  return {
    file,
    line: line !== null ? Number(line[1]) : 1,
    ...(Number.isInteger(document) && document > 0 ? { document } : {}),
  };
}
