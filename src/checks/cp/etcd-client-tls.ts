/**
 * etcd accepts client connections only over TLS with a verified client certificate. etcd
 * holds every object of the cluster, Secrets included; a client that reaches its port
 * without certificate authentication can read or rewrite all of it, bypassing the API
 * server's authentication, authorization and audit. Read, from the etcd static pod's
 * command and args (and `ETCD_*` environment variables, as etcd reads them): `--cert-file`
 * and `--key-file` set, `--client-cert-auth=true` (default false), `--auto-tls` not true, and
 * no `http://` URL in `--listen-client-urls`. One finding lists everything missing. A pod
 * whose etcd reads `--config-file` is skipped: the file is not visible in the pod.
 */
import type { ObjectCheck } from '../../engine/check.js';
import { judgeEtcdListener } from './etcd-listener.js';
import { readCommandLine } from './flags.js';

export const check: ObjectCheck = {
  id: 'cp.etcd-client-tls',
  title: 'etcd requires TLS client certificates',
  description:
    'etcd stores the whole cluster state, Secrets included. Its client port must serve TLS with its own certificate, ' +
    'require client certificates (--client-cert-auth=true), not use self-signed auto TLS, and not listen on plain http.',
  severity: 'critical',
  category: 'control-plane',
  profiles: ['control-plane'],
  kinds: ['Pod'],
  frameworks: [
    { framework: 'CIS', control: '2.1' },
    { framework: 'CIS', control: '2.2' },
    { framework: 'CIS', control: '2.3' },
    { framework: 'NSA-CISA', control: 'Network separation: etcd' },
  ],
  remediation:
    'In the etcd static pod manifest set --cert-file and --key-file to a server certificate from the etcd CA, ' +
    '--trusted-ca-file to that CA, --client-cert-auth=true, remove --auto-tls, and list only https:// URLs in ' +
    '--listen-client-urls; give kube-apiserver a client certificate with --etcd-certfile and --etcd-keyfile.',
  scope: 'object',
  evaluate(object) {
    const read = readCommandLine(object, 'etcd');
    if (!read.ok) return read.outcome;
    return judgeEtcdListener(
      read.flags,
      { prefix: '', urlsFlag: 'listen-client-urls', what: 'client connections' },
      'EtcdClientTlsIncomplete',
    );
  },
};
