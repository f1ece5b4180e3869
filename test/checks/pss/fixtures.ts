/**
 * Minimal compliant subjects for the pss table tests: every `pss.*` check passes on
 * `compliantPod()` at every version, so a case changes one thing and fails for one reason
 * (the shape of upstream's minimal valid restricted pod).
 */
import assert from 'node:assert/strict';
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { PodCheck } from '../../../src/engine/check.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import type { CheckOutcome } from '../../../src/engine/types.js';
import { checkError, fail, skip } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';

const BASE: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/shop/web:1.4.2',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
};

export function compliantPod(): KubeObject {
  return structuredClone(BASE) as unknown as KubeObject;
}

/** The compliant pod with one change applied to its spec (and, if needed, the pod itself). */
export function podWith(change: (spec: V1PodSpec, pod: V1Pod) => void): KubeObject {
  const pod = structuredClone(BASE);
  change(pod.spec as V1PodSpec, pod);
  return pod as unknown as KubeObject;
}

/** The pod's first container, the one most cases change. */
export function app(spec: V1PodSpec): V1Container {
  const first = spec.containers[0];
  if (first === undefined) throw new Error('fixture has no container');
  return first;
}

/** The container's securityContext, created when missing. */
export function sc(container: V1Container): NonNullable<V1Container['securityContext']> {
  container.securityContext ??= {};
  return container.securityContext;
}

/** Adds a compliant container of the given kind and returns it for further changes. */
export function addContainer(
  spec: V1PodSpec,
  name: string,
  kind: 'containers' | 'initContainers' | 'ephemeralContainers' = 'containers',
): V1Container {
  const container = { ...structuredClone(app(spec)), name };
  const list = (spec[kind] ??= []) as V1Container[];
  list.push(container);
  return container;
}

/** Sets a field to a value its type forbids, as malformed manifests do. */
export function setRaw(target: object, field: string, value: unknown): void {
  (target as Record<string, unknown>)[field] = value;
}

/** The same pod as a Deployment's template. */
export function asDeployment(pod: KubeObject): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { metadata: pod.metadata, spec: pod['spec'] } },
  };
}

/** A fail outcome worded as the check words it: `reason (detail)`. */
export function forbidden(reason: string, detail: string): CheckOutcome {
  return fail(reason, `${reason} (${detail})`);
}

export function malformed(upstreamId: string, problem: string): CheckOutcome {
  return checkError('MalformedField', `cannot evaluate ${upstreamId}: ${problem}`);
}

export function notYet(upstreamId: string, version: string, since: number): CheckOutcome {
  return skip(`${upstreamId} is not part of Pod Security Standards ${version}; it applies from v1.${since}`);
}

export interface Case {
  readonly name: string;
  readonly subject: KubeObject;
  /** The Pod Security version in force; `latest` when omitted. */
  readonly version?: string;
  readonly expected: CheckOutcome;
}

/** One `describe` per check, one `it` per row. */
export function tableTest(check: PodCheck, cases: readonly Case[]): void {
  describe(check.id, () => {
    for (const row of cases) {
      it(row.name, () => {
        const options = row.version === undefined ? {} : { podSecurityVersion: row.version };
        assert.deepEqual(runPodCheck(check, row.subject, options), row.expected);
      });
    }
  });
}
