/**
 * What the two etcd TLS checks share: etcd serves one listener for clients (kube-apiserver)
 * and one for its peers, and each is protected only when it presents a certificate
 * (`--[peer-]cert-file`, `--[peer-]key-file`), requires a client certificate signed by its
 * CA (`--[peer-]client-cert-auth=true`), does not fall back to self-signed certificates
 * (`--[peer-]auto-tls` not true) and listens on https only (`--listen-[peer|client]-urls`).
 */
import type { CheckOutcome } from '../../engine/types.js';
import { fail, PASS } from '../../engine/types.js';
import type { CommandLine } from './flags.js';
import { isSet, readBool } from './flags.js';

export interface EtcdListener {
  /** Flag prefix: '' for clients, 'peer-' for peers. */
  readonly prefix: '' | 'peer-';
  readonly urlsFlag: string;
  readonly what: string;
}

export function judgeEtcdListener(
  flags: CommandLine,
  listener: EtcdListener,
  failReason: string,
): CheckOutcome {
  const { prefix } = listener;
  const problems: string[] = [];
  for (const file of ['cert-file', 'key-file']) {
    if (!isSet(flags, `${prefix}${file}`)) problems.push(`--${prefix}${file} is not set`);
  }
  const certAuth = readBool(flags, `${prefix}client-cert-auth`, false);
  if (!certAuth.ok) return certAuth.outcome;
  if (!certAuth.value) {
    problems.push(
      certAuth.set
        ? `--${prefix}client-cert-auth=false`
        : `--${prefix}client-cert-auth is not set (etcd defaults it to false)`,
    );
  }
  const autoTls = readBool(flags, `${prefix}auto-tls`, false);
  if (!autoTls.ok) return autoTls.outcome;
  if (autoTls.value) problems.push(`--${prefix}auto-tls=true (self-signed certificates)`);
  const plain = flags.list(listener.urlsFlag).filter((url) => url.toLowerCase().startsWith('http://'));
  if (plain.length > 0) problems.push(`--${listener.urlsFlag} serves plain http on ${plain.join(', ')}`);
  if (problems.length === 0) return PASS;
  return fail(failReason, `etcd ${listener.what} are not fully protected by TLS: ${problems.join('; ')}`);
}
