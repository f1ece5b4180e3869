/**
 * Every namespace enforces a Pod Security level: its Namespace object carries the label
 * `pod-security.kubernetes.io/enforce` with a level at or above the `minimumLevel`
 * parameter (privileged < baseline < restricted; `baseline` by default), so the API
 * server's PodSecurity admission refuses pods that break it. Read: `metadata.labels` of the
 * Namespace. Passes at or above the minimum; fails when the label is missing or lower; an
 * unknown level is an error (the admission rejects such a label). Skipped when the
 * inventory has no Namespace object, since its labels are then unknown.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import { param } from '../../engine/check.js';
import { labelsOf } from '../../engine/objects.js';
import type { KubeObject } from '../../engine/objects.js';
import { refOf } from '../../engine/objects.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';
import {
  isPodSecurityLevel,
  LEVEL_RANK,
  PSA_LABEL_PREFIX,
  POD_SECURITY_LEVELS,
} from './pod-security-labels.js';
import type { PodSecurityLevel } from './pod-security-labels.js';

const LABEL = `${PSA_LABEL_PREFIX}enforce`;

export const check: NamespaceCheck = {
  id: 'ns.psa-enforce',
  title: 'Namespaces enforce a Pod Security level',
  description:
    'The PodSecurity admission controller refuses pods that break the level a namespace enforces. Without the ' +
    'enforce label, or with `privileged`, the namespace accepts privileged containers, host namespaces and host ' +
    'paths unless a cluster-wide default says otherwise.',
  severity: 'high',
  category: 'namespace',
  profiles: ['namespaces'],
  kinds: ['Namespace'],
  frameworks: [
    { framework: 'CIS', control: '5.2.1' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Label the namespace: `kubectl label namespace NAME pod-security.kubernetes.io/enforce=baseline` (or ' +
    '`restricted`), after checking with `--dry-run=server` which running pods would be refused. Namespaces whose ' +
    'system components need privileges (kube-system, CNI and storage drivers) are usually left out with the ' +
    "policy's excludeNamespaces or an exception, not labelled privileged silently.",
  params: {
    minimumLevel: {
      type: 'string',
      description: 'The lowest Pod Security level a namespace may enforce',
      default: 'baseline',
      enum: POD_SECURITY_LEVELS,
    },
  },
  scope: 'namespace',
  evaluate(namespace, ctx) {
    const object = ctx.inventory.get('Namespace', undefined, namespace) as KubeObject | undefined;
    if (object === undefined) {
      return [
        {
          resource: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
          outcome: skip(
            `the inventory has no Namespace object for "${namespace}", so its labels are unknown`,
          ),
        },
      ];
    }
    const resource = refOf(object);
    const minimum = param<string>(ctx, check, 'minimumLevel');
    const minimumLevel: PodSecurityLevel = isPodSecurityLevel(minimum) ? minimum : 'baseline';
    const level = labelsOf(object)[LABEL];
    if (level === undefined) {
      return [
        {
          resource,
          outcome: fail(
            'NoEnforceLabel',
            `namespace "${namespace}" has no ${LABEL} label: Pod Security admission enforces nothing there beyond ` +
              'the cluster-wide default',
          ),
        },
      ];
    }
    if (!isPodSecurityLevel(level)) {
      return [
        {
          resource,
          outcome: checkError(
            'InvalidLevel',
            `label ${LABEL}=${JSON.stringify(level)} is not a Pod Security level (privileged, baseline, restricted)`,
          ),
        },
      ];
    }
    if (LEVEL_RANK[level] < LEVEL_RANK[minimumLevel]) {
      return [
        {
          resource,
          outcome: fail(
            'EnforceBelowMinimum',
            `namespace "${namespace}" enforces Pod Security level "${level}", below the required "${minimumLevel}"`,
          ),
        },
      ];
    }
    return [{ resource, outcome: PASS }];
  },
};
