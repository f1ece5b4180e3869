import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-audit-log.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import type { HarnessOptions } from '../../support/check-harness.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, APISERVER_FLAGS, etcd, replacing, without } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly options?: HarnessOptions;
  readonly expected: CheckOutcome;
}

const incomplete = (...problems: string[]): CheckOutcome =>
  fail('AuditLogIncomplete', `kube-apiserver audit logging is incomplete: ${problems.join('; ')}`);

const cases: Case[] = [
  { name: 'policy, path and retention', subject: apiserver(), expected: PASS },
  {
    name: 'no audit flags at all',
    subject: apiserver(
      without(
        APISERVER_FLAGS,
        'audit-policy-file',
        'audit-log-path',
        'audit-log-maxage',
        'audit-log-maxbackup',
        'audit-log-maxsize',
      ),
    ),
    expected: incomplete(
      '--audit-policy-file is not set, so nothing is audited',
      '--audit-log-path is not set',
    ),
  },
  {
    name: 'a log path without a policy records nothing',
    subject: apiserver(without(APISERVER_FLAGS, 'audit-policy-file')),
    expected: incomplete('--audit-policy-file is not set, so nothing is audited'),
  },
  {
    name: 'a policy without a destination',
    subject: apiserver(without(APISERVER_FLAGS, 'audit-log-path')),
    expected: incomplete('--audit-log-path is not set'),
  },
  {
    name: 'retention unset and too short',
    subject: apiserver([
      ...without(APISERVER_FLAGS, 'audit-log-maxage', 'audit-log-maxsize'),
      '--audit-log-maxbackup=3',
    ]),
    expected: incomplete(
      '--audit-log-maxage is not set (want at least 30)',
      '--audit-log-maxbackup=3 (want at least 10)',
      '--audit-log-maxsize is not set (want at least 100)',
    ),
  },
  {
    name: 'longer retention than required',
    subject: apiserver(replacing(APISERVER_FLAGS, 'audit-log-maxage', '--audit-log-maxage', '365')),
    expected: PASS,
  },
  {
    name: 'minimums are parameters',
    subject: apiserver(),
    options: { params: { minAuditLogMaxAge: 90 } },
    expected: incomplete('--audit-log-maxage=30 (want at least 90)'),
  },
  {
    name: 'logging to stdout needs no file retention',
    subject: apiserver([
      ...without(
        APISERVER_FLAGS,
        'audit-log-path',
        'audit-log-maxage',
        'audit-log-maxbackup',
        'audit-log-maxsize',
      ),
      '--audit-log-path=-',
    ]),
    expected: PASS,
  },
  {
    name: 'a webhook backend is a destination',
    subject: apiserver([
      ...without(
        APISERVER_FLAGS,
        'audit-log-path',
        'audit-log-maxage',
        'audit-log-maxbackup',
        'audit-log-maxsize',
      ),
      '--audit-webhook-config-file=/etc/kubernetes/audit-webhook.yaml',
    ]),
    expected: PASS,
  },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: retention is not an integer',
    subject: apiserver(replacing(APISERVER_FLAGS, 'audit-log-maxage', '--audit-log-maxage=30d')),
    expected: checkError('InvalidFlag', '--audit-log-maxage=30d is not an integer'),
  },
];

describe('cp.apiserver-audit-log', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject, c.options), c.expected);
    });
  }
});
