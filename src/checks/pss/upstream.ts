/**
 * The `pss.*` family seen as upstream Pod Security Admission sees it: which upstream check
 * each of our checks is, and a whole-pod verdict at a level and version computed exactly as
 * upstream's registry does (baseline checks for `baseline`; baseline and restricted checks
 * for `restricted`, a restricted check overriding the baseline checks it replaces at that
 * version; violations in upstream's order: baseline IDs sorted, then restricted IDs sorted).
 * The oracle tests and anything that must speak in the API server's terms call this.
 */
import type { PodCheck } from '../../engine/check.js';
import { createCheckContext } from '../../engine/context.js';
import { Inventory } from '../../engine/inventory.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import type { CheckOutcome } from '../../engine/types.js';
import { pssChecks } from './index.js';
import { policyMinor } from './policy-version.js';

export type PodSecurityLevel = 'baseline' | 'restricted';

export interface UpstreamCheck {
  /** Our check ID, e.g. `pss.run-as-non-root`. */
  readonly checkId: string;
  /** Upstream's check ID, e.g. `runAsNonRoot`. */
  readonly upstreamId: string;
  /** The lowest level whose checks include it. */
  readonly level: PodSecurityLevel;
}

/** Every `pss.*` check, in the order upstream reports violations. */
export const UPSTREAM_CHECKS: readonly UpstreamCheck[] = [
  { checkId: 'pss.apparmor-profile', upstreamId: 'appArmorProfile', level: 'baseline' },
  { checkId: 'pss.capabilities-baseline', upstreamId: 'capabilities_baseline', level: 'baseline' },
  { checkId: 'pss.host-namespaces', upstreamId: 'hostNamespaces', level: 'baseline' },
  { checkId: 'pss.host-path-volumes', upstreamId: 'hostPathVolumes', level: 'baseline' },
  { checkId: 'pss.host-ports', upstreamId: 'hostPorts', level: 'baseline' },
  { checkId: 'pss.host-probes-and-lifecycle', upstreamId: 'hostProbesAndHostLifecycle', level: 'baseline' },
  { checkId: 'pss.privileged', upstreamId: 'privileged', level: 'baseline' },
  { checkId: 'pss.proc-mount', upstreamId: 'procMount', level: 'baseline' },
  { checkId: 'pss.selinux-options', upstreamId: 'seLinuxOptions', level: 'baseline' },
  { checkId: 'pss.seccomp-profile-baseline', upstreamId: 'seccompProfile_baseline', level: 'baseline' },
  { checkId: 'pss.sysctls', upstreamId: 'sysctls', level: 'baseline' },
  { checkId: 'pss.windows-host-process', upstreamId: 'windowsHostProcess', level: 'baseline' },
  { checkId: 'pss.allow-privilege-escalation', upstreamId: 'allowPrivilegeEscalation', level: 'restricted' },
  { checkId: 'pss.capabilities-restricted', upstreamId: 'capabilities_restricted', level: 'restricted' },
  { checkId: 'pss.proc-mount-restricted', upstreamId: 'procMount_restricted', level: 'restricted' },
  { checkId: 'pss.restricted-volumes', upstreamId: 'restrictedVolumes', level: 'restricted' },
  { checkId: 'pss.run-as-non-root', upstreamId: 'runAsNonRoot', level: 'restricted' },
  { checkId: 'pss.run-as-user', upstreamId: 'runAsUser', level: 'restricted' },
  { checkId: 'pss.seccomp-profile-restricted', upstreamId: 'seccompProfile_restricted', level: 'restricted' },
];

export function upstreamCheckOf(checkId: string): UpstreamCheck | undefined {
  return UPSTREAM_CHECKS.find((entry) => entry.checkId === checkId);
}

export interface PodSecurityViolation {
  readonly checkId: string;
  readonly upstreamId: string;
  /** Upstream's ForbiddenReason, e.g. `privileged`; for a malformed field, `MalformedField`. */
  readonly reason: string;
  /** Reason and detail as upstream prints them: `privileged (container "app" must not set ...)`. */
  readonly message: string;
  /** `error` when the check could not read the pod; a pod the checks cannot read is not allowed. */
  readonly status: 'fail' | 'error';
}

export interface PodSecurityVerdict {
  readonly allowed: boolean;
  readonly violations: readonly PodSecurityViolation[];
}

const CHECKS_BY_ID: ReadonlyMap<string, PodCheck> = new Map(
  pssChecks.flatMap((check) => (check.scope === 'pod' ? [[check.id, check] as const] : [])),
);

function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return value === 'baseline' || value === 'restricted';
}

/**
 * Judges one pod (or pod template) at a Pod Security level and version (`latest` or
 * `v1.N`), as the API server's PodSecurity admission would. Throws RangeError for a level or
 * version upstream would not accept; never throws on the pod itself.
 */
export function evaluatePodSecurity(
  level: PodSecurityLevel,
  version: string,
  pod: PodSubject,
): PodSecurityVerdict {
  if (!isPodSecurityLevel(level)) throw new RangeError(`unknown Pod Security level "${String(level)}"`);
  if (policyMinor(version) === undefined) {
    throw new RangeError(`Pod Security version "${version}" is neither "latest" nor of the form "v1.N"`);
  }
  const ctx = createCheckContext({ inventory: new Inventory(), pinnedPodSecurityVersion: version });
  const outcomes = new Map<string, CheckOutcome>();
  for (const entry of UPSTREAM_CHECKS) {
    if (level === 'baseline' && entry.level !== 'baseline') continue;
    const check = CHECKS_BY_ID.get(entry.checkId);
    if (check === undefined) throw new Error(`pss check ${entry.checkId} is missing from pssChecks`);
    outcomes.set(entry.checkId, check.evaluate(pod, ctx));
  }
  // Upstream drops an overridden baseline check whenever the overriding check exists at the version.
  for (const [checkId, outcome] of [...outcomes]) {
    if (outcome.status === 'skip') continue;
    for (const superseded of CHECKS_BY_ID.get(checkId)?.supersedes ?? []) outcomes.delete(superseded);
  }
  const violations: PodSecurityViolation[] = [];
  for (const entry of UPSTREAM_CHECKS) {
    const outcome = outcomes.get(entry.checkId);
    if (outcome === undefined || (outcome.status !== 'fail' && outcome.status !== 'error')) continue;
    violations.push({
      checkId: entry.checkId,
      upstreamId: entry.upstreamId,
      reason: outcome.reason,
      message: outcome.message,
      status: outcome.status,
    });
  }
  return { allowed: violations.length === 0, violations };
}

/**
 * The violations joined as upstream joins them in its denial message, e.g.
 * `violates PodSecurity "restricted:latest": <this>`.
 */
export function forbiddenDetail(violations: readonly PodSecurityViolation[]): string {
  return violations.map((violation) => violation.message).join(', ');
}
