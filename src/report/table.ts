/**
 * The human report: findings grouped by namespace (cluster-scoped last), worst first, one
 * line each with severity, resource, check and message, then where the resource was read.
 * Each group opens with its score and counts; a closing line sums up the scan. Waived
 * findings are counted but listed only with `showWaived`, since an accepted risk is not
 * news; an exception that has expired is an ordinary finding again and says so.
 */
import type { Finding, Severity } from '../engine/types.js';
import { isActive, SEVERITY_RANK } from '../engine/types.js';
import type { NamespaceSummary, ReportFinding, ScanReport } from './model.js';
import { describeCounts, resourceName, scopeOf } from './model.js';

export interface TableOptions {
  /** ANSI colours (the CLI decides: a TTY, and neither `--no-color` nor `NO_COLOR`). */
  readonly color: boolean;
  readonly showWaived: boolean;
}

const RESET = '\u001b[0m';
const STYLES = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  green: '\u001b[32m',
} as const;
type Style = keyof typeof STYLES;

const SEVERITY_STYLE: Readonly<Record<Severity, readonly Style[]>> = {
  critical: ['bold', 'magenta'],
  high: ['red'],
  medium: ['yellow'],
  low: ['blue'],
};

// Wide enough for most IDs and names; longer ones push the message right rather than wrap.
const MAX_RESOURCE_WIDTH = 40;
const MAX_CHECK_WIDTH = 34;

function paint(text: string, styles: readonly Style[], color: boolean): string {
  return color && styles.length > 0 ? `${styles.map((s) => STYLES[s]).join('')}${text}${RESET}` : text;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function scopeTitle(ns: NamespaceSummary): string {
  return ns.namespace === '' ? 'cluster-scoped resources' : `namespace ${ns.namespace}`;
}

function waiverNote(finding: Finding): string {
  const waiver = finding.waiver;
  if (waiver === undefined) return '';
  const by = [waiver.owner !== undefined ? `by ${waiver.owner}` : '', waiver.ticket ?? ''].filter(Boolean).join(', ');
  if (waiver.expired) return ` [exception expired ${waiver.expires ?? ''}: ${waiver.reason}]`;
  return ` [waived${by !== '' ? ` ${by}` : ''}: ${waiver.reason}${waiver.expires !== undefined ? `; until ${waiver.expires}` : ''}]`;
}

function findingLine(entry: ReportFinding, widths: { resource: number; check: number }, options: TableOptions): string {
  const { finding, location } = entry;
  const active = isActive(finding);
  const label = active ? finding.severity.toUpperCase() : 'WAIVED';
  const severity = paint(pad(label, 8), active ? SEVERITY_STYLE[finding.severity] : ['dim'], options.color);
  const resource = finding.count > 1 ? `${resourceName(finding)} (×${finding.count})` : resourceName(finding);
  const message = finding.status === 'error' ? `could not check: ${finding.message}` : finding.message;
  const where = location !== undefined ? paint(`  ${location.file}:${location.line}`, ['dim'], options.color) : '';
  return `  ${severity}  ${pad(resource, widths.resource)}  ${pad(finding.checkId, widths.check)}  ${message}${waiverNote(finding)}${where}`;
}

export function renderTable(report: ScanReport, options: TableOptions): string {
  const out: string[] = [];
  const { color } = options;
  const shown = report.findings.filter((entry) => options.showWaived || isActive(entry.finding));
  const byNamespace = new Map<string, ReportFinding[]>();
  for (const entry of shown) {
    const ns = scopeOf(entry.finding);
    const list = byNamespace.get(ns) ?? [];
    list.push(entry);
    byNamespace.set(ns, list);
  }
  // Worst first within each group; the sort is stable, so the engine's order holds among equals.
  for (const list of byNamespace.values()) list.sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity]);
  const widths = { resource: 0, check: 0 };
  for (const { finding } of shown) {
    const resource = resourceName(finding).length + (finding.count > 1 ? ` (×${finding.count})`.length : 0);
    widths.resource = Math.min(MAX_RESOURCE_WIDTH, Math.max(widths.resource, resource));
    widths.check = Math.min(MAX_CHECK_WIDTH, Math.max(widths.check, finding.checkId.length));
  }

  const { inputs } = report;
  out.push(
    paint(`Bulwark ${report.tool.version}`, ['bold'], color) +
      ` · policy ${report.policy} · ${inputs.objects} object${inputs.objects === 1 ? '' : 's'} from ${inputs.files} file${inputs.files === 1 ? '' : 's'}`,
  );
  for (const ns of report.namespaces) {
    const entries = byNamespace.get(ns.namespace) ?? [];
    const active = describeCounts(ns.counts);
    // Namespaces with nothing to say are summed up at the end, not listed one by one.
    if (entries.length === 0 && ns.waived === 0 && active === 'no findings') continue;
    const waived = ns.waived > 0 ? ` · ${ns.waived} waived` : '';
    out.push('');
    out.push(`${paint(scopeTitle(ns), ['bold'], color)} · score ${scoreText(ns.score, color)} · ${active}${waived}`);
    for (const entry of entries) out.push(findingLine(entry, widths, options));
  }
  const clean = report.namespaces.filter((ns) => ns.namespace !== '' && ns.waived === 0 && describeCounts(ns.counts) === 'no findings');
  if (clean.length > 0) {
    out.push('');
    const names = clean.map((ns) => ns.namespace);
    const listed = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;
    out.push(`${paint('no findings', ['green'], color)} in ${clean.length} namespace${clean.length === 1 ? '' : 's'}: ${listed}`);
  }
  out.push('');
  out.push(summaryLine(report, options));
  return `${out.join('\n')}\n`;
}

function scoreText(score: number, color: boolean): string {
  const style: Style = score >= 90 ? 'green' : score >= 60 ? 'yellow' : 'red';
  return paint(`${score}/100`, [style], color);
}

function summaryLine(report: ScanReport, options: TableOptions): string {
  const { summary } = report;
  const parts = [`score ${scoreText(summary.score, options.color)}`, describeCounts(summary.counts)];
  if (summary.waived > 0) {
    parts.push(options.showWaived ? `${summary.waived} waived` : `${summary.waived} waived (not listed; --show-waived lists them)`);
  }
  if (summary.undecided > 0) parts.push(`${summary.undecided} undecided (malformed fields)`);
  if (summary.inputErrors > 0) parts.push(`${summary.inputErrors} input error${summary.inputErrors === 1 ? '' : 's'} (listed on stderr)`);
  return `${paint('Summary:', ['bold'], options.color)} ${parts.join(' · ')}`;
}
