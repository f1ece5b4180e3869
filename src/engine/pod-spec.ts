/**
 * Where a pod spec lives in each kind that carries one, and the one visitor that walks its
 * containers. Every pod check reads pods through here, so a Deployment's template and a
 * bare Pod are judged by the same code.
 */
import type { V1Container, V1EphemeralContainer, V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';
import { asArray, isRecord } from './objects.js';

/** A pod spec to evaluate, with the object that holds it. */
export interface PodSubject {
  /** The object as read: a Pod, or a workload whose template is `spec`. */
  readonly holder: KubeObject;
  /** The pod's own metadata (the template's, for workloads). */
  readonly metadata: V1ObjectMeta;
  readonly spec: V1PodSpec;
  /** Field path of `spec` inside `holder`, for messages: `spec`, `spec.template.spec`, ... */
  readonly specPath: string;
}

/** Kinds that carry a pod template, and the path of the template inside each. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const POD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

export function isPodKind(kind: unknown): boolean {
  return typeof kind === 'string' && Object.hasOwn(TEMPLATE_PATHS, kind);
}

/** The pod spec an object carries, or undefined when it carries none (or it is malformed). */
export function podSubjectOf(holder: KubeObject): PodSubject | undefined {
  if (typeof holder.kind !== 'string') return undefined;
  const path = TEMPLATE_PATHS[holder.kind];
  if (path === undefined) return undefined;
  let template: unknown = holder;
  for (const field of path) {
    template = isRecord(template) ? template[field] : undefined;
  }
  if (!isRecord(template)) return undefined;
  const spec = template['spec'];
  if (!isRecord(spec)) return undefined;
  const metadata = isRecord(template['metadata']) ? (template['metadata'] as V1ObjectMeta) : {};
  return {
    holder,
    metadata,
    spec: spec as unknown as V1PodSpec,
    specPath: [...path, 'spec'].join('.'),
  };
}

export type ContainerKind = 'initContainers' | 'containers' | 'ephemeralContainers';
export const CONTAINER_KINDS: readonly ContainerKind[] = [
  'initContainers',
  'containers',
  'ephemeralContainers',
];

export type AnyContainer = V1Container | V1EphemeralContainer;

/**
 * Calls `visit` for every container of the pod, init and ephemeral ones included, in the
 * order the API lists them. Entries that are not objects are skipped: a malformed manifest
 * must not crash a check.
 */
export function visitContainers(
  spec: V1PodSpec,
  visit: (container: AnyContainer, kind: ContainerKind, index: number) => void,
): void {
  if (!isRecord(spec)) return;
  for (const kind of CONTAINER_KINDS) {
    asArray<AnyContainer>(spec[kind]).forEach((container, index) => {
      if (isRecord(container)) visit(container, kind, index);
    });
  }
}

/** All containers as a list; convenient for checks that filter. */
export function containersOf(
  spec: V1PodSpec,
): { container: AnyContainer; kind: ContainerKind; index: number }[] {
  const out: { container: AnyContainer; kind: ContainerKind; index: number }[] = [];
  visitContainers(spec, (container, kind, index) => out.push({ container, kind, index }));
  return out;
}

/** `container "web"`, or the position when the name is missing. */
export function describeContainer(container: AnyContainer, kind: ContainerKind, index: number): string {
  const label =
    kind === 'initContainers'
      ? 'init container'
      : kind === 'ephemeralContainers'
        ? 'ephemeral container'
        : 'container';
  return typeof container.name === 'string' && container.name !== ''
    ? `${label} "${container.name}"`
    : `${kind}[${index}]`;
}
