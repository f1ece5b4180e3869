/**
 * Pod Security Standards versions and the runner every `pss.*` check shares. Upstream keeps
 * one function per revision of a rule, each with the first policy version it applies to, and
 * picks the newest revision not newer than the version asked for; a rule with no revision
 * that old does not exist at that version (the check skips). `latest`, and any version newer
 * than the newest revision, use the newest revision, as upstream's registry does.
 */
import type { CheckContext } from '../../engine/check.js';
import { namespaceOf } from '../../engine/objects.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import type { CheckOutcome } from '../../engine/types.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';
import { MalformedField } from './pod-fields.js';

/**
 * The newest policy version any rule was revised in (k8s.io/pod-security-admission
 * v0.36.2; Kubernetes 1.36 changed no rule). `latest` means this version.
 */
export const NEWEST_POLICY_MINOR = 35;

const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

/** `latest` → the newest policy minor; `v1.N` → N; anything else → undefined. */
export function policyMinor(version: string): number | undefined {
  if (version === 'latest') return NEWEST_POLICY_MINOR;
  // Asked once per pss check and pod, of a handful of distinct versions.
  if (MINORS.has(version)) return MINORS.get(version);
  const match = VERSION.exec(version);
  const minor = match === null ? undefined : Number(match[1]);
  if (MINORS.size < MINORS_KEPT) MINORS.set(version, minor);
  return minor;
}

const MINORS = new Map<string, number | undefined>();
const MINORS_KEPT = 256;

/** Why upstream forbids the pod: its ForbiddenReason and ForbiddenDetail. */
export interface Forbidden {
  readonly reason: string;
  readonly detail: string;
}

/** One revision of a rule: undefined allows the pod. May raise MalformedField. */
export type Judge = (pod: PodSubject) => Forbidden | undefined;

export interface Revision {
  /** First Kubernetes minor version (1.N) this revision applies to. */
  readonly since: number;
  readonly judge: Judge;
}

/** The revision in force at a policy minor version, or undefined before the rule existed. */
export function revisionAt(revisions: readonly Revision[], minor: number): Revision | undefined {
  let found: Revision | undefined;
  for (const revision of revisions) {
    if (revision.since <= minor) found = revision;
  }
  return found;
}

/** upstream wording of one forbidden result, e.g. `privileged (container "app" must not set ...)`. */
export function forbiddenMessage(forbidden: Forbidden): string {
  return forbidden.detail === '' ? forbidden.reason : `${forbidden.reason} (${forbidden.detail})`;
}

/**
 * Evaluates one `pss.*` check: the version in force for the pod's namespace selects the
 * revision, and the revision's verdict becomes the outcome. Malformed fields become `error`.
 */
export function judgeAtVersion(
  upstreamId: string,
  revisions: readonly Revision[],
  pod: PodSubject,
  ctx: CheckContext,
): CheckOutcome {
  const version = ctx.podSecurityVersion(namespaceOf(pod.holder));
  const minor = policyMinor(version);
  if (minor === undefined) {
    return checkError(
      'InvalidPodSecurityVersion',
      `Pod Security version "${version}" is neither "latest" nor of the form "v1.N"`,
    );
  }
  const revision = revisionAt(revisions, minor);
  if (revision === undefined) {
    const first = revisions[0]?.since ?? NEWEST_POLICY_MINOR;
    return skip(
      `${upstreamId} is not part of Pod Security Standards ${version}; it applies from v1.${first}`,
    );
  }
  try {
    const forbidden = revision.judge(pod);
    return forbidden === undefined ? PASS : fail(forbidden.reason, forbiddenMessage(forbidden));
  } catch (error) {
    if (error instanceof MalformedField) {
      return checkError('MalformedField', `cannot evaluate ${upstreamId}: ${error.message}`);
    }
    throw error;
  }
}
