import assert from 'node:assert/strict';
import { check } from '../../../src/checks/net/policy-invalid.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { policyObject } from '../../engine/network/objects.js';

const valid = {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 8080 }] }],
};

function withIngress(ingress: unknown): KubeObject {
  return policyObject('shop', 'web', { ...valid, ingress });
}

const prefix = 'the API server would reject this NetworkPolicy, so it is not in force: ';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const cases: readonly Case[] = [
  { name: 'a valid policy', subject: policyObject('shop', 'web', valid), expected: PASS },
  {
    name: 'an empty spec is valid (deny all ingress)',
    subject: policyObject('shop', 'web', {}),
    expected: PASS,
  },
  {
    name: 'an empty peer',
    subject: withIngress([{ from: [{}] }]),
    expected: fail('InvalidPolicy', `${prefix}spec.ingress[0].from[0]: must specify a peer`),
  },
  {
    name: 'a quoted port number',
    subject: withIngress([{ ports: [{ port: '8080' }] }]),
    expected: fail(
      'InvalidPolicy',
      `${prefix}spec.ingress[0].ports[0].port: "8080" is not a valid port name: must contain at least one letter (a-z)`,
    ),
  },
  {
    name: 'many problems are capped',
    subject: withIngress([{ from: [{}, {}, {}, {}, {}, {}, {}] }]),
    expected: fail(
      'InvalidPolicy',
      `${prefix}spec.ingress[0].from[0]: must specify a peer; spec.ingress[0].from[1]: must specify a peer; ` +
        'spec.ingress[0].from[2]: must specify a peer; spec.ingress[0].from[3]: must specify a peer; ' +
        'spec.ingress[0].from[4]: must specify a peer; and 2 more',
    ),
  },
  {
    name: 'malformed: spec is a list',
    subject: policyObject('shop', 'web', []),
    expected: fail('InvalidPolicy', `${prefix}spec: must be an object`),
  },
  {
    name: 'not a NetworkPolicy',
    subject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
    expected: skip('not a NetworkPolicy'),
  },
];

describe('net.policy-invalid', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
