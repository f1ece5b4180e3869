import assert from 'node:assert/strict';
import { check } from '../../../src/checks/cp/apiserver-profiling.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runObjectCheck } from '../../support/check-harness.js';
import { apiserver, APISERVER_FLAGS, etcd, replacing } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const flags = (...words: string[]): KubeObject =>
  apiserver(replacing(APISERVER_FLAGS, 'profiling', ...words));

const cases: Case[] = [
  { name: '--profiling=false', subject: apiserver(), expected: PASS },
  {
    name: 'unset: the server defaults to true',
    subject: flags(),
    expected: fail('ProfilingEnabled', '--profiling is not set, and kube-apiserver defaults it to true'),
  },
  {
    name: '--profiling=true',
    subject: flags('--profiling=true'),
    expected: fail('ProfilingEnabled', 'kube-apiserver runs with --profiling=true'),
  },
  {
    name: 'a bare --profiling is true',
    subject: flags('--profiling'),
    expected: fail('ProfilingEnabled', 'kube-apiserver runs with --profiling=true'),
  },
  {
    name: '--profiling false is a stray argument the server refuses',
    subject: flags('--profiling', 'false'),
    expected: checkError(
      'InvalidCommand',
      'container "kube-apiserver": kube-apiserver would refuse to start: unexpected argument "false" ' +
        '(a boolean flag takes its value as --profiling=false)',
    ),
  },
  { name: 'an etcd pod is skipped', subject: etcd(), expected: skip('not a static pod of kube-apiserver') },
  {
    name: 'malformed: not a boolean',
    subject: flags('--profiling=off'),
    expected: checkError('InvalidFlag', '--profiling=off is not a boolean'),
  },
];

describe('cp.apiserver-profiling', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runObjectCheck(check, c.subject), c.expected);
    });
  }
});
