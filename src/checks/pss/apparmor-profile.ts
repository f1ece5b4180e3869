/**
 * AppArmor confines a container to a profile; a pod must not switch it off (upstream
 * `appArmorProfile`, baseline, v1.0+). Read: `spec.securityContext.appArmorProfile.type`,
 * the same field in every init, regular and ephemeral container, and the pod's annotations
 * `container.apparmor.security.beta.kubernetes.io/*`. Passes when each type is unset,
 * `RuntimeDefault` or `Localhost`, and each annotation is empty, `runtime/default` or
 * `localhost/<profile>`. A type of `Unconfined`, or any other value, fails.
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

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const ALLOWED_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

function isAllowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/** The profile type a securityContext sets, or undefined when it sets no appArmorProfile. */
function profileType(securityContext: Fields | undefined, path: string): string | undefined {
  const profile = readRecord(securityContext, 'appArmorProfile', path);
  if (profile === undefined) return undefined;
  // Go reads a missing type as "", which is not an allowed type.
  return readString(profile, 'type', `${path}.appArmorProfile`) ?? '';
}

function appArmorProfile1Dot0(pod: PodSubject): Forbidden | undefined {
  const setters: string[] = [];
  const badValues: string[] = [];
  const podType = profileType(podSecurityContext(pod), `${pod.specPath}.securityContext`);
  if (podType !== undefined && !ALLOWED_TYPES.has(podType)) {
    setters.push('pod');
    badValues.push(podType);
  }
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    const type = profileType(container.securityContext, `${container.path}.securityContext`);
    if (type !== undefined && !ALLOWED_TYPES.has(type)) {
      badContainers.push(container.name);
      badValues.push(type);
    }
  });
  if (badContainers.length > 0) setters.push(containerList(badContainers));

  const annotations = readStringMap(pod.metadata as Fields, 'annotations', metadataPath(pod));
  const forbiddenAnnotations: string[] = [];
  for (const [key, value] of annotations) {
    if (key.startsWith(ANNOTATION_PREFIX) && !isAllowedAnnotationValue(value)) {
      forbiddenAnnotations.push(`${key}=${goQuote(value)}`);
    }
  }
  const values = sortedSet(badValues);
  if (forbiddenAnnotations.length > 0) {
    values.push(...sortedSet(forbiddenAnnotations));
    setters.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
  }
  if (setters.length === 0) return undefined;
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    detail: `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: appArmorProfile1Dot0 }];

export const check: PodCheck = {
  id: 'pss.apparmor-profile',
  title: 'AppArmor is not disabled or overridden',
  description:
    'On nodes with AppArmor, the runtime confines every container to its default profile. A pod must not turn that ' +
    'off: securityContext.appArmorProfile.type (pod or container) may be only RuntimeDefault or Localhost, and the ' +
    'legacy container.apparmor.security.beta.kubernetes.io/* annotations only runtime/default or localhost/* ' +
    '(Pod Security Standards baseline, "AppArmor").',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/apparmor' },
    { framework: 'NSA-CISA', control: 'Pod security: hardening container environments' },
  ],
  remediation:
    'Remove appArmorProfile type Unconfined (and unconfined annotations); use RuntimeDefault, or a Localhost ' +
    'profile loaded on the nodes when the default profile is too strict.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('appArmorProfile', REVISIONS, pod, ctx),
};
