/**
 * kube-apiserver keeps an audit trail: an audit policy (`--audit-policy-file`; without one
 * nothing is recorded, whatever else is set), a destination (`--audit-log-path`, or a
 * webhook backend with `--audit-webhook-config-file`), and, for a log file, retention that
 * keeps enough history to investigate an incident: `--audit-log-maxage` days,
 * `--audit-log-maxbackup` files and `--audit-log-maxsize` megabytes of at least the
 * parameters' values (CIS: 30, 10 and 100). Read: those flags in the kube-apiserver static
 * pod's command and args. The retention flags do not apply when the log goes to standard
 * output (`--audit-log-path=-`) or only to a webhook. One finding lists everything missing.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { checkError, fail, PASS } from '../../engine/types.js';
import type { CommandLine } from './flags.js';
import { isSet, readCommandLine } from './flags.js';

const RETENTION = [
  { flag: 'audit-log-maxage', param: 'minAuditLogMaxAge' },
  { flag: 'audit-log-maxbackup', param: 'minAuditLogMaxBackup' },
  { flag: 'audit-log-maxsize', param: 'minAuditLogMaxSize' },
] as const;

function retentionProblem(
  flags: CommandLine,
  flag: string,
  minimum: number,
): string | { invalid: string } | undefined {
  const raw = flags.value(flag);
  if (raw === undefined || raw.trim() === '') return `--${flag} is not set (want at least ${minimum})`;
  if (!/^[+-]?\d+$/.test(raw.trim())) return { invalid: `--${flag}=${raw.slice(0, 40)} is not an integer` };
  const value = Number(raw);
  return value < minimum ? `--${flag}=${value} (want at least ${minimum})` : undefined;
}

export const check: ObjectCheck = {
  id: 'cp.apiserver-audit-log',
  title: 'API server keeps an audit log',
  description:
    'Without an audit policy and a destination, kube-apiserver records no audit events, and an incident cannot be ' +
    'reconstructed. A log file must also be retained long enough: --audit-log-maxage, --audit-log-maxbackup and ' +
    '--audit-log-maxsize at least the configured minimums.',
  severity: 'medium',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.16' },
    { framework: 'CIS', control: '1.2.17' },
    { framework: 'CIS', control: '1.2.18' },
    { framework: 'CIS', control: '1.2.19' },
    { framework: 'NSA-CISA', control: 'Audit logging: Kubernetes native audit logging configuration' },
  ],
  remediation:
    'Write an audit policy (at least Metadata level for all requests, never RequestResponse for Secrets), and set ' +
    '--audit-policy-file, --audit-log-path (with its directory mounted from the host), --audit-log-maxage=30, ' +
    '--audit-log-maxbackup=10 and --audit-log-maxsize=100 in the kube-apiserver static pod manifest; ship the log ' +
    'off the node.',
  params: {
    minAuditLogMaxAge: {
      type: 'number',
      description: 'Least --audit-log-maxage (days) accepted.',
      default: 30,
      minimum: 0,
    },
    minAuditLogMaxBackup: {
      type: 'number',
      description: 'Least --audit-log-maxbackup (files) accepted.',
      default: 10,
      minimum: 0,
    },
    minAuditLogMaxSize: {
      type: 'number',
      description: 'Least --audit-log-maxsize (megabytes) accepted.',
      default: 100,
      minimum: 0,
    },
  },
  scope: 'object',
  evaluate(object, ctx) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    const { flags } = read;
    const problems: string[] = [];
    if (!isSet(flags, 'audit-policy-file'))
      problems.push('--audit-policy-file is not set, so nothing is audited');
    const logPath = flags.value('audit-log-path')?.trim() ?? '';
    if (logPath === '' && !isSet(flags, 'audit-webhook-config-file')) {
      problems.push('--audit-log-path is not set');
    }
    if (logPath !== '' && logPath !== '-') {
      for (const { flag, param: name } of RETENTION) {
        const minimum = param<number>(ctx, check, name);
        const problem = retentionProblem(flags, flag, typeof minimum === 'number' ? minimum : 0);
        if (typeof problem === 'object') return checkError('InvalidFlag', problem.invalid);
        if (problem !== undefined) problems.push(problem);
      }
    }
    if (problems.length === 0) return PASS;
    return fail('AuditLogIncomplete', `kube-apiserver audit logging is incomplete: ${problems.join('; ')}`);
  },
};
