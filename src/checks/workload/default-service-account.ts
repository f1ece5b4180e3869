/**
 * Pods run as a ServiceAccount of their own, not the namespace's `default` one: every pod
 * that names none shares `default`, so a role bound to it for one workload is granted to all
 * of them, and audit logs cannot tell them apart. Read: `spec.serviceAccountName`, falling
 * back to the deprecated `spec.serviceAccount` as the API does. Fails when the name is unset,
 * empty or `default`. Static (mirror) pods are skipped: they cannot use ServiceAccounts.
 */
import type { PodCheck } from '../../engine/check.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';
import { isMirrorPod, serviceAccountNameOf } from './service-account.js';

export const check: PodCheck = {
  id: 'workload.default-service-account',
  title: 'Pods use their own ServiceAccount',
  description:
    "A pod that names no ServiceAccount runs as the namespace's default one, shared by every such pod: permissions " +
    'granted to it reach all of them, and their API requests cannot be told apart. Each workload should run as a ' +
    'ServiceAccount of its own.',
  severity: 'low',
  category: 'workload',
  profiles: ['workloads'],
  kinds: POD_KINDS,
  frameworks: [
    { framework: 'CIS', control: '5.1.5' },
    { framework: 'NSA-CISA', control: 'Pod security: protecting Pod service account tokens' },
  ],
  remediation:
    'Create a ServiceAccount for the workload (with automountServiceAccountToken: false unless it calls the API), ' +
    'bind only the roles it needs to it, and set spec.serviceAccountName in the pod template.',
  scope: 'pod',
  evaluate(pod) {
    if (isMirrorPod(pod)) return skip('static pods cannot use ServiceAccounts');
    const account = serviceAccountNameOf(pod.spec);
    if (!account.ok) return checkError('InvalidServiceAccountName', `${pod.specPath}.${account.problem}`);
    if (account.name === undefined) {
      return fail(
        'DefaultServiceAccount',
        'runs as ServiceAccount "default" (serviceAccountName is not set)',
      );
    }
    if (account.name === 'default') return fail('DefaultServiceAccount', 'runs as ServiceAccount "default"');
    return PASS;
  },
};
