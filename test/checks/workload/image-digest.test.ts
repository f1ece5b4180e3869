import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/image-digest.js';
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

const unpinned = (message: string): CheckOutcome => fail('ImageNotPinned', message);
const invalid = (message: string): CheckOutcome => checkError('InvalidImage', message);
const withImage = (image: unknown): KubeObject => podWith((spec) => setRaw(app(spec), 'image', image));

const cases: Case[] = [
  { name: 'a tag and a digest', subject: compliantPod(), expected: PASS },
  { name: 'a digest alone', subject: withImage(`registry.example.com/shop/web@${DIGEST}`), expected: PASS },
  {
    name: 'a version tag without a digest',
    subject: withImage('registry.example.com/shop/web:1.4.2'),
    expected: unpinned('container "app" image "registry.example.com/shop/web:1.4.2" is not pinned by digest'),
  },
  {
    name: 'no tag and no digest',
    subject: withImage('nginx'),
    expected: unpinned('container "app" image "nginx" is not pinned by digest'),
  },
  {
    name: 'an init container without a digest',
    subject: podWith((spec) => (spec.initContainers = [{ name: 'setup', image: 'busybox:1.36' }])),
    expected: unpinned('init container "setup" image "busybox:1.36" is not pinned by digest'),
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(withImage('nginx:1')),
    expected: unpinned('container "app" image "nginx:1" is not pinned by digest'),
  },
  {
    name: 'malformed: a digest with uppercase hex',
    subject: withImage(`nginx@sha256:${'A'.repeat(64)}`),
    expected: invalid(
      `container "app": image "nginx@sha256:${'A'.repeat(64)}" is not a valid image reference ` +
        '(digest is not 64 lowercase hex digits)',
    ),
  },
  {
    name: 'malformed: image is an object',
    subject: withImage({ name: 'nginx' }),
    expected: invalid('container "app": image is not a string'),
  },
  {
    name: 'malformed: a container entry is null',
    subject: podWith((spec) => setRaw(spec, 'containers', [null])),
    expected: invalid('spec.containers[0] is not an object'),
  },
];

describe('workload.image-digest', () => {
  it('is opt-in', () => {
    assert.deepStrictEqual(check.profiles, []);
  });
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject), c.expected);
    });
  }
});
