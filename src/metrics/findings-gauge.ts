/**
 * `bulwark_findings`, the one metric whose series grow with the cluster: one per policy,
 * namespace, severity and check, ~30,000 at 2,000 namespaces. prom-client formats every
 * series of every metric on each scrape; for this one that took 150–300 ms of the event
 * loop per scrape (profiled under the scale bench's churn), during which no watch event,
 * write response or reconcile moved.
 *
 * Series are kept in groups, one per (policy, namespace), and each group's exposition
 * lines are built once and reused until the group changes, so a scrape joins ~2,000
 * strings instead of formatting ~30,000 label sets. The prom-client Gauge underneath still
 * holds every series, so `getMetricsAsJSON` and anything else that reads the registry see
 * the same values.
 */
import type { Gauge } from 'prom-client';

export type FindingsLabel = 'policy' | 'namespace' | 'severity' | 'check';

interface Group {
  readonly policy: string;
  readonly namespace: string;
  /** `severity NUL check` → active findings. */
  readonly series: ReadonlyMap<string, number>;
  /** The group's exposition lines, built on the first scrape after a change. */
  text: string | undefined;
}

const SEPARATOR = '\u0000';

/**
 * Few distinct series keys exist (checks × severities), and every namespace's group holds
 * them: each is kept once, not once per namespace.
 */
const seriesKeys = new Map<string, string>();

/** The series key of a severity and check (see FindingsGauge.replace). */
export function seriesOf(severity: string, check: string): string {
  const key = `${severity}${SEPARATOR}${check}`;
  const known = seriesKeys.get(key);
  if (known !== undefined) return known;
  seriesKeys.set(key, key);
  return key;
}

/** A label value as the text exposition format writes it. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export class FindingsGauge {
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly gauge: Gauge<FindingsLabel>,
    private readonly name: string,
    private readonly help: string,
  ) {}

  /** Sets the series of one policy and namespace to `series` (seriesOf → count); others of the group go. */
  replace(policy: string, namespace: string, series: ReadonlyMap<string, number>): void {
    const key = `${policy}${SEPARATOR}${namespace}`;
    const before = this.groups.get(key);
    let changed = before === undefined || before.series.size !== series.size;
    for (const old of before?.series.keys() ?? []) {
      if (series.has(old)) continue;
      this.gauge.remove(labelsOf(policy, namespace, old));
      changed = true;
    }
    // prom-client hashes the labels of every set (~12 µs, profiled); a namespace rebuilt
    // for one changed finding keeps most of its series' values.
    for (const [name, value] of series) {
      if (before?.series.get(name) === value) continue;
      this.gauge.set(labelsOf(policy, namespace, name), value);
      changed = true;
    }
    if (series.size === 0) this.groups.delete(key);
    else if (changed || before === undefined)
      this.groups.set(key, { policy, namespace, series, text: undefined });
    // The same series with the same values: the cached lines still hold.
    else this.groups.set(key, { ...before, series });
  }

  /** Removes every series of one policy and namespace. */
  drop(policy: string, namespace: string): void {
    this.replace(policy, namespace, new Map());
  }

  /** The metric in the text exposition format, as prom-client would write it (series in group order). */
  exposition(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`];
    for (const group of this.groups.values()) {
      group.text ??= this.render(group);
      lines.push(group.text);
    }
    return lines.join('\n');
  }

  private render(group: Group): string {
    const prefix = `${this.name}{policy="${escapeLabelValue(group.policy)}",namespace="${escapeLabelValue(group.namespace)}"`;
    const lines: string[] = [];
    for (const [name, value] of group.series) {
      const split = name.indexOf(SEPARATOR);
      const severity = escapeLabelValue(name.slice(0, split));
      const check = escapeLabelValue(name.slice(split + 1));
      lines.push(`${prefix},severity="${severity}",check="${check}"} ${value}`);
    }
    return lines.join('\n');
  }
}

function labelsOf(policy: string, namespace: string, series: string): Record<FindingsLabel, string> {
  const split = series.indexOf(SEPARATOR);
  return { policy, namespace, severity: series.slice(0, split), check: series.slice(split + 1) };
}
