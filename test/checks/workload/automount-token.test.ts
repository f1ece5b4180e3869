import assert from 'node:assert/strict';
import type { V1ServiceAccount } from '@kubernetes/client-node';
import { check } from '../../../src/checks/workload/automount-token.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import type { HarnessOptions } from '../../support/check-harness.js';
import { runPodCheck } from '../../support/check-harness.js';
import { asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly options?: HarnessOptions;
  readonly expected: CheckOutcome;
}

function serviceAccount(name: string, automount?: boolean, namespace = 'shop'): KubeObject {
  const sa: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
    ...(automount !== undefined ? { automountServiceAccountToken: automount } : {}),
  };
  return sa as unknown as KubeObject;
}

const inherits = podWith((spec) => delete spec.automountServiceAccountToken);
const mounted = (message: string): CheckOutcome => fail('TokenAutomounted', message);

const cases: Case[] = [
  { name: 'the pod disables automounting', subject: compliantPod(), expected: PASS },
  {
    name: 'the pod disables it even though its ServiceAccount enables it',
    subject: compliantPod(),
    options: { objects: [serviceAccount('web', true)] },
    expected: PASS,
  },
  {
    name: 'the pod enables it explicitly, overriding its ServiceAccount',
    subject: podWith((spec) => (spec.automountServiceAccountToken = true)),
    options: { objects: [serviceAccount('web', false)] },
    expected: mounted('mounts the API token of ServiceAccount "web" (automountServiceAccountToken: true)'),
  },
  {
    name: 'unset on the pod, disabled on its ServiceAccount',
    subject: inherits,
    options: { objects: [serviceAccount('web', false)] },
    expected: PASS,
  },
  {
    name: 'unset on both',
    subject: inherits,
    options: { objects: [serviceAccount('web')] },
    expected: mounted(
      'mounts the API token of ServiceAccount "web": neither the pod nor the ServiceAccount sets ' +
        'automountServiceAccountToken: false',
    ),
  },
  {
    name: 'unset on the pod, ServiceAccount not found',
    subject: inherits,
    expected: mounted(
      'mounts the API token of ServiceAccount "web": the pod does not set automountServiceAccountToken: false ' +
        '(ServiceAccount not found, so its own setting is unknown)',
    ),
  },
  {
    name: 'a ServiceAccount of the same name in another namespace does not count',
    subject: inherits,
    options: { objects: [serviceAccount('web', false, 'other')] },
    expected: mounted(
      'mounts the API token of ServiceAccount "web": the pod does not set automountServiceAccountToken: false ' +
        '(ServiceAccount not found, so its own setting is unknown)',
    ),
  },
  {
    name: 'no serviceAccountName means the default ServiceAccount',
    subject: podWith((spec) => {
      delete spec.automountServiceAccountToken;
      delete spec.serviceAccountName;
    }),
    options: { objects: [serviceAccount('default', false)] },
    expected: PASS,
  },
  {
    name: 'a Deployment template reads the ServiceAccount of its namespace',
    subject: asDeployment(inherits),
    options: { objects: [serviceAccount('web', false)] },
    expected: PASS,
  },
  {
    name: 'static (mirror) pods are skipped',
    subject: podWith((spec, pod) => {
      delete spec.automountServiceAccountToken;
      pod.metadata = { ...pod.metadata, annotations: { 'kubernetes.io/config.mirror': 'abc' } };
    }),
    expected: skip('static pods get no ServiceAccount token'),
  },
  {
    name: 'malformed: automountServiceAccountToken is a string',
    subject: podWith((spec) => setRaw(spec, 'automountServiceAccountToken', 'false')),
    expected: checkError('InvalidAutomount', 'spec.automountServiceAccountToken is not a boolean'),
  },
  {
    name: 'malformed: the ServiceAccount setting is a string, so it does not disable',
    subject: inherits,
    options: {
      objects: [{ ...serviceAccount('web'), automountServiceAccountToken: 'false' }],
    },
    expected: mounted(
      'mounts the API token of ServiceAccount "web": neither the pod nor the ServiceAccount sets ' +
        'automountServiceAccountToken: false',
    ),
  },
  {
    name: 'malformed: serviceAccountName is an object',
    subject: podWith((spec) => setRaw(spec, 'serviceAccountName', {})),
    expected: checkError('InvalidServiceAccountName', 'spec.serviceAccountName is not a string'),
  },
];

describe('workload.automount-token', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject, c.options), c.expected);
    });
  }
});
