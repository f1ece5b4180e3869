import type { Check } from '../../engine/check.js';
import { check as allowPrivilegeEscalation } from './allow-privilege-escalation.js';
import { check as apparmorProfile } from './apparmor-profile.js';
import { check as capabilitiesBaseline } from './capabilities-baseline.js';
import { check as capabilitiesRestricted } from './capabilities-restricted.js';
import { check as hostNamespaces } from './host-namespaces.js';
import { check as hostPathVolumes } from './host-path-volumes.js';
import { check as hostPorts } from './host-ports.js';
import { check as hostProbesAndLifecycle } from './host-probes-and-lifecycle.js';
import { check as privileged } from './privileged.js';
import { check as procMount } from './proc-mount.js';
import { check as procMountRestricted } from './proc-mount-restricted.js';
import { check as restrictedVolumes } from './restricted-volumes.js';
import { check as runAsNonRoot } from './run-as-non-root.js';
import { check as runAsUser } from './run-as-user.js';
import { check as seccompProfileBaseline } from './seccomp-profile-baseline.js';
import { check as seccompProfileRestricted } from './seccomp-profile-restricted.js';
import { check as selinuxOptions } from './selinux-options.js';
import { check as sysctls } from './sysctls.js';
import { check as windowsHostProcess } from './windows-host-process.js';

export const pssChecks: readonly Check[] = [
  allowPrivilegeEscalation,
  apparmorProfile,
  capabilitiesBaseline,
  capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndLifecycle,
  privileged,
  procMount,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileBaseline,
  seccompProfileRestricted,
  selinuxOptions,
  sysctls,
  windowsHostProcess,
];
