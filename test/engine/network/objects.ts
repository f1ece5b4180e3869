/**
 * Small builders for the objects the NetworkPolicy tests need: each starts minimal, and a
 * test changes one thing.
 */
import type { KubeObject } from '../../../src/engine/objects.js';

type Labels = Record<string, string>;

export function namespaceObject(name: string, labels: Labels = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export interface PortSpec {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export function podObject(
  namespace: string,
  name: string,
  labels: Labels = {},
  ports: readonly PortSpec[] = [],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0', ports: [...ports] }] },
  };
}

export function deploymentObject(
  namespace: string,
  name: string,
  labels: Labels = { app: name },
  ports: readonly PortSpec[] = [],
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0', ports: [...ports] }] },
      },
    },
  };
}

/** A NetworkPolicy with the given spec, as written in a manifest (no defaulting). */
export function policyObject(namespace: string | undefined, name: string, spec: unknown): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec,
  };
}
