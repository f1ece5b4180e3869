/**
 * Containers may add only capabilities from the container runtime's default set (upstream
 * `capabilities_baseline`, baseline, v1.0+). Read: `securityContext.capabilities.add` of every
 * init, regular and ephemeral container. Passes when the list is empty or holds only
 * AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP,
 * SETGID, SETPCAP, SETUID and SYS_CHROOT, spelled exactly so (no `CAP_` prefix, upper case).
 * At the restricted level `pss.capabilities-restricted` replaces this check from v1.22.
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import {
  containerList,
  forEachContainer,
  joinQuote,
  readRecord,
  readStrings,
  sortedSet,
} from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const ALLOWED_CAPABILITIES_1_0: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

function capabilitiesBaseline1Dot0(pod: PodSubject): Forbidden | undefined {
  const badContainers: string[] = [];
  const nonDefault: string[] = [];
  forEachContainer(pod, (container) => {
    const path = `${container.path}.securityContext`;
    const capabilities = readRecord(container.securityContext, 'capabilities', path);
    const added = readStrings(capabilities, 'add', `${path}.capabilities`);
    const forbidden = added.filter((capability) => !ALLOWED_CAPABILITIES_1_0.has(capability));
    if (forbidden.length === 0) return;
    badContainers.push(container.name);
    nonDefault.push(...forbidden);
  });
  if (badContainers.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail:
      `${containerList(badContainers)} must not include ${joinQuote(sortedSet(nonDefault))} ` +
      'in securityContext.capabilities.add',
  };
}

const REVISIONS: readonly Revision[] = [{ since: 0, judge: capabilitiesBaseline1Dot0 }];

export const check: PodCheck = {
  id: 'pss.capabilities-baseline',
  title: 'Containers add no capabilities beyond the default set',
  description:
    'Capabilities such as SYS_ADMIN, NET_ADMIN, NET_RAW or SYS_PTRACE give a container powers over the node ' +
    'kernel, network or other processes. securityContext.capabilities.add may hold only the runtime defaults ' +
    '(AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, ' +
    'SETUID, SYS_CHROOT) (Pod Security Standards baseline, "Capabilities").',
  severity: 'high',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/capabilities' },
    { framework: 'CIS', control: '5.2.8' },
    { framework: 'CIS', control: '5.2.9' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove the extra capabilities from securityContext.capabilities.add. If the process needs one, redesign it ' +
    'to do without (for example bind ports above 1024, or use a Service) or run it where the policy exempts it.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('capabilities_baseline', REVISIONS, pod, ctx),
};
