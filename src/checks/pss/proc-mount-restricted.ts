/**
 * At the restricted level /proc stays masked even in a user namespace (upstream
 * `procMount_restricted`, restricted, v1.35+; earlier versions skip, because until v1.35 the
 * baseline `pss.proc-mount` rule was already this strict). Read: `securityContext.procMount`
 * of every init, regular and ephemeral container. Passes when each is unset or `Default`,
 * whatever `spec.hostUsers` says. Supersedes `pss.proc-mount`, which from v1.35 relaxes the
 * rule for user-namespaced pods.
 */
import type { PodCheck } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { procMount1Dot0 } from './proc-mount.js';
import type { Revision } from './policy-version.js';
import { judgeAtVersion } from './policy-version.js';

const REVISIONS: readonly Revision[] = [{ since: 35, judge: procMount1Dot0 }];

export const check: PodCheck = {
  id: 'pss.proc-mount-restricted',
  title: 'Containers keep the default /proc masks, even in a user namespace',
  description:
    'The restricted level keeps the strict /proc rule that baseline relaxes for user-namespaced pods from v1.35: ' +
    'securityContext.procMount must be unset or Default in every container, whatever spec.hostUsers says ' +
    '(Pod Security Standards restricted, "/proc Mount Type", from v1.35).',
  severity: 'medium',
  category: 'pod-security',
  profiles: ['pss-restricted'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'PSS', control: 'baseline/proc-mount-type' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation: 'Remove securityContext.procMount (or set it to Default) on every container.',
  supersedes: ['pss.proc-mount'],
  scope: 'pod',
  evaluate: (pod, ctx) => judgeAtVersion('procMount_restricted', REVISIONS, pod, ctx),
};
