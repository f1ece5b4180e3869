import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/image-tag.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';
import { app, asDeployment, compliantPod, DIGEST, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const mutable = (message: string): CheckOutcome => fail('MutableImageTag', message);
const invalid = (message: string): CheckOutcome => checkError('InvalidImage', message);
const withImage = (image: unknown): KubeObject => podWith((spec) => setRaw(app(spec), 'image', image));

const cases: Case[] = [
  { name: 'a tag and a digest', subject: compliantPod(), expected: PASS },
  { name: 'a version tag', subject: withImage('registry.example.com/shop/web:1.4.2'), expected: PASS },
  { name: 'a digest alone', subject: withImage(`nginx@${DIGEST}`), expected: PASS },
  { name: ':latest pinned by a digest', subject: withImage(`nginx:latest@${DIGEST}`), expected: PASS },
  {
    name: 'no tag',
    subject: withImage('nginx'),
    expected: mutable('container "app" image "nginx" has no tag, so it pulls :latest'),
  },
  {
    name: ':latest',
    subject: withImage('nginx:latest'),
    expected: mutable('container "app" image "nginx:latest" uses the mutable :latest tag'),
  },
  {
    name: 'a registry port is not a tag',
    subject: withImage('localhost:5000/shop/web'),
    expected: mutable('container "app" image "localhost:5000/shop/web" has no tag, so it pulls :latest'),
  },
  { name: 'a registry port and a tag', subject: withImage('localhost:5000/shop/web:2'), expected: PASS },
  {
    name: 'tags are case-sensitive: Latest is a fixed tag',
    subject: withImage('nginx:Latest'),
    expected: PASS,
  },
  {
    name: 'init and ephemeral containers count too',
    subject: podWith((spec) => {
      spec.initContainers = [{ name: 'setup', image: 'busybox' }];
      spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:latest' }];
    }),
    expected: mutable(
      'init container "setup" image "busybox" has no tag, so it pulls :latest; ' +
        'ephemeral container "debug" image "busybox:latest" uses the mutable :latest tag',
    ),
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(withImage('nginx')),
    expected: mutable('container "app" image "nginx" has no tag, so it pulls :latest'),
  },
  {
    name: 'a long image is shortened in the message',
    subject: withImage(`registry.example.com/${'x'.repeat(200)}`),
    expected: mutable(
      `container "app" image "registry.example.com/${'x'.repeat(96)}..." has no tag, so it pulls :latest`,
    ),
  },
  {
    name: 'malformed: no image',
    subject: withImage(undefined),
    expected: invalid('container "app" has no image'),
  },
  {
    name: 'malformed: empty image',
    subject: withImage(''),
    expected: invalid('container "app" has no image'),
  },
  {
    name: 'malformed: image is a number',
    subject: withImage(42),
    expected: invalid('container "app": image is not a string'),
  },
  {
    name: 'malformed: uppercase repository',
    subject: withImage('NGINX:1'),
    expected: invalid(
      'container "app": image "NGINX:1" is not a valid image reference (the repository name must be lowercase)',
    ),
  },
  {
    name: 'malformed: truncated digest',
    subject: withImage('nginx@sha256:1234'),
    expected: invalid(
      'container "app": image "nginx@sha256:1234" is not a valid image reference (digest is not 64 lowercase hex digits)',
    ),
  },
  {
    name: 'malformed: containers is a number',
    subject: podWith((spec) => setRaw(spec, 'containers', 3)),
    expected: invalid('spec.containers is not a list'),
  },
];

describe('workload.image-tag', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject), c.expected);
    });
  }
});
