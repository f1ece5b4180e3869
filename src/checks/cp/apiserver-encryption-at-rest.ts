/**
 * kube-apiserver encrypts Secrets before writing them to etcd
 * (`--encryption-provider-config` names an EncryptionConfiguration). Without it, Secrets sit
 * in etcd and in every etcd backup as plain base64, readable by anyone with access to
 * either. Read: `--encryption-provider-config` in the kube-apiserver static pod's command and
 * args; any non-empty path passes. Whether the file configures a real provider (not only
 * `identity`) cannot be seen from the pod (CIS 1.2.28 is a manual check).
 */
import type { ObjectCheck } from '../../engine/check.js';
import { fail, PASS } from '../../engine/types.js';
import { isSet, readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.apiserver-encryption-at-rest',
  title: 'API server encrypts Secrets at rest',
  description:
    'Without --encryption-provider-config, kube-apiserver stores Secrets in etcd unencrypted, so etcd data files ' +
    'and backups expose every credential in the cluster.',
  severity: 'high',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '1.2.27' },
    { framework: 'NSA-CISA', control: 'Network separation: secrets' },
  ],
  remediation:
    'Write an EncryptionConfiguration that encrypts secrets with a KMS v2 provider (or aescbc/secretbox) ahead of ' +
    'identity, pass it with --encryption-provider-config, restart kube-apiserver, then rewrite existing Secrets ' +
    '(kubectl get secrets -A -o json | kubectl replace -f -) so they are stored encrypted.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'kube-apiserver');
    if (!read.ok) return read.outcome;
    if (isSet(read.flags, 'encryption-provider-config')) return PASS;
    return fail(
      'NoEncryptionAtRest',
      '--encryption-provider-config is not set, so Secrets are stored in etcd unencrypted',
    );
  },
};
