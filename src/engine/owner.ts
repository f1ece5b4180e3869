/**
 * The top-level owner of an object, so that findings about the 50 pods of one Deployment
 * are one finding about `Deployment/web`. Ownership is followed through controller
 * ownerReferences using the inventory where the owners are known; where they are not (the
 * controller does not keep ReplicaSets), the conventions the built-in controllers follow
 * stand in: a ReplicaSet made by a Deployment is named `<deployment>-<pod-template-hash>`.
 */
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Inventory } from './inventory.js';
import type { ObjectEnvelope } from './objects.js';
import { asArray, isRecord, labelsOf, namespaceOf, refOf } from './objects.js';
import type { ResourceRef } from './types.js';

const POD_TEMPLATE_HASH = 'pod-template-hash';
// Deep enough for Pod → ReplicaSet → Deployment → (an operator's CR); cycles stop here too.
const MAX_HOPS = 4;

function controllerOf(obj: ObjectEnvelope): V1OwnerReference | undefined {
  const refs = asArray<V1OwnerReference>(obj.metadata?.ownerReferences).filter(
    (ref) => isRecord(ref) && typeof ref.kind === 'string' && typeof ref.name === 'string' && ref.name !== '',
  );
  return refs.find((ref) => ref.controller === true) ?? refs[0];
}

function refFromOwner(owner: V1OwnerReference, namespace: string | undefined): ResourceRef {
  return {
    apiVersion: typeof owner.apiVersion === 'string' ? owner.apiVersion : 'v1',
    kind: owner.kind,
    ...(namespace !== undefined ? { namespace } : {}),
    name: owner.name,
    ...(typeof owner.uid === 'string' && owner.uid !== '' ? { uid: owner.uid } : {}),
  };
}

/**
 * A ReplicaSet we cannot see, owned by a Deployment: the pod's `pod-template-hash` label is
 * the suffix the Deployment controller appended to the ReplicaSet's name.
 */
function deploymentByConvention(
  replicaSet: ResourceRef,
  podLabels: Readonly<Record<string, string>>,
): ResourceRef | undefined {
  const hash = podLabels[POD_TEMPLATE_HASH];
  if (hash === undefined || hash === '' || !replicaSet.name.endsWith(`-${hash}`)) return undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    ...(replicaSet.namespace !== undefined ? { namespace: replicaSet.namespace } : {}),
    name: replicaSet.name.slice(0, -(hash.length + 1)),
  };
}

export function topLevelOwner(obj: ObjectEnvelope, inventory: Inventory): ResourceRef {
  const namespace = namespaceOf(obj);
  let current: ObjectEnvelope = obj;
  let ref = refOf(obj);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const owner = controllerOf(current);
    // Mirror pods of static pods are "owned" by their Node; the pod itself is the workload.
    if (owner === undefined || owner.kind === 'Node') return ref;
    const ownerRef = refFromOwner(owner, namespace);
    const known = inventory.get(owner.kind, namespace, owner.name);
    if (known !== undefined) {
      current = known;
      ref = refOf(known);
      continue;
    }
    if (owner.kind === 'ReplicaSet') return deploymentByConvention(ownerRef, labelsOf(obj)) ?? ownerRef;
    return ownerRef;
  }
  return ref;
}

export function resourceKey(ref: ResourceRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
