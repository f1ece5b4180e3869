/**
 * Seccomp filters the system calls a container may make; a pod may choose a profile but not
 * turn filtering off (upstream `seccompProfile_baseline`, baseline, v1.0+). Up to v1.18 the
 * rule reads the alpha annotations `seccomp.security.alpha.kubernetes.io/pod` and
 * `container.seccomp.security.alpha.kubernetes.io/<container>`, which pass when absent or
 * `runtime/default`, `docker/default` or `localhost/<profile>`. From v1.19 it reads
 * `seccompProfile.type` of `spec.securityContext` and of every init, regular and ephemeral
 * container, which passes when unset, `RuntimeDefault` or `Localhost` (annotations are then
 * ignored). At the restricted level `pss.seccomp-profile-restricted` replaces this check
 * from v1.19.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { Fields } from './pod-fields.js';
import {
  containerList,
  forEachContainer,
  goQuote,
  joinQuote,
  metadataPath,
  pluralize,
  podSecurityContext,
  readRecord,
  readString,
  readStringMap,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

export function isValidSeccompType(type: string): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function isValidSeccompAnnotation(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

/** The profile type a securityContext sets, or undefined when it sets no seccompProfile. */
export function seccompType(securityContext: Fields | undefined, path: string): string | undefined {
  const profile = readRecord(securityContext, 'seccompProfile', path);
  if (profile === undefined) return undefined;
  // Go reads a missing type as "", which is not a valid type.
  return readString(profile, 'type', `${path}.seccompProfile`) ?? '';
}

function seccompProfileBaseline1Dot0(pod: PodSubject): Forbidden | undefined {
  const annotations = readStringMap(pod.metadata as unknown as Fields, 'annotations', metadataPath(pod));
  const forbidden: string[] = [];
  const judge = (key: string): void => {
    const value = annotations.get(key);
    // Present but empty counts: upstream tests presence, and "" is no valid profile.
    if (value !== undefined && !isValidSeccompAnnotation(value)) forbidden.push(`${key}=${goQuote(value)}`);
  };
  judge(POD_ANNOTATION);
  forEachContainer(pod, (container) => {
    const name = container.fields['name'];
    judge(CONTAINER_ANNOTATION_PREFIX + (typeof name === 'string' ? name : ''));
  });
  if (forbidden.length === 0) return undefined;
  const listed = sortedSet(forbidden);
  return {
    reason: 'seccompProfile',
    detail: `forbidden ${pluralize('annotation', 'annotations', listed.length)} ${listed.join(', ')}`,
  };
}

function seccompProfileBaseline1Dot19(pod: PodSubject): Forbidden | undefined {
  const setters: string[] = [];
  const badValues: string[] = [];
  const podType = seccompType(podSecurityContext(pod), `${pod.specPath}.securityContext`);
  if (podType !== undefined && !isValidSeccompType(podType)) {
    setters.push('pod');
    badValues.push(podType);
  }
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    const type = seccompType(container.securityContext, `${container.path}.securityContext`);
    if (type !== undefined && !isValidSeccompType(type)) {
      badContainers.push(container.name);
      badValues.push(type);
    }
  });
  if (badContainers.length > 0) setters.push(containerList(badContainers));
  if (setters.length === 0) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`,
  };
}

const REVISIONS: readonly Revision[] = [
  { since: 0, judge: seccompProfileBaseline1Dot0 },
  // The seccompProfile fields went GA in 1.19 and replaced the alpha annotations.
  { since: 19, judge: seccompProfileBaseline1Dot19 },
];

export const check: PodCheck = {
  id: 'pss.seccomp-profile-baseline',
  title: 'Seccomp is not disabled',
  description:
    'Without a seccomp filter a container can make every system call, including the rarely used ones most kernel ' +
    'exploits need. Pod and container seccompProfile.type must be unset, RuntimeDefault or Localhost (up to v1.18: ' +
    'the alpha seccomp annotations must be runtime/default, docker/default or localhost/*) ' +
    '(Pod Security Standards baseline, "Seccomp").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/seccomp' },
    { framework: 'CIS', control: '5.7.2' },
    { framework: 'NSA-CISA', control: 'Pod security: hardening container environments' },
  ],
  remediation:
    'Remove seccompProfile type Unconfined; set spec.securityContext.seccompProfile.type: RuntimeDefault (or a ' +
    'Localhost profile) instead, and drop the deprecated seccomp annotations.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('seccompProfile_baseline', REVISIONS, pod, ctx),
};
