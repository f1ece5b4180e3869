import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/allowed-registries.js';
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

const ours: HarnessOptions = { params: { registries: ['registry.example.com', 'ghcr.io/acme/'] } };
const outside = (message: string): CheckOutcome => fail('RegistryNotAllowed', message);
const withImage = (image: unknown): KubeObject => podWith((spec) => setRaw(app(spec), 'image', image));

const cases: Case[] = [
  { name: 'an image from an allowed host', subject: compliantPod(), options: ours, expected: PASS },
  {
    name: 'an image under an allowed prefix',
    subject: withImage('ghcr.io/acme/tool:2'),
    options: ours,
    expected: PASS,
  },
  {
    name: 'a Docker Hub image',
    subject: withImage('nginx:1.25'),
    options: ours,
    expected: outside(
      'container "app" image "nginx:1.25" (docker.io/library/nginx) is not from an allowed registry',
    ),
  },
  {
    name: 'a look-alike host',
    subject: withImage('registry.example.com.evil.io/shop/web:1'),
    options: ours,
    expected: outside(
      'container "app" image "registry.example.com.evil.io/shop/web:1" (registry.example.com.evil.io/shop/web) ' +
        'is not from an allowed registry',
    ),
  },
  {
    name: 'another organisation on an allowed host',
    subject: withImage('ghcr.io/evil/tool:2'),
    options: ours,
    expected: outside(
      'container "app" image "ghcr.io/evil/tool:2" (ghcr.io/evil/tool) is not from an allowed registry',
    ),
  },
  {
    name: 'Docker Hub official images when docker.io/library/ is allowed',
    subject: withImage('nginx:1.25'),
    options: { params: { registries: ['docker.io/library/'] } },
    expected: PASS,
  },
  {
    name: 'ephemeral debug containers count too',
    subject: podWith((spec) => (spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }])),
    options: ours,
    expected: outside(
      'ephemeral container "debug" image "busybox:1.36" (docker.io/library/busybox) is not from an allowed registry',
    ),
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(withImage('quay.io/x/y:1')),
    options: ours,
    expected: outside('container "app" image "quay.io/x/y:1" (quay.io/x/y) is not from an allowed registry'),
  },
  {
    name: 'no registries configured',
    subject: compliantPod(),
    expected: checkError('NoRegistriesConfigured', 'no registries configured'),
  },
  {
    name: 'only blank registries configured',
    subject: compliantPod(),
    options: { params: { registries: ['', ' '] } },
    expected: checkError('NoRegistriesConfigured', 'no registries configured'),
  },
  {
    name: 'malformed: registries is not a list',
    subject: compliantPod(),
    options: { params: { registries: 'registry.example.com' } },
    expected: checkError('NoRegistriesConfigured', 'no registries configured'),
  },
  {
    name: 'malformed: image is not a string',
    subject: withImage(['nginx']),
    options: ours,
    expected: checkError('InvalidImage', 'container "app": image is not a string'),
  },
];

describe('workload.allowed-registries', () => {
  it('is opt-in', () => {
    assert.deepStrictEqual(check.profiles, []);
  });
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject, c.options), c.expected);
    });
  }
});
