/**
 * Configuration of `bulwark run`, from flags and, for each flag, an environment variable
 * (`--write-qps` ↔ `BULWARK_WRITE_QPS`), flags winning. Values are validated up front with
 * a message naming the flag, so a bad Deployment fails at start, not an hour later.
 */
import type { LogLevel } from '../../logging/logger.js';
import { LOG_LEVELS } from '../../logging/logger.js';

export interface RunOptions {
  readonly kubeconfig: string | undefined;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly leaderElect: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly resyncSeconds: number;
  readonly debounceMs: number;
  readonly writeQps: number;
  readonly writeBurst: number;
  readonly workers: number;
  readonly maxReportBytes: number;
}

interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean' | 'duration';
  readonly default: string;
  readonly help: string;
}

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    default: '',
    help: 'kubeconfig file; empty uses KUBECONFIG, ~/.kube/config, then in-cluster',
  },
  {
    name: 'metrics-bind-address',
    type: 'string',
    default: '0.0.0.0:8080',
    help: 'host:port for /metrics, /healthz and /readyz',
  },
  { name: 'log-level', type: 'string', default: 'info', help: `one of ${LOG_LEVELS.join(', ')}` },
  {
    name: 'leader-elect',
    type: 'boolean',
    default: 'true',
    help: 'elect a leader on a Lease so replicas can run side by side; only the leader writes',
  },
  {
    name: 'lease-namespace',
    type: 'string',
    default: '',
    help: 'namespace of the Lease (default: POD_NAMESPACE, else bulwark-system)',
  },
  { name: 'lease-name', type: 'string', default: 'bulwark-leader', help: 'name of the Lease' },
  {
    name: 'resync-period',
    type: 'duration',
    default: '10m',
    help: 'full re-evaluation period that heals anything missed',
  },
  {
    name: 'debounce',
    type: 'duration',
    default: '200ms',
    help: 'window in which further events on a scope give one evaluation (a lone event runs at once)',
  },
  // 20 changes a second in as many namespaces need 20 report writes a second (SPEC §10), and
  // the roll-up and policy status more: at 10 a second the backlog, and every change's
  // latency, grew without bound (bench:controller:scale). 25 leaves headroom and is still a
  // small fraction of what an API server takes.
  { name: 'write-qps', type: 'number', default: '25', help: 'API writes per second (steady rate)' },
  {
    name: 'write-burst',
    type: 'number',
    default: '50',
    help: 'API writes allowed at once after a quiet spell',
  },
  // A reconcile that writes mostly waits for the API server: tens of milliseconds a report
  // when it is idle, several hundred when it is busy (the scale bench's flip churn). Four in
  // flight then fell behind 20 changes a second; eight kept up (event→report p50 1.18 →
  // 0.81 s, measured on one held cluster). Evaluation itself runs one at a time anyway.
  { name: 'workers', type: 'number', default: '8', help: 'scopes reconciled in parallel' },
  {
    name: 'max-report-bytes',
    type: 'number',
    default: '262144',
    help: "size budget of one report's findings list",
  },
];

export class OptionError extends Error {
  override readonly name = 'OptionError';
}

export function envName(flag: string): string {
  return `BULWARK_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** `90s`, `10m`, `1h`, `250ms` → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return value * unit;
}

export function resolveRunOptions(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): RunOptions {
  const raw = (name: string): string => {
    const spec = RUN_FLAGS.find((f) => f.name === name);
    if (spec === undefined) throw new Error(`no flag ${name}`);
    const flag = flags[name];
    if (flag !== undefined) return String(flag);
    return env[envName(name)] ?? spec.default;
  };
  const number = (name: string, min: number): number => {
    const value = Number(raw(name));
    if (!Number.isFinite(value) || value < min)
      throw new OptionError(`--${name}: must be a number >= ${min} (got "${raw(name)}")`);
    return value;
  };
  const duration = (name: string): number => {
    const value = parseDuration(raw(name));
    if (value === undefined)
      throw new OptionError(
        `--${name}: must be a duration such as 250ms, 30s, 10m or 1h (got "${raw(name)}")`,
      );
    return value;
  };
  const boolean = (name: string): boolean => {
    const value = raw(name);
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new OptionError(`--${name}: must be true or false (got "${value}")`);
  };
  const logLevel = raw('log-level');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new OptionError(`--log-level: must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const address = raw('metrics-bind-address');
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OptionError(`--metrics-bind-address: must be host:port, e.g. 0.0.0.0:8080 (got "${address}")`);
  }
  const hostname = env['HOSTNAME'] ?? 'bulwark';
  const kubeconfig = raw('kubeconfig');
  return {
    kubeconfig: kubeconfig === '' ? undefined : kubeconfig,
    metricsHost: address.slice(0, colon).replace(/^\[|\]$/g, '') || '0.0.0.0',
    metricsPort: port,
    logLevel: logLevel as LogLevel,
    leaderElect: boolean('leader-elect'),
    leaseNamespace: raw('lease-namespace') || env['POD_NAMESPACE'] || 'bulwark-system',
    leaseName: raw('lease-name'),
    identity: `${env['POD_NAME'] ?? hostname}_${Math.random().toString(36).slice(2, 8)}`,
    resyncSeconds: duration('resync-period') / 1000,
    debounceMs: duration('debounce'),
    writeQps: number('write-qps', 0.1),
    writeBurst: number('write-burst', 1),
    workers: number('workers', 1),
    maxReportBytes: number('max-report-bytes', 4096),
  };
}

export function runHelp(): string {
  const lines = RUN_FLAGS.map(
    (f) => `  --${f.name.padEnd(22)} ${f.help} (default "${f.default}"; env ${envName(f.name)})`,
  );
  return `Usage: bulwark run [flags]\n\nRuns the controller: watches the cluster, evaluates SecurityPolicies and writes\nSecurityReports, with /metrics, /healthz and /readyz.\n\nFlags:\n${lines.join('\n')}\n`;
}
