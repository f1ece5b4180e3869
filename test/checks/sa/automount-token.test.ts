import assert from 'node:assert/strict';
import { check } from '../../../src/checks/sa/automount-token.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

function serviceAccount(change: (sa: KubeObject) => void = () => {}, name = 'builder'): KubeObject {
  const sa: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: 'ci' },
    automountServiceAccountToken: false,
  };
  change(sa);
  return sa;
}

const cases: Case[] = [
  { name: 'automounting turned off', subject: serviceAccount(), expected: PASS },
  {
    name: 'unset',
    subject: serviceAccount((sa) => delete sa['automountServiceAccountToken']),
    expected: fail(
      'TokenAutomounted',
      'ServiceAccount "builder" does not set automountServiceAccountToken: false, so every pod using it gets its ' +
        'API token unless the pod opts out',
    ),
  },
  {
    name: 'the default ServiceAccount is judged too',
    subject: serviceAccount((sa) => delete sa['automountServiceAccountToken'], 'default'),
    expected: fail(
      'TokenAutomounted',
      'ServiceAccount "default" does not set automountServiceAccountToken: false, so every pod using it gets its ' +
        'API token unless the pod opts out',
    ),
  },
  {
    name: 'explicitly true',
    subject: serviceAccount((sa) => (sa['automountServiceAccountToken'] = true)),
    expected: fail('TokenAutomounted', 'ServiceAccount "builder" sets automountServiceAccountToken: true'),
  },
  {
    name: 'malformed: the string "false"',
    subject: serviceAccount((sa) => (sa['automountServiceAccountToken'] = 'false')),
    expected: checkError('InvalidAutomount', 'automountServiceAccountToken is not a boolean'),
  },
  {
    name: 'malformed: no metadata',
    subject: serviceAccount((sa) => delete sa.metadata),
    expected: PASS,
  },
  {
    name: 'another kind is skipped',
    subject: serviceAccount((sa) => (sa.kind = 'Secret')),
    expected: skip('not a ServiceAccount'),
  },
];

describe('sa.automount-token', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
