/**
 * Minimal compliant subjects for the workload table tests: every workload check passes on
 * `compliantPod()`, so a case changes one thing and fails for one reason.
 */
import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/engine/objects.js';

export const DIGEST = `sha256:${'a'.repeat(64)}`;

const BASE: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    serviceAccountName: 'web',
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'app',
        image: `registry.example.com/shop/web:1.4.2@${DIGEST}`,
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
        securityContext: { readOnlyRootFilesystem: true },
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

/** The pod's first container, the one every case changes. */
export function app(spec: V1PodSpec): V1Container {
  const first = spec.containers[0];
  if (first === undefined) throw new Error('fixture has no container');
  return first;
}

/** A second regular container, compliant like the first. */
export function addContainer(
  spec: V1PodSpec,
  name: string,
  change: (c: V1Container) => void = () => {},
): V1Container {
  const container = { ...structuredClone(app(spec)), name };
  change(container);
  spec.containers.push(container);
  return container;
}

/** Sets a field to a value its type forbids, as malformed manifests do. */
export function setRaw(target: object, field: string, value: unknown): void {
  (target as Record<string, unknown>)[field] = value;
}

/** Wraps a pod in a Deployment, to check that messages and verdicts hold for templates too. */
export function asDeployment(pod: KubeObject): KubeObject {
  const { metadata, spec } = pod as unknown as V1Pod;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: metadata?.name ?? 'web',
      ...(metadata?.namespace !== undefined ? { namespace: metadata.namespace } : {}),
    },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec },
    },
  };
}
