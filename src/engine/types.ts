/**
 * The vocabulary shared by the engine, the checks and every shell around them
 * (scanner, controller, report writers). Nothing here performs I/O.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse; used for sorting and `--fail-on` thresholds. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export const CATEGORIES = [
  'pod-security',
  'workload',
  'rbac',
  'service-account',
  'namespace',
  'network',
  'control-plane',
  'custom',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PROFILES = [
  'pss-baseline',
  'pss-restricted',
  'workloads',
  'rbac',
  'service-accounts',
  'namespaces',
  'network',
  'control-plane',
] as const;
export type Profile = (typeof PROFILES)[number];

export type Framework = 'PSS' | 'CIS' | 'NSA-CISA' | 'MITRE';

/** A control in an external framework, e.g. `{framework: 'CIS', control: '5.1.1'}`. */
export interface FrameworkRef {
  readonly framework: Framework;
  readonly control: string;
}

/** Identifies the object a finding is about (for pods, their top-level owner). */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/**
 * The outcome of one check on one subject. A check never throws on odd input:
 * a broken field or expression is `error`, never pass or fail.
 */
export type CheckOutcome =
  | { readonly status: 'pass' }
  | { readonly status: 'skip'; readonly reason: string }
  | { readonly status: 'fail'; readonly reason: string; readonly message: string }
  | { readonly status: 'error'; readonly reason: string; readonly message: string };

export type CheckStatus = CheckOutcome['status'];

export const PASS: CheckOutcome = Object.freeze({ status: 'pass' });

export function fail(reason: string, message: string): CheckOutcome {
  return { status: 'fail', reason, message };
}

export function skip(reason: string): CheckOutcome {
  return { status: 'skip', reason };
}

export function checkError(reason: string, message: string): CheckOutcome {
  return { status: 'error', reason, message };
}

/** An accepted risk that matched a finding; the finding stays visible as waived. */
export interface Waiver {
  readonly reason: string;
  readonly owner?: string;
  readonly ticket?: string;
  readonly expires?: string;
  /** True when the exception matched but its expiry has passed: it no longer applies. */
  readonly expired: boolean;
}

export interface Finding {
  readonly checkId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly frameworks: readonly FrameworkRef[];
  readonly resource: ResourceRef;
  /** `fail` is a violation; `error` means the check could not decide (malformed input). */
  readonly status: 'fail' | 'error';
  readonly reason: string;
  readonly message: string;
  readonly remediation: string;
  /** How many objects this finding stands for (e.g. the replicas of one Deployment). */
  readonly count: number;
  /** Where the finding came from when it is not the resource itself, e.g. `manifests/app.yaml#2`. */
  readonly source?: string;
  readonly waiver?: Waiver;
}

/** A finding is active (counts against the score) unless a live exception waives it. */
export function isActive(finding: Finding): boolean {
  return finding.waiver === undefined || finding.waiver.expired;
}

/** A problem with the input or the policy, named by where it is; the evaluation goes on. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Field path or location, e.g. `spec.rules[2].expression` or `pods.yaml#3`. */
  readonly path: string;
  readonly message: string;
}
