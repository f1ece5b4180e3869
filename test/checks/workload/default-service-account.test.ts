import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/default-service-account.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';
import { asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const usesDefault = (message: string): CheckOutcome => fail('DefaultServiceAccount', message);

const cases: Case[] = [
  { name: 'its own ServiceAccount', subject: compliantPod(), expected: PASS },
  {
    name: 'no serviceAccountName',
    subject: podWith((spec) => delete spec.serviceAccountName),
    expected: usesDefault('runs as ServiceAccount "default" (serviceAccountName is not set)'),
  },
  {
    name: 'an empty serviceAccountName',
    subject: podWith((spec) => (spec.serviceAccountName = '')),
    expected: usesDefault('runs as ServiceAccount "default" (serviceAccountName is not set)'),
  },
  {
    name: 'serviceAccountName: default',
    subject: podWith((spec) => (spec.serviceAccountName = 'default')),
    expected: usesDefault('runs as ServiceAccount "default"'),
  },
  {
    name: 'the deprecated serviceAccount field counts when serviceAccountName is unset',
    subject: podWith((spec) => {
      delete spec.serviceAccountName;
      spec.serviceAccount = 'web';
    }),
    expected: PASS,
  },
  {
    name: 'serviceAccountName wins over the deprecated field',
    subject: podWith((spec) => {
      spec.serviceAccountName = 'default';
      spec.serviceAccount = 'web';
    }),
    expected: usesDefault('runs as ServiceAccount "default"'),
  },
  {
    name: 'static (mirror) pods are skipped',
    subject: podWith((spec, pod) => {
      delete spec.serviceAccountName;
      pod.metadata = { ...pod.metadata, annotations: { 'kubernetes.io/config.mirror': 'abc' } };
    }),
    expected: skip('static pods cannot use ServiceAccounts'),
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(podWith((spec) => delete spec.serviceAccountName)),
    expected: usesDefault('runs as ServiceAccount "default" (serviceAccountName is not set)'),
  },
  {
    name: 'malformed: serviceAccountName is a number',
    subject: podWith((spec) => setRaw(spec, 'serviceAccountName', 3)),
    expected: checkError('InvalidServiceAccountName', 'spec.serviceAccountName is not a string'),
  },
  {
    name: 'malformed: in a template, the path names the template',
    subject: asDeployment(podWith((spec) => setRaw(spec, 'serviceAccountName', ['web']))),
    expected: checkError(
      'InvalidServiceAccountName',
      'spec.template.spec.serviceAccountName is not a string',
    ),
  },
];

describe('workload.default-service-account', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject), c.expected);
    });
  }
});
