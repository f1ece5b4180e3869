import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/resource-limits.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS } from '../../../src/engine/types.js';
import type { HarnessOptions } from '../../support/check-harness.js';
import { runPodCheck } from '../../support/check-harness.js';
import { addContainer, app, asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly options?: HarnessOptions;
  readonly expected: CheckOutcome;
}

const missing = (message: string): CheckOutcome => fail('MissingLimits', message);
const invalid = (message: string): CheckOutcome => checkError('InvalidResources', message);
const requireCpu: HarnessOptions = { params: { requireCpuLimit: true } };

const cases: Case[] = [
  { name: 'a memory limit and no CPU limit', subject: compliantPod(), expected: PASS },
  {
    name: 'no memory limit',
    subject: podWith((spec) => delete app(spec).resources?.limits),
    expected: missing('container "app" has no memory limit'),
  },
  {
    name: 'a request is not a limit',
    subject: podWith((spec) => (app(spec).resources = { requests: { cpu: '1', memory: '1Gi' } })),
    expected: missing('container "app" has no memory limit'),
  },
  {
    name: 'zero memory limit',
    subject: podWith((spec) => (app(spec).resources = { limits: { memory: '0' } })),
    expected: missing('container "app" has a zero memory limit'),
  },
  {
    name: 'requireCpuLimit: no CPU limit',
    subject: compliantPod(),
    options: requireCpu,
    expected: missing('container "app" has no CPU limit'),
  },
  {
    name: 'requireCpuLimit: both limits missing',
    subject: podWith((spec) => delete app(spec).resources),
    options: requireCpu,
    expected: missing('container "app" has no CPU limit and no memory limit'),
  },
  {
    name: 'requireCpuLimit: both limits set',
    subject: podWith((spec) => (app(spec).resources = { limits: { cpu: '500m', memory: '256Mi' } })),
    options: requireCpu,
    expected: PASS,
  },
  {
    name: 'every offending container is named',
    subject: podWith((spec) => {
      addContainer(spec, 'sidecar', (c) => delete c.resources);
      delete app(spec).resources;
    }),
    expected: missing('container "app" has no memory limit; container "sidecar" has no memory limit'),
  },
  {
    name: 'classic init containers are not required by default',
    subject: podWith(
      (spec) => (spec.initContainers = [{ name: 'migrate', image: 'registry.example.com/m:1' }]),
    ),
    expected: PASS,
  },
  {
    name: 'classic init containers are required with includeInitContainers',
    subject: podWith(
      (spec) => (spec.initContainers = [{ name: 'migrate', image: 'registry.example.com/m:1' }]),
    ),
    options: { params: { includeInitContainers: true } },
    expected: missing('init container "migrate" has no memory limit'),
  },
  {
    name: 'native sidecars are always required',
    subject: podWith(
      (spec) =>
        (spec.initContainers = [
          { name: 'proxy', image: 'registry.example.com/p:1', restartPolicy: 'Always' },
        ]),
    ),
    expected: missing('init container "proxy" has no memory limit'),
  },
  {
    name: 'ephemeral containers are ignored',
    subject: podWith((spec) => (spec.ephemeralContainers = [{ name: 'debug', image: 'busybox' }])),
    expected: PASS,
  },
  {
    name: 'a CronJob template is judged like a pod',
    subject: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: {
        schedule: '@daily',
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'job', image: 'registry.example.com/j:1' }] } } },
        },
      },
    },
    expected: missing('container "job" has no memory limit'),
  },
  {
    name: 'messages are the same for a Deployment',
    subject: asDeployment(podWith((spec) => delete app(spec).resources)),
    expected: missing('container "app" has no memory limit'),
  },
  {
    name: 'malformed: limits is a number',
    subject: podWith((spec) => setRaw(app(spec).resources ?? {}, 'limits', 5)),
    expected: invalid('container "app": resources.limits is not an object'),
  },
  {
    name: 'malformed: memory limit is a boolean',
    subject: podWith((spec) => setRaw(app(spec).resources?.limits ?? {}, 'memory', true)),
    expected: invalid('container "app": resources.limits.memory: boolean is not a quantity'),
  },
  {
    name: 'malformed: containers is a string',
    subject: podWith((spec) => setRaw(spec, 'containers', 'app')),
    expected: invalid('spec.containers is not a list'),
  },
];

describe('workload.resource-limits', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject, c.options), c.expected);
    });
  }
});
