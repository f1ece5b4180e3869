/**
 * Runs one check the way the engine does, for table tests: a subject, an optional
 * surrounding inventory, parameters and a Pod Security version.
 */
import type {
  CheckContext,
  ClusterCheck,
  NamespaceCheck,
  ObjectCheck,
  Params,
  PodCheck,
  ScopedResult,
} from '../../src/engine/check.js';
import { createCheckContext } from '../../src/engine/context.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { podSubjectOf } from '../../src/engine/pod-spec.js';
import type { CheckOutcome } from '../../src/engine/types.js';

export interface HarnessOptions {
  /** Other objects in the cluster (the subject is added too). */
  readonly objects?: readonly KubeObject[];
  readonly params?: Params;
  /** Pins the Pod Security version, as a policy's `spec.podSecurity.version` does. */
  readonly podSecurityVersion?: string;
}

export function contextFor(options: HarnessOptions = {}, subject?: KubeObject): CheckContext {
  const inventory = new Inventory(options.objects ?? []);
  if (subject !== undefined) inventory.upsert(subject);
  const base = {
    inventory,
    ...(options.params !== undefined ? { params: options.params } : {}),
    ...(options.podSecurityVersion !== undefined ? { pinnedPodSecurityVersion: options.podSecurityVersion } : {}),
  };
  return createCheckContext(base);
}

export function runPodCheck(check: PodCheck, holder: KubeObject, options: HarnessOptions = {}): CheckOutcome {
  const pod = podSubjectOf(holder);
  if (pod === undefined) throw new Error(`test subject ${String(holder.kind)} carries no pod spec`);
  return check.evaluate(pod, contextFor(options, holder));
}

export function runObjectCheck(check: ObjectCheck, object: KubeObject, options: HarnessOptions = {}): CheckOutcome {
  return check.evaluate(object, contextFor(options, object));
}

export function runNamespaceCheck(check: NamespaceCheck, namespace: string, options: HarnessOptions = {}): ScopedResult[] {
  return [...check.evaluate(namespace, contextFor(options))];
}

export function runClusterCheck(check: ClusterCheck, options: HarnessOptions = {}): ScopedResult[] {
  return [...check.evaluate(contextFor(options))];
}
