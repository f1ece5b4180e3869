/**
 * How a pod spec names its ServiceAccount, shared by the checks about pod identity and
 * tokens.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import { annotationsOf } from '../../engine/objects.js';
import type { PodSubject } from '../../engine/pod-spec.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export type ServiceAccountName =
  { readonly ok: true; readonly name: string | undefined } | { readonly ok: false; readonly problem: string };

/**
 * The ServiceAccount a pod spec names; undefined when it names none (the API then assigns
 * `default`). The deprecated `serviceAccount` field counts when `serviceAccountName` is empty,
 * as the API's conversion does.
 */
export function serviceAccountNameOf(spec: V1PodSpec): ServiceAccountName {
  for (const field of ['serviceAccountName', 'serviceAccount'] as const) {
    const value: unknown = spec[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return { ok: false, problem: `${field} is not a string` };
    return { ok: true, name: value };
  }
  return { ok: true, name: undefined };
}

/**
 * Mirror pods are the API's view of static pods that a kubelet runs from files; the API
 * refuses them any ServiceAccount, so the token checks do not apply.
 */
export function isMirrorPod(pod: PodSubject): boolean {
  return pod.holder.kind === 'Pod' && Object.hasOwn(annotationsOf(pod.holder), MIRROR_ANNOTATION);
}
