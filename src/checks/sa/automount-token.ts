/**
 * Every ServiceAccount turns token automounting off (`automountServiceAccountToken: false`),
 * so a pod gets an API token only when its own spec asks for one. Left unset, the API mounts
 * the token into every pod that uses the account, including the namespace's `default`
 * ServiceAccount, which every pod without a serviceAccountName uses and which the CIS
 * Benchmark singles out (5.1.5). Read: `automountServiceAccountToken` of each
 * ServiceAccount. Only `false` passes; unset and `true` fail.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { nameOf } from '../../engine/objects.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';

export const check: ObjectCheck = {
  id: 'sa.automount-token',
  title: 'ServiceAccounts do not automount API tokens',
  description:
    'A ServiceAccount that does not set automountServiceAccountToken: false hands its API token to every pod using ' +
    'it, needed or not. Turning it off on the ServiceAccount (the default one included) makes pods opt in instead.',
  severity: 'low',
  category: 'service-account',
  profiles: ['service-accounts'],
  kinds: ['ServiceAccount'],
  frameworks: [
    { framework: 'CIS', control: '5.1.5' },
    { framework: 'CIS', control: '5.1.6' },
    { framework: 'NSA-CISA', control: 'Pod security: protecting Pod service account tokens' },
  ],
  remediation:
    'Set automountServiceAccountToken: false on the ServiceAccount; pods that call the Kubernetes API set ' +
    'automountServiceAccountToken: true in their own spec (or mount a projected token volume).',
  scope: 'object',
  evaluate(object) {
    if (object.kind !== 'ServiceAccount') return skip('not a ServiceAccount');
    const name = nameOf(object);
    const automount = object['automountServiceAccountToken'];
    if (automount === false) return PASS;
    if (automount === true) {
      return fail('TokenAutomounted', `ServiceAccount "${name}" sets automountServiceAccountToken: true`);
    }
    if (automount !== undefined && automount !== null) {
      return checkError('InvalidAutomount', 'automountServiceAccountToken is not a boolean');
    }
    return fail(
      'TokenAutomounted',
      `ServiceAccount "${name}" does not set automountServiceAccountToken: false, so every pod using it gets its ` +
        'API token unless the pod opts out',
    );
  },
};
