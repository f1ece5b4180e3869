/**
 * At the restricted level every container drops all capabilities and may add back only
 * NET_BIND_SERVICE (upstream `capabilities_restricted`, restricted, v1.22+; earlier versions
 * skip). Read: `securityContext.capabilities.drop` and `.add` of every init, regular and
 * ephemeral container and, from v1.25, `spec.os.name`. Passes when `drop` contains `ALL`
 * (exactly so spelled) and `add` is empty or only `NET_BIND_SERVICE`; from v1.25 a pod with
 * `os.name: windows` passes, as Linux capabilities do not exist there. Supersedes
 * `pss.capabilities-baseline` from v1.22, whose failures this check reports too.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  isWindowsPod,
  joinQuote,
  readRecord,
  readStrings,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

function capabilitiesRestricted1Dot22(pod: PodSubject): Forbidden | undefined {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbidden: string[] = [];
  forEachContainer(pod, (container) => {
    const path = `${container.path}.securityContext`;
    const capabilities = readRecord(container.securityContext, 'capabilities', path);
    if (capabilities === undefined) {
      missingDropAll.push(container.name);
      return;
    }
    if (!readStrings(capabilities, 'drop', `${path}.capabilities`).includes('ALL'))
      missingDropAll.push(container.name);
    const added = readStrings(capabilities, 'add', `${path}.capabilities`).filter(
      (c) => c !== 'NET_BIND_SERVICE',
    );
    if (added.length > 0) {
      addingForbidden.push(container.name);
      forbidden.push(...added);
    }
  });
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containerList(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${containerList(addingForbidden)} must not include ${joinQuote(sortedSet(forbidden))} ` +
        'in securityContext.capabilities.add',
    );
  }
  if (details.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: details.join('; ') };
}

function capabilitiesRestricted1Dot25(pod: PodSubject): Forbidden | undefined {
  return isWindowsPod(pod) ? undefined : capabilitiesRestricted1Dot22(pod);
}

const REVISIONS: readonly Revision[] = [
  { since: 22, judge: capabilitiesRestricted1Dot22 },
  { since: 25, judge: capabilitiesRestricted1Dot25 },
];

export const check: PodCheck = {
  id: 'pss.capabilities-restricted',
  title: 'Containers drop all capabilities',
  description:
    'Even the default capabilities (NET_RAW, CHOWN, SETUID, ...) widen what a compromised process can do. Every ' +
    'init, regular and ephemeral container must set securityContext.capabilities.drop: ["ALL"] and may add back only ' +
    'NET_BIND_SERVICE; Windows pods are exempt from v1.25 (Pod Security Standards restricted, "Capabilities", from ' +
    'v1.22).',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'restricted/capabilities' },
    { framework: 'CIS', control: '5.2.8' },
    { framework: 'CIS', control: '5.2.9' },
    { framework: 'CIS', control: '5.2.10' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Set securityContext.capabilities.drop: ["ALL"] on every container and add back only NET_BIND_SERVICE where a ' +
    'process must bind a port below 1024.',
  supersedes: ['pss.capabilities-baseline'],
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('capabilities_restricted', REVISIONS, pod, ctx),
};
