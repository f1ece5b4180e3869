import assert from 'node:assert/strict';
import type { V1EnvVar } from '@kubernetes/client-node';
import { check } from '../../../src/checks/workload/env-literal-secrets.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS } from '../../../src/engine/types.js';
import type { HarnessOptions } from '../../support/check-harness.js';
import { runPodCheck } from '../../support/check-harness.js';
import { app, asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly options?: HarnessOptions;
  readonly expected: CheckOutcome;
}

const SECRET_VALUE = 'hunter2-s3cr3t';
const literal = (message: string): CheckOutcome => fail('LiteralCredential', message);
const withEnv = (...env: V1EnvVar[]): KubeObject => podWith((spec) => (app(spec).env = env));

const cases: Case[] = [
  { name: 'no credential-like names', subject: compliantPod(), expected: PASS },
  {
    name: 'a literal password',
    subject: withEnv({ name: 'DB_PASSWORD', value: SECRET_VALUE }),
    expected: literal('container "app" sets DB_PASSWORD as a literal value'),
  },
  {
    name: 'several literal credentials in one container',
    subject: withEnv(
      { name: 'API_TOKEN', value: SECRET_VALUE },
      { name: 'aws-secret-access-key', value: SECRET_VALUE },
      { name: 'stripe.api_key', value: SECRET_VALUE },
    ),
    expected: literal(
      'container "app" sets API_TOKEN, aws-secret-access-key, stripe.api_key as literal values',
    ),
  },
  {
    name: 'more than five are counted, not listed',
    subject: withEnv(
      ...['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((p) => ({ name: `${p}_PASSWORD`, value: SECRET_VALUE })),
    ),
    expected: literal(
      'container "app" sets A_PASSWORD, B_PASSWORD, C_PASSWORD, D_PASSWORD, E_PASSWORD and 2 more as literal values',
    ),
  },
  {
    name: 'a Secret reference passes',
    subject: withEnv({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }),
    expected: PASS,
  },
  {
    name: 'a file path passes',
    subject: withEnv({ name: 'DB_PASSWORD_FILE', value: '/run/secrets/db' }),
    expected: PASS,
  },
  {
    name: 'an identifier passes',
    subject: withEnv({ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLE' }),
    expected: PASS,
  },
  {
    name: 'a word that merely contains TOKEN passes',
    subject: withEnv({ name: 'TOKENIZER_MODEL', value: 'bert' }),
    expected: PASS,
  },
  { name: 'an empty value passes', subject: withEnv({ name: 'DB_PASSWORD', value: '' }), expected: PASS },
  { name: 'a flag value passes', subject: withEnv({ name: 'REQUIRE_TOKEN', value: 'true' }), expected: PASS },
  {
    name: 'a reference to another variable passes',
    subject: withEnv({ name: 'PGPASSWORD', value: '$(DB_PASSWORD)' }),
    expected: PASS,
  },
  {
    name: 'init containers count too',
    subject: podWith(
      (spec) => (spec.initContainers = [{ name: 'migrate', env: [{ name: 'ADMIN_PASSWORD', value: 'x' }] }]),
    ),
    expected: literal('init container "migrate" sets ADMIN_PASSWORD as a literal value'),
  },
  {
    name: 'custom namePatterns replace the defaults',
    subject: withEnv({ name: 'LICENSE', value: 'abc' }, { name: 'DB_PASSWORD', value: SECRET_VALUE }),
    options: { params: { namePatterns: ['license'] } },
    expected: literal('container "app" sets LICENSE as a literal value'),
  },
  {
    name: 'custom ignoreNamePatterns',
    subject: withEnv({ name: 'DB_PASSWORD', value: SECRET_VALUE }),
    options: { params: { ignoreNamePatterns: ['DB_*'] } },
    expected: PASS,
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(withEnv({ name: 'GITHUB_TOKEN', value: SECRET_VALUE })),
    expected: literal('container "app" sets GITHUB_TOKEN as a literal value'),
  },
  {
    name: 'malformed: env is an object',
    subject: podWith((spec) => setRaw(app(spec), 'env', { DB_PASSWORD: SECRET_VALUE })),
    expected: checkError('InvalidEnv', 'container "app": env is not a list'),
  },
  {
    name: 'malformed: entries that are not objects or lack a string name are ignored',
    subject: podWith((spec) => setRaw(app(spec), 'env', ['DB_PASSWORD=x', null, { name: 7, value: 'x' }])),
    expected: PASS,
  },
  {
    name: 'malformed: a numeric value is not a literal string',
    subject: podWith((spec) => setRaw(app(spec), 'env', [{ name: 'PIN_SECRET', value: 1234 }])),
    expected: PASS,
  },
];

describe('workload.env-literal-secrets', () => {
  for (const c of cases) {
    it(c.name, () => {
      const outcome = runPodCheck(check, c.subject, c.options);
      assert.deepStrictEqual(outcome, c.expected);
      assert.ok(!JSON.stringify(outcome).includes(SECRET_VALUE), 'a message never holds a secret value');
    });
  }

  it('judges a name again under other patterns, and the same under the same ones', () => {
    const subject = withEnv({ name: 'DB_PASSWORD', value: SECRET_VALUE }, { name: 'LICENSE', value: 'abc' });
    const names = ['LICENSE'];
    const ignored = ['DB_*'];
    const both = literal('container "app" sets DB_PASSWORD, LICENSE as literal values');
    for (let round = 0; round < 2; round++) {
      assert.deepStrictEqual(
        runPodCheck(check, subject),
        literal('container "app" sets DB_PASSWORD as a literal value'),
      );
      assert.deepStrictEqual(
        runPodCheck(check, subject, { params: { namePatterns: names } }),
        literal('container "app" sets LICENSE as a literal value'),
      );
      assert.deepStrictEqual(runPodCheck(check, subject, { params: { ignoreNamePatterns: ignored } }), PASS);
      assert.deepStrictEqual(
        runPodCheck(check, subject, { params: { namePatterns: [...names, '*PASSWORD'] } }),
        both,
      );
      assert.deepStrictEqual(
        runPodCheck(check, subject, {
          params: { namePatterns: ['*PASSWORD', 'LICENSE'], ignoreNamePatterns: ignored },
        }),
        literal('container "app" sets LICENSE as a literal value'),
      );
    }
  });
});
