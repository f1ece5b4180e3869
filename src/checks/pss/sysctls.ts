/**
 * Sysctls can switch off kernel protections or change the whole node; a pod may set only
 * those that are namespaced and isolated from other pods (upstream `sysctls`, baseline,
 * v1.0+). Read: `spec.securityContext.sysctls[*].name`. Passes when every name is in the safe
 * set of the version in force: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
 * `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
 * `net.ipv4.ip_unprivileged_port_start`; from v1.27 also `net.ipv4.ip_local_reserved_ports`;
 * from v1.29 also `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
 * `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`; from v1.32 also
 * `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`. Names are compared exactly (no `/` separators).
 */
import type { PodCheck } from '../../engine/check.js';
import type { PodSubject } from '../../engine/pod-spec.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { podSecurityContext, readRecords, readString } from './pod-fields.js';
import type { Forbidden, Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const SAFE_1_0: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
]);
const SAFE_1_27: ReadonlySet<string> = new Set([...SAFE_1_0, 'net.ipv4.ip_local_reserved_ports']);
const SAFE_1_29: ReadonlySet<string> = new Set([
  ...SAFE_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SAFE_1_32: ReadonlySet<string> = new Set([...SAFE_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']);

function sysctls(pod: PodSubject, safe: ReadonlySet<string>): Forbidden | undefined {
  const path = `${pod.specPath}.securityContext`;
  const forbidden: string[] = [];
  for (const sysctl of readRecords(podSecurityContext(pod), 'sysctls', path)) {
    const name = readString(sysctl.fields, 'name', sysctl.path) ?? '';
    if (!safe.has(name)) forbidden.push(name);
  }
  if (forbidden.length === 0) return undefined;
  return { reason: 'forbidden sysctls', detail: forbidden.join(', ') };
}

function sysctls1Dot0(pod: PodSubject): Forbidden | undefined {
  return sysctls(pod, SAFE_1_0);
}

function sysctls1Dot27(pod: PodSubject): Forbidden | undefined {
  return sysctls(pod, SAFE_1_27);
}

function sysctls1Dot29(pod: PodSubject): Forbidden | undefined {
  return sysctls(pod, SAFE_1_29);
}

function sysctls1Dot32(pod: PodSubject): Forbidden | undefined {
  return sysctls(pod, SAFE_1_32);
}

const REVISIONS: readonly Revision[] = [
  { since: 0, judge: sysctls1Dot0 },
  { since: 27, judge: sysctls1Dot27 },
  { since: 29, judge: sysctls1Dot29 },
  { since: 32, judge: sysctls1Dot32 },
];

export const check: PodCheck = {
  id: 'pss.sysctls',
  title: 'Pods set only safe sysctls',
  description:
    'Some sysctls act on the whole node or disable kernel protections. spec.securityContext.sysctls may name only ' +
    'the namespaced, isolated sysctls the Pod Security Standards list as safe for the version in force ' +
    '(Pod Security Standards baseline, "Sysctls").',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-baseline', 'pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/sysctls' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Remove the unsafe sysctls from spec.securityContext.sysctls; tune node-wide settings on the nodes themselves ' +
    '(for example with a node configuration tool), not from a pod.',
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('sysctls', REVISIONS, pod, ctx),
};
