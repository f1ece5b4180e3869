import assert from 'node:assert/strict';
import { check } from '../../../src/checks/workload/read-only-root-fs.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, PASS, skip } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';
import { addContainer, app, asDeployment, compliantPod, podWith, setRaw } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  readonly expected: CheckOutcome;
}

const writable = (message: string): CheckOutcome => fail('WritableRootFilesystem', message);
const invalid = (message: string): CheckOutcome => checkError('InvalidSecurityContext', message);

const cases: Case[] = [
  { name: 'readOnlyRootFilesystem: true', subject: compliantPod(), expected: PASS },
  {
    name: 'no securityContext',
    subject: podWith((spec) => delete app(spec).securityContext),
    expected: writable('container "app" does not set securityContext.readOnlyRootFilesystem: true'),
  },
  {
    name: 'readOnlyRootFilesystem: false',
    subject: podWith((spec) => (app(spec).securityContext = { readOnlyRootFilesystem: false })),
    expected: writable('container "app" does not set securityContext.readOnlyRootFilesystem: true'),
  },
  {
    name: 'init and ephemeral containers count too',
    subject: podWith((spec) => {
      spec.initContainers = [{ name: 'setup', image: 'registry.example.com/s:1' }];
      spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36' }];
    }),
    expected: writable(
      'init container "setup" does not set securityContext.readOnlyRootFilesystem: true; ' +
        'ephemeral container "debug" does not set securityContext.readOnlyRootFilesystem: true',
    ),
  },
  {
    name: 'only the offending container is named',
    subject: podWith((spec) => addContainer(spec, 'sidecar', (c) => delete c.securityContext)),
    expected: writable('container "sidecar" does not set securityContext.readOnlyRootFilesystem: true'),
  },
  {
    name: 'Windows pods are skipped',
    subject: podWith((spec) => {
      delete app(spec).securityContext;
      spec.os = { name: 'windows' };
    }),
    expected: skip('Windows pods cannot set readOnlyRootFilesystem'),
  },
  {
    name: 'a Deployment template is judged like a pod',
    subject: asDeployment(podWith((spec) => delete app(spec).securityContext)),
    expected: writable('container "app" does not set securityContext.readOnlyRootFilesystem: true'),
  },
  {
    name: 'malformed: readOnlyRootFilesystem is the string "true"',
    subject: podWith((spec) => setRaw(app(spec).securityContext ?? {}, 'readOnlyRootFilesystem', 'true')),
    expected: invalid('container "app": securityContext.readOnlyRootFilesystem is not a boolean'),
  },
  {
    name: 'malformed: securityContext is a list',
    subject: podWith((spec) => setRaw(app(spec), 'securityContext', [])),
    expected: invalid('container "app": securityContext is not an object'),
  },
  {
    name: 'malformed: ephemeralContainers is an object',
    subject: podWith((spec) => setRaw(spec, 'ephemeralContainers', {})),
    expected: invalid('spec.ephemeralContainers is not a list'),
  },
  {
    name: 'malformed: os is a string (not Windows, so judged)',
    subject: podWith((spec) => setRaw(spec, 'os', 'windows')),
    expected: PASS,
  },
];

describe('workload.read-only-root-fs', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepStrictEqual(runPodCheck(check, c.subject), c.expected);
    });
  }
});
