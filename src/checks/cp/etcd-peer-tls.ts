/**
 * etcd members talk to each other only over TLS with verified peer certificates. Peer
 * traffic replicates every write, Secrets included, and a host that can join as a peer can
 * read and change the whole store. Read, from the etcd static pod's command and args (and
 * `ETCD_*` environment variables): `--peer-cert-file` and `--peer-key-file` set,
 * `--peer-client-cert-auth=true` (default false), `--peer-auto-tls` not true, and no
 * `http://` URL in `--listen-peer-urls`. One finding lists everything missing. A pod whose
 * etcd reads `--config-file` is skipped: the file is not visible in the pod.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { judgeEtcdListener } from './etcd-listener.js';
import { readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.etcd-peer-tls',
  title: 'etcd peers authenticate with TLS certificates',
  description:
    'etcd members replicate all cluster data to each other. Peer connections must use TLS with certificates ' +
    '(--peer-cert-file, --peer-key-file), require peer client certificates (--peer-client-cert-auth=true), not use ' +
    'self-signed auto TLS, and not listen on plain http.',
  severity: 'high',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '2.4' },
    { framework: 'CIS', control: '2.5' },
    { framework: 'CIS', control: '2.6' },
    { framework: 'NSA-CISA', control: 'Network separation: etcd' },
  ],
  remediation:
    'In the etcd static pod manifest set --peer-cert-file and --peer-key-file to a peer certificate from the etcd CA, ' +
    '--peer-trusted-ca-file to that CA, --peer-client-cert-auth=true, remove --peer-auto-tls, and list only https:// ' +
    'URLs in --listen-peer-urls and --initial-advertise-peer-urls.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'etcd');
    if (!read.ok) return read.outcome;
    return judgeEtcdListener(
      read.flags,
      { prefix: 'peer-', urlsFlag: 'listen-peer-urls', what: 'peer connections' },
      'EtcdPeerTlsIncomplete',
    );
  },
};
