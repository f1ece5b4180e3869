/**
 * Pods get an API token only when they ask for one. Unless automounting is turned off, the
 * kubelet mounts a token of the pod's ServiceAccount into every container, and anyone who
 * compromises the container can call the API with it. Read: the pod's
 * `spec.automountServiceAccountToken` and, when the pod leaves it unset, the
 * `automountServiceAccountToken` of its ServiceAccount (`serviceAccountName`, default
 * `default`) in the inventory. The pod's own setting wins, as in the API: `false` passes,
 * `true` fails; unset passes only when the ServiceAccount sets `false`. A ServiceAccount that
 * is not in the inventory is assumed to mount (the API default). Static (mirror) pods are
 * skipped: they get no token. A workload that does call the API declares so with
 * `automountServiceAccountToken: true` and an exception, or mounts a projected token volume.
 */
import type { PodCheck } from '../../engine/check.js';
import { namespaceOf } from '../../engine/objects.js';
import { POD_KINDS } from '../../engine/pod-spec.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';
import { DEFAULT_SERVICE_ACCOUNT, isMirrorPod, serviceAccountNameOf } from './service-account.js';

export const check: PodCheck = {
  id: 'workload.automount-token',
  title: 'API token not automounted',
  description:
    'Unless a pod or its ServiceAccount sets automountServiceAccountToken: false, every container receives the ' +
    "ServiceAccount's API token, usable by anyone who compromises it. Pods that do not call the Kubernetes API " +
    'should not get one; the pod setting wins over the ServiceAccount one.',
  severity: 'medium',
  category: 'workload',
  profiles: ['workloads'],
  kinds: [...POD_KINDS, 'ServiceAccount'],
  frameworks: [
    { framework: 'CIS', control: '5.1.6' },
    { framework: 'NSA-CISA', control: 'Pod security: protecting Pod service account tokens' },
  ],
  remediation:
    'Set automountServiceAccountToken: false in the pod template (or on the ServiceAccount, for all its pods). A ' +
    'workload that calls the API can set it to true explicitly, or mount a short-lived projected token volume with ' +
    'only the audience it needs.',
  scope: 'pod',
  evaluate(pod, ctx) {
    if (isMirrorPod(pod)) return skip('static pods get no ServiceAccount token');
    const account = serviceAccountNameOf(pod.spec);
    if (!account.ok) return checkError('InvalidServiceAccountName', `${pod.specPath}.${account.problem}`);
    const name = account.name ?? DEFAULT_SERVICE_ACCOUNT;
    const podSetting: unknown = pod.spec.automountServiceAccountToken;
    if (podSetting === false) return PASS;
    if (podSetting === true) {
      return fail(
        'TokenAutomounted',
        `mounts the API token of ServiceAccount "${name}" (automountServiceAccountToken: true)`,
      );
    }
    if (podSetting !== undefined && podSetting !== null) {
      return checkError('InvalidAutomount', `${pod.specPath}.automountServiceAccountToken is not a boolean`);
    }
    const serviceAccount = ctx.inventory.get('ServiceAccount', namespaceOf(pod.holder), name);
    if (serviceAccount === undefined) {
      return fail(
        'TokenAutomounted',
        `mounts the API token of ServiceAccount "${name}": the pod does not set automountServiceAccountToken: false ` +
          '(ServiceAccount not found, so its own setting is unknown)',
      );
    }
    if (serviceAccount.automountServiceAccountToken === false) return PASS;
    return fail(
      'TokenAutomounted',
      `mounts the API token of ServiceAccount "${name}": neither the pod nor the ServiceAccount sets ` +
        'automountServiceAccountToken: false',
    );
  },
};
