/**
 * SELinux labels decide what a container may touch; a pod may pick only the container types
 * and may not set a custom user or role (upstream `seLinuxOptions`, baseline, v1.0+). Read:
 * `seLinuxOptions.type`, `.user` and `.role` of `spec.securityContext` and of every init,
 * regular and ephemeral container's securityContext. Passes when type is unset, empty,
 * `container_t`, `container_init_t` or `container_kvm_t` (and, from v1.31,
 * `container_engine_t`), and user and role are unset or empty.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import type { Fields } from './pod-fields.js';
import {
  containerList,
  forEachContainer,
  joinQuote,
  pluralize,
  podSecurityContext,
  readRecord,
  readString,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const ALLOWED_TYPES_1_0: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
]);
const ALLOWED_TYPES_1_31: ReadonlySet<string> = new Set([...ALLOWED_TYPES_1_0, 'container_engine_t']);

function seLinuxOptions(pod: PodSubject, allowedTypes: ReadonlySet<string>): Forbidden | undefined {
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  /** Judges one seLinuxOptions; true when it is acceptable or unset. */
  const isValid = (securityContext: Fields | undefined, path: string): boolean => {
    const options = readRecord(securityContext, 'seLinuxOptions', path);
    if (options === undefined) return true;
    const optionsPath = `${path}.seLinuxOptions`;
    let valid = true;
    const type = readString(options, 'type', optionsPath) ?? '';
    if (!allowedTypes.has(type)) {
      valid = false;
      badTypes.push(type);
    }
    if ((readString(options, 'user', optionsPath) ?? '') !== '') {
      valid = false;
      setUser = true;
    }
    if ((readString(options, 'role', optionsPath) ?? '') !== '') {
      valid = false;
      setRole = true;
    }
    return valid;
  };

  const setters: string[] = [];
  if (!isValid(podSecurityContext(pod), `${pod.specPath}.securityContext`)) setters.push('pod');
  const badContainers: string[] = [];
  forEachContainer(pod, (container) => {
    if (!isValid(container.securityContext, `${container.path}.securityContext`))
      badContainers.push(container.name);
  });
  if (badContainers.length > 0) setters.push(containerList(badContainers));
  if (setters.length === 0) return undefined;

  const problems: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length > 0) problems.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
  if (setUser) problems.push('user may not be set');
  if (setRole) problems.push('role may not be set');
  return {
    reason: 'seLinuxOptions',
    detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}`,
  };
}

function seLinuxOptions1Dot0(pod: PodSubject): Forbidden | undefined {
  return seLinuxOptions(pod, ALLOWED_TYPES_1_0);
}

function seLinuxOptions1Dot31(pod: PodSubject): Forbidden | undefined {
  return seLinuxOptions(pod, ALLOWED_TYPES_1_31);
}

const REVISIONS: readonly Revision[] = [
  { since: 0, judge: seLinuxOptions1Dot0 },
  // container_engine_t lets a container run a nested container engine, still confined.
  { since: 31, judge: seLinuxOptions1Dot31 },
];

export const check: PodCheck = {
  id: 'pss.selinux-options',
  title: 'SELinux options stay within the container types',
  description:
    'A custom SELinux type, user or role can lift the confinement SELinux puts on a container. seLinuxOptions (pod ' +
    'or container) may set type only to container_t, container_init_t, container_kvm_t or, from v1.31, ' +
    'container_engine_t, and may not set user or role (Pod Security Standards baseline, "SELinux").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/selinux' },
    { framework: 'NSA-CISA', control: 'Pod security: hardening container environments' },
  ],
  remediation:
    'Remove seLinuxOptions.user and seLinuxOptions.role, and set seLinuxOptions.type to one of the container types ' +
    '(or leave it unset to get the runtime default).',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('seLinuxOptions', REVISIONS, pod, ctx),
};
