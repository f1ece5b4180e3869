/**
 * Every namespace sets the Pod Security `warn` and `audit` modes: its Namespace object
 * carries `pod-security.kubernetes.io/warn` and `pod-security.kubernetes.io/audit` labels
 * with a valid level. `warn` tells whoever applies a violating pod; `audit` records it in the
 * API server's audit log; set a level stricter than `enforce` they show what tightening
 * would break before it does. Read: `metadata.labels` of the Namespace. Passes when both
 * labels carry a level; fails when either is missing; an unknown level is an error (the
 * admission rejects such a label). Skipped when the inventory has no Namespace object.
 */
import type { NamespaceCheck } from '../../engine/check.js';
import type { KubeObject } from '../../engine/objects.js';
import { labelsOf, refOf } from '../../engine/objects.js';
import { checkError, fail, PASS, skip } from '../../engine/types.js';
import { isPodSecurityLevel, PSA_LABEL_PREFIX } from './pod-security-labels.js';

const MODES = ['warn', 'audit'] as const;

export const check: NamespaceCheck = {
  id: 'ns.psa-warn-audit',
  title: 'Namespaces set Pod Security warn and audit labels',
  description:
    'The warn and audit modes of Pod Security admission report pods that break a level without refusing them: ' +
    'developers see a warning when they apply, auditors find the violation in the audit log. Set stricter than ' +
    'enforce, they show what tightening the namespace would break.',
  severity: 'low',
  category: 'namespace',
  profiles: ['namespaces'],
  kinds: ['Namespace'],
  frameworks: [
    { framework: 'CIS', control: '5.2.1' },
    { framework: 'NSA-CISA', control: 'Pod security: pod security enforcement' },
  ],
  remediation:
    'Label the namespace with `pod-security.kubernetes.io/warn=restricted` and ' +
    '`pod-security.kubernetes.io/audit=restricted` (or at least the enforced level). System namespaces are usually ' +
    "left out with the policy's excludeNamespaces.",
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
    const labels = labelsOf(object);
    const invalid = MODES.filter((m) => labels[`${PSA_LABEL_PREFIX}${m}`] !== undefined)
      .filter((m) => !isPodSecurityLevel(labels[`${PSA_LABEL_PREFIX}${m}`]))
      .map((m) => `${PSA_LABEL_PREFIX}${m}=${JSON.stringify(labels[`${PSA_LABEL_PREFIX}${m}`])}`);
    const missing = MODES.filter((m) => labels[`${PSA_LABEL_PREFIX}${m}`] === undefined).map(
      (m) => `${PSA_LABEL_PREFIX}${m}`,
    );
    if (missing.length > 0) {
      return [
        {
          resource,
          outcome: fail(
            'NoWarnAuditLabels',
            `namespace "${namespace}" has no ${missing.join(' or ')} label: violations are not ` +
              (missing.length === 2
                ? 'warned about or audited'
                : missing[0]?.endsWith('warn')
                  ? 'warned about'
                  : 'audited'),
          ),
        },
      ];
    }
    if (invalid.length > 0) {
      return [
        {
          resource,
          outcome: checkError(
            'InvalidLevel',
            `${invalid.join(', ')} ${invalid.length === 1 ? 'is not a Pod Security level' : 'are not Pod Security levels'} (privileged, baseline, restricted)`,
          ),
        },
      ];
    }
    return [{ resource, outcome: PASS }];
  },
};
