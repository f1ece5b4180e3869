/**
 * Every metric the controller exports (SPEC §5), in one place so names, help texts and
 * labels are reviewed together and the dashboard/alert tests can list them. Label values
 * are bounded: policy, namespace, severity, check, kind — never a resource name.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FindingsGauge } from './findings-gauge.js';

export interface Metrics {
  readonly registry: Registry;
  readonly findings: FindingsGauge;
  readonly complianceScore: Gauge<'policy' | 'namespace'>;
  readonly findingsNew: Counter<'policy' | 'severity' | 'check'>;
  readonly findingsResolved: Counter<'policy' | 'severity' | 'check'>;
  readonly baselineDrift: Gauge<'policy' | 'severity'>;
  readonly exceptions: Gauge<'policy' | 'state'>;
  readonly watchedObjects: Gauge<'kind'>;
  readonly watchRestarts: Counter<'kind' | 'reason'>;
  readonly evaluationDuration: Histogram<'scope'>;
  readonly eventToReport: Histogram;
  readonly queueDepth: Gauge;
  readonly reportWrites: Counter<'result'>;
  readonly apiErrors: Counter<'verb' | 'code'>;
  readonly lastFullEvaluation: Gauge;
  readonly leader: Gauge;
  readonly policyValid: Gauge<'policy'>;
}

export const METRIC_PREFIX = 'bulwark_';

const FINDINGS = 'bulwark_findings';
const FINDINGS_HELP = 'Current active findings (not waived by a live exception).';

/**
 * What /metrics serves: the registry in the text format, as `registry.metrics()` writes
 * it, except that bulwark_findings comes from its own cache (see findings-gauge.ts).
 */
export async function exposition(metrics: Metrics): Promise<string> {
  const parts: string[] = [];
  for (const metric of metrics.registry.getMetricsAsArray()) {
    parts.push(
      metric.name === FINDINGS
        ? metrics.findings.exposition()
        : await metrics.registry.getSingleMetricAsString(metric.name),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    findings: new FindingsGauge(
      new Gauge({
        name: FINDINGS,
        help: FINDINGS_HELP,
        labelNames: ['policy', 'namespace', 'severity', 'check'],
        registers,
      }),
      FINDINGS,
      FINDINGS_HELP,
    ),
    complianceScore: new Gauge({
      name: 'bulwark_compliance_score',
      help: 'Severity-weighted share of passing (check, resource) pairs, 0-100; namespace="" is the cluster scope.',
      labelNames: ['policy', 'namespace'],
      registers,
    }),
    findingsNew: new Counter({
      name: 'bulwark_findings_new_total',
      help: 'Findings that appeared since the controller started.',
      labelNames: ['policy', 'severity', 'check'],
      registers,
    }),
    findingsResolved: new Counter({
      name: 'bulwark_findings_resolved_total',
      help: 'Findings that disappeared since the controller started.',
      labelNames: ['policy', 'severity', 'check'],
      registers,
    }),
    baselineDrift: new Gauge({
      name: 'bulwark_baseline_drift',
      help: "Active findings first seen after the policy's accepted baseline.",
      labelNames: ['policy', 'severity'],
      registers,
    }),
    exceptions: new Gauge({
      name: 'bulwark_exceptions',
      help: 'Policy exceptions by state: active, expiring (within 7 days) or expired.',
      labelNames: ['policy', 'state'],
      registers,
    }),
    watchedObjects: new Gauge({
      name: 'bulwark_watched_objects',
      help: 'Objects held in the watch caches.',
      labelNames: ['kind'],
      registers,
    }),
    watchRestarts: new Counter({
      name: 'bulwark_watch_restarts_total',
      help: 'Watch restarts by kind and reason (gone, error, stall, closed).',
      labelNames: ['kind', 'reason'],
      registers,
    }),
    evaluationDuration: new Histogram({
      name: 'bulwark_evaluation_duration_seconds',
      help: 'Time to evaluate one scope (namespace, cluster or full).',
      labelNames: ['scope'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    eventToReport: new Histogram({
      name: 'bulwark_event_to_report_seconds',
      help: 'Time from a watch event to the report that reflects it being written or confirmed unchanged.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'bulwark_queue_depth',
      help: 'Scopes waiting to be reconciled.',
      registers,
    }),
    reportWrites: new Counter({
      name: 'bulwark_report_writes_total',
      help: 'Report writes by result (created, updated, deleted, status for policy status, conflict, error).',
      labelNames: ['result'],
      registers,
    }),
    apiErrors: new Counter({
      name: 'bulwark_api_errors_total',
      help: 'Kubernetes API errors by verb and HTTP status code (0 when no response arrived).',
      labelNames: ['verb', 'code'],
      registers,
    }),
    lastFullEvaluation: new Gauge({
      name: 'bulwark_last_full_evaluation_timestamp_seconds',
      help: 'Unix time of the last completed full evaluation.',
      registers,
    }),
    leader: new Gauge({
      name: 'bulwark_leader',
      help: '1 when this replica holds the leader lease, else 0.',
      registers,
    }),
    policyValid: new Gauge({
      name: 'bulwark_policy_valid',
      help: '1 when the latest generation of the policy is valid, 0 when the controller is using an older one or none.',
      labelNames: ['policy'],
      registers,
    }),
  };
}
