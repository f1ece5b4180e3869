/**
 * No long-lived ServiceAccount tokens stored in Secrets. Before Kubernetes 1.24 every
 * ServiceAccount got a Secret of type `kubernetes.io/service-account-token` holding a token
 * that never expires, listed in the ServiceAccount's `secrets`; such Secrets can still be
 * created by hand. A leaked one works until the Secret is deleted, whereas pods now get
 * short-lived, audience-bound tokens from the TokenRequest API. Read: a ServiceAccount's
 * `secrets[].name` (each one counts unless the inventory holds that Secret with another
 * type, since the field also served the deprecated mountable-secrets enforcement), and, for
 * Secrets in the inventory (from manifests; the controller does not watch Secrets), their
 * `type` and `kubernetes.io/service-account.name` annotation. Secret data is never read.
 */
import type { CheckContext, ObjectCheck } from '../../engine/check.js';
import type { KubeObject } from '../../engine/objects.js';
import { annotationsOf, isRecord, nameOf, namespaceOf } from '../../engine/objects.js';
import type { CheckOutcome } from '../../engine/types.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const MAX_NAMES = 5;

function evaluateServiceAccount(account: KubeObject, ctx: CheckContext): CheckOutcome {
  const secrets = account['secrets'];
  if (secrets === undefined || secrets === null) return PASS;
  if (!Array.isArray(secrets)) return checkError('InvalidSecrets', 'secrets is not a list');
  const namespace = namespaceOf(account);
  const names: string[] = [];
  for (const reference of secrets as unknown[]) {
    if (!isRecord(reference)) continue;
    const name = reference['name'];
    if (typeof name !== 'string' || name === '') continue;
    const secret = ctx.inventory.get('Secret', namespace, name);
    if (secret !== undefined && secret['type'] !== SERVICE_ACCOUNT_TOKEN_TYPE) continue;
    names.push(name);
  }
  if (names.length === 0) return PASS;
  const shown = names
    .slice(0, MAX_NAMES)
    .map((name) => `"${name}"`)
    .join(', ');
  const more = names.length > MAX_NAMES ? ` and ${names.length - MAX_NAMES} more` : '';
  return fail(
    'LegacyTokenSecret',
    `ServiceAccount "${nameOf(account)}" lists ${names.length === 1 ? 'secret' : 'secrets'} ${shown}${more} in ` +
      '.secrets, the legacy way to hand out long-lived tokens',
  );
}

function evaluateSecret(secret: KubeObject): CheckOutcome {
  if (secret['type'] !== SERVICE_ACCOUNT_TOKEN_TYPE) return skip('not a ServiceAccount token Secret');
  const account = annotationsOf(secret)[SERVICE_ACCOUNT_NAME_ANNOTATION];
  return fail(
    'LegacyTokenSecret',
    typeof account === 'string' && account !== ''
      ? `Secret "${nameOf(secret)}" holds a long-lived API token for ServiceAccount "${account}"`
      : `Secret "${nameOf(secret)}" is a long-lived ServiceAccount token Secret ` +
          `(annotation ${SERVICE_ACCOUNT_NAME_ANNOTATION} is not set)`,
  );
}

export const check: ObjectCheck = {
  id: 'sa.legacy-token-secrets',
  title: 'No long-lived ServiceAccount token Secrets',
  description:
    'Secrets of type kubernetes.io/service-account-token hold API tokens that never expire; a leaked one works ' +
    'until the Secret is deleted. Flags ServiceAccounts that list such Secrets in .secrets and token Secrets found ' +
    'among the scanned objects. Secret data is never read.',
  severity: 'medium',
  category: 'service-account',
  profiles: ['service-accounts'],
  kinds: ['ServiceAccount', 'Secret'],
  frameworks: [
    { framework: 'NSA-CISA', control: 'Pod security: protecting Pod service account tokens' },
    { framework: 'NSA-CISA', control: 'Authentication and authorization: authentication' },
  ],
  remediation:
    'Use short-lived tokens instead: the projected token pods get by default, or kubectl create token / the ' +
    'TokenRequest API for clients outside the cluster. Then delete the token Secret and remove it from the ' +
    "ServiceAccount's secrets list, after checking (kubernetes.io/legacy-token-last-used label) that nothing still uses it.",
  scope: 'object',
  evaluate(object, ctx) {
    if (object.kind === 'ServiceAccount') return evaluateServiceAccount(object, ctx);
    if (object.kind === 'Secret') return evaluateSecret(object);
    return skip('not a ServiceAccount or Secret');
  },
};
