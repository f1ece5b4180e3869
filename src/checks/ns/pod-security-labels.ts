/**
 * The Pod Security admission's namespace labels, shared by the `ns.psa-*` checks:
 * `pod-security.kubernetes.io/<mode>` with a level for each of the modes enforce, warn and
 * audit.
 */

export const PSA_LABEL_PREFIX = 'pod-security.kubernetes.io/';

export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** Higher is stricter. */
export const LEVEL_RANK: Readonly<Record<PodSecurityLevel, number>> = {
  privileged: 0,
  baseline: 1,
  restricted: 2,
};

export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return typeof value === 'string' && (POD_SECURITY_LEVELS as readonly string[]).includes(value);
}
