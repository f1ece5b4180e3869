import assert from 'node:assert/strict';
import { check } from '../../../src/checks/sa/legacy-token-secrets.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import type { HarnessOptions } from '../../support/check-harness.js';
import { runObjectCheck } from '../../support/check-harness.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly options?: HarnessOptions;
  readonly expected: CheckOutcome;
}

const TOKEN_DATA = 'ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjkuc2VjcmV0';

function serviceAccount(secrets?: unknown): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'builder', namespace: 'ci' },
    automountServiceAccountToken: false,
    ...(secrets !== undefined ? { secrets } : {}),
  };
}

function secret(
  name: string,
  type: string,
  annotations: Record<string, string> = {},
  namespace = 'ci',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, annotations },
    type,
    data: { token: TOKEN_DATA },
  };
}

const TOKEN = 'kubernetes.io/service-account-token';
const legacy = (message: string): CheckOutcome => fail('LegacyTokenSecret', message);

const cases: Case[] = [
  { name: 'a ServiceAccount without secrets', subject: serviceAccount(), expected: PASS },
  { name: 'an empty secrets list', subject: serviceAccount([]), expected: PASS },
  {
    name: 'a referenced secret not in the inventory',
    subject: serviceAccount([{ name: 'builder-token-x7k2p' }]),
    expected: legacy(
      'ServiceAccount "builder" lists secret "builder-token-x7k2p" in .secrets, the legacy way to hand out long-lived tokens',
    ),
  },
  {
    name: 'a referenced secret known to be a token',
    subject: serviceAccount([{ name: 'builder-token-x7k2p' }]),
    options: { objects: [secret('builder-token-x7k2p', TOKEN)] },
    expected: legacy(
      'ServiceAccount "builder" lists secret "builder-token-x7k2p" in .secrets, the legacy way to hand out long-lived tokens',
    ),
  },
  {
    name: 'a referenced secret known to be of another type passes',
    subject: serviceAccount([{ name: 'registry-creds' }]),
    options: { objects: [secret('registry-creds', 'kubernetes.io/dockerconfigjson')] },
    expected: PASS,
  },
  {
    name: 'a Secret of the same name in another namespace does not count',
    subject: serviceAccount([{ name: 'registry-creds' }]),
    options: { objects: [secret('registry-creds', 'Opaque', {}, 'other')] },
    expected: legacy(
      'ServiceAccount "builder" lists secret "registry-creds" in .secrets, the legacy way to hand out long-lived tokens',
    ),
  },
  {
    name: 'several references; many are counted, not listed',
    subject: serviceAccount(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({ name: `t-${n}` }))),
    expected: legacy(
      'ServiceAccount "builder" lists secrets "t-a", "t-b", "t-c", "t-d", "t-e" and 1 more in .secrets, ' +
        'the legacy way to hand out long-lived tokens',
    ),
  },
  {
    name: 'a token Secret with its ServiceAccount annotation',
    subject: secret('ci-token', TOKEN, { 'kubernetes.io/service-account.name': 'builder' }),
    expected: legacy('Secret "ci-token" holds a long-lived API token for ServiceAccount "builder"'),
  },
  {
    name: 'a token Secret without the annotation',
    subject: secret('ci-token', TOKEN),
    expected: legacy(
      'Secret "ci-token" is a long-lived ServiceAccount token Secret (annotation kubernetes.io/service-account.name is not set)',
    ),
  },
  {
    name: 'another Secret type is skipped',
    subject: secret('tls', 'kubernetes.io/tls'),
    expected: skip('not a ServiceAccount token Secret'),
  },
  {
    name: 'a Secret without a type is skipped',
    subject: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
    expected: skip('not a ServiceAccount token Secret'),
  },
  {
    name: 'malformed: secrets is a string',
    subject: serviceAccount('builder-token'),
    expected: checkError('InvalidSecrets', 'secrets is not a list'),
  },
  {
    name: 'malformed: entries without a string name are ignored',
    subject: serviceAccount(['builder-token', null, { name: 5 }, { name: '' }]),
    expected: PASS,
  },
  {
    name: 'another kind is skipped',
    subject: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    expected: skip('not a ServiceAccount or Secret'),
  },
];

describe('sa.legacy-token-secrets', () => {
  for (const c of cases) {
    it(c.name, () => {
      const outcome = runObjectCheck(check, c.subject, c.options);
      assert.deepStrictEqual(outcome, c.expected);
      assert.ok(!JSON.stringify(outcome).includes(TOKEN_DATA), 'a message never holds secret data');
    });
  }
});
