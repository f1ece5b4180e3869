import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/resource-requests.js';
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

const missing = (message: string): CheckOutcome => fail('MissingRequests', message);
const invalid = (message: string): CheckOutcome => checkError('InvalidResources', message);

const cases: Case[] = [
  { name: 'requests for CPU and memory', subject: compliantPod(), expected: PASS },
  {
    name: 'no resources at all',
    subject: podWith((spec) => delete app(spec).resources),
    expected: missing('container "app" has no CPU request and no memory request'),
  },
  {
    name: 'no CPU request',
    subject: podWith((spec) => delete app(spec).resources?.requests?.['cpu']),
    expected: missing('container "app" has no CPU request'),
  },
  {
    name: 'zero memory request',
    subject: podWith((spec) => Object.assign(app(spec).resources?.requests ?? {}, { memory: '0Mi' })),
    expected: missing('container "app" has a zero memory request'),
  },
  {
    name: 'limits stand in for missing requests, as the API server defaults them',
    subject: podWith((spec) => (app(spec).resources = { limits: { cpu: '1', memory: '1Gi' } })),
    expected: PASS,
  },
  {
    name: 'numeric quantities',
    subject: podWith((spec) => setRaw(app(spec).resources?.requests ?? {}, 'cpu', 0.5)),
    expected: PASS,
  },
  {
    name: 'every offending container is named',
    subject: podWith((spec) => {
      addContainer(spec, 'sidecar', (c) => (c.resources = { requests: { cpu: '50m' } }));
      delete app(spec).resources;
    }),
    expected: missing(
      'container "app" has no CPU request and no memory request; container "sidecar" has no memory request',
    ),
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
    expected: missing('init container "migrate" has no CPU request and no memory request'),
  },
  {
    name: 'native sidecars (restartPolicy Always) are always required',
    subject: podWith(
      (spec) =>
        (spec.initContainers = [
          { name: 'proxy', image: 'registry.example.com/p:1', restartPolicy: 'Always' },
        ]),
    ),
    expected: missing('init container "proxy" has no CPU request and no memory request'),
  },
  {
    name: 'ephemeral containers cannot declare resources and are ignored',
    subject: podWith((spec) => (spec.ephemeralContainers = [{ name: 'debug', image: 'busybox' }])),
    expected: PASS,
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(podWith((spec) => delete app(spec).resources)),
    expected: missing('container "app" has no CPU request and no memory request'),
  },
  {
    name: 'a container without a name is named by position',
    subject: podWith((spec) => {
      delete app(spec).resources;
      setRaw(app(spec), 'name', undefined);
    }),
    expected: missing('containers[0] has no CPU request and no memory request'),
  },
  {
    name: 'malformed: an invalid quantity',
    subject: podWith((spec) => setRaw(app(spec).resources?.requests ?? {}, 'cpu', 'lots')),
    expected: invalid('container "app": resources.requests.cpu: "lots" is not a quantity'),
  },
  {
    name: 'malformed: a negative quantity',
    subject: podWith((spec) => setRaw(app(spec).resources?.requests ?? {}, 'memory', '-1Gi')),
    expected: invalid('container "app": resources.requests.memory: "-1Gi" is negative'),
  },
  {
    name: 'malformed: resources is a string',
    subject: podWith((spec) => setRaw(app(spec), 'resources', 'big')),
    expected: invalid('container "app": resources is not an object'),
  },
  {
    name: 'malformed: requests is a list',
    subject: podWith((spec) => setRaw(app(spec).resources ?? {}, 'requests', ['cpu'])),
    expected: invalid('container "app": resources.requests is not an object'),
  },
  {
    name: 'malformed: containers is not a list',
    subject: podWith((spec) => setRaw(spec, 'containers', { name: 'app' })),
    expected: invalid('spec.containers is not a list'),
  },
  {
    name: 'malformed: containers is missing',
    subject: podWith((spec) => setRaw(spec, 'containers', undefined)),
    expected: invalid('spec.containers is missing'),
  },
  {
    name: 'malformed: a container entry is not an object',
    subject: podWith((spec) => setRaw(spec, 'containers', [...spec.containers, 'oops'])),
    expected: invalid('spec.containers[1] is not an object'),
  },
  {
    name: 'a violation wins over a malformed entry elsewhere',
    subject: podWith((spec) => {
      delete app(spec).resources;
      setRaw(spec, 'initContainers', 'oops');
    }),
    expected: missing('container "app" has no CPU request and no memory request'),
  },
];

describe('workload.resource-requests', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject, c.options), c.expected);
    });
  }
});
