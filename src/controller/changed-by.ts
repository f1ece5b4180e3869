/**
 * Who last changed a resource, read from its managedFields: drift attribution for a finding
 * that just appeared. The trimmed cache keeps only the entry this reads (see trim.ts), so
 * a pod's kubelet and controller entries cost nothing.
 */
import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';
import type { KubeObject } from '../engine/objects.js';
import { asArray, isRecord } from '../engine/objects.js';
import type { ChangedBy } from './report-content.js';

// Managers that act on every object and say nothing about who introduced a problem.
const MACHINE_MANAGERS: ReadonlySet<string> = new Set([
  'bulwark',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
]);

/** The entry of the last change by a person or tool (latest timestamp wins), or undefined. */
export function lastChangeEntry(managedFields: unknown): V1ManagedFieldsEntry | undefined {
  let best: V1ManagedFieldsEntry | undefined;
  let bestTime: string | undefined;
  for (const entry of asArray<V1ManagedFieldsEntry>(managedFields)) {
    if (!isRecord(entry) || typeof entry.manager !== 'string' || MACHINE_MANAGERS.has(entry.manager))
      continue;
    const time = entry.time === undefined ? undefined : String(entry.time);
    if (best === undefined || (time !== undefined && (bestTime === undefined || time > bestTime))) {
      best = entry;
      bestTime = time;
    }
  }
  return best;
}

/** The last change by a person or tool, from managedFields. */
export function lastChangedBy(obj: KubeObject | undefined): ChangedBy | undefined {
  const entry = lastChangeEntry(obj?.metadata?.managedFields);
  if (entry === undefined) return undefined;
  const time = entry.time === undefined ? undefined : String(entry.time);
  return {
    manager: entry.manager as string,
    ...(typeof entry.operation === 'string' ? { operation: entry.operation } : {}),
    ...(time ? { time } : {}),
  };
}
