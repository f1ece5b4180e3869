import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/default-namespace.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { fail, PASS, skip } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';
import { asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const inNamespace = (namespace: unknown): KubeObject =>
  podWith((_spec, pod) => setRaw(pod.metadata ?? {}, 'namespace', namespace));

const cases: Case[] = [
  { name: 'a namespace of its own', subject: compliantPod(), expected: PASS },
  {
    name: 'the default namespace',
    subject: inNamespace('default'),
    expected: fail('DefaultNamespace', 'runs in the default namespace'),
  },
  {
    name: 'a Deployment in the default namespace',
    subject: asDeployment(inNamespace('default')),
    expected: fail('DefaultNamespace', 'runs in the default namespace'),
  },
  { name: 'a namespace merely named like it', subject: inNamespace('default-apps'), expected: PASS },
  {
    name: 'no namespace in the manifest',
    subject: inNamespace(undefined),
    expected: skip('the manifest sets no namespace'),
  },
  {
    name: 'malformed: namespace is a number',
    subject: inNamespace(5),
    expected: skip('the manifest sets no namespace'),
  },
];

describe('workload.default-namespace', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject), c.expected);
    });
  }
});
