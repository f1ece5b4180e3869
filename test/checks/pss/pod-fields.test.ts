import assert from 'node:assert/strict';
import { forEachContainer, MalformedField } from '../../../src/checks/pss/pod-fields.js';
import type { PodSubject } from '../../../src/engine/pod-spec.js';

function subject(spec: Record<string, unknown>): PodSubject {
  return {
    holder: { apiVersion: 'v1', kind: 'Pod' },
    metadata: {},
    spec,
    specPath: 'spec',
  } as unknown as PodSubject;
}

function names(pod: PodSubject): string[] {
  const seen: string[] = [];
  try {
    forEachContainer(pod, (container) => seen.push(container.name));
  } catch (error) {
    seen.push(error instanceof MalformedField ? `malformed ${error.path}` : 'other error');
  }
  return seen;
}

describe('pss forEachContainer', () => {
  it('walks each pod as it is, however pods and checks interleave', () => {
    const a = subject({ initContainers: [{ name: 'init' }], containers: [{ name: 'a1' }, { name: 'a2' }] });
    const b = subject({ containers: [{ name: 'b1' }], ephemeralContainers: [{ name: 'debug' }] });
    const broken = subject({ containers: [{ name: 'c1' }, 'not a container'] });
    const expected = new Map<PodSubject, string[]>([
      [a, ['init', 'a1', 'a2']],
      [b, ['b1', 'debug']],
      [broken, ['malformed spec.containers[1]']],
    ]);
    for (const pod of [a, a, b, a, broken, broken, b, a]) assert.deepEqual(names(pod), expected.get(pod));
  });

  it('names a container without a name by its position', () => {
    assert.deepEqual(names(subject({ containers: [{}, { name: 'x' }] })), ['containers[0]', 'x']);
  });
});
