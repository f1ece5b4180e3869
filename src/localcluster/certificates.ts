// The local control plane's PKI, made with the `openssl` command line tool
// (Node's crypto can make keys but not certificates, and openssl ships with
// every Debian image and CI runner we target). Keys are ECDSA P-256: generating
// one takes about a millisecond, so minting a client certificate per test user
// stays cheap, and every Kubernetes component accepts them, including for
// ServiceAccount token signing (ES256).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A certificate and its private key, as PEM files on disk. */
export interface KeyPair {
  readonly certPath: string;
  readonly keyPath: string;
}

/** The files a local control plane needs, all under one directory. */
export interface ClusterPki {
  readonly dir: string;
  readonly ca: KeyPair;
  /** Serving certificate of kube-apiserver: SANs 127.0.0.1, localhost and the in-cluster names. */
  readonly apiServer: KeyPair;
  /** Client certificate for user `kubernetes-admin` in group `system:masters`. */
  readonly admin: KeyPair;
  /** Client certificate for `system:kube-controller-manager`, bound by the bootstrap RBAC policy. */
  readonly controllerManager: KeyPair;
  /**
   * CA and client certificate of the aggregation layer's front proxy. With
   * them the API server publishes a complete extension-apiserver-authentication
   * ConfigMap, as kubeadm clusters do; without them every delegating component
   * (the controller-manager included) logs errors about the missing bundle.
   */
  readonly frontProxyCa: KeyPair;
  readonly frontProxyClient: KeyPair;
  /** Key pair that signs and verifies ServiceAccount tokens. */
  readonly serviceAccountKeyPath: string;
  readonly serviceAccountPublicKeyPath: string;
}

/** Thrown when an openssl invocation fails; the message carries openssl's own error. */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

// Long enough for any test run or demo, short enough that a leaked key is not a
// long-lived credential.
const validityDays = 30;

async function openssl(args: readonly string[], what: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { encoding: 'utf8' });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new CertificateError(`openssl failed to ${what}${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

async function generateKey(keyPath: string): Promise<void> {
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath],
    `generate ${keyPath}`,
  );
}

/**
 * Escapes one value for openssl's `-subj` syntax, where `/` separates
 * attributes and `+` joins multi-valued RDNs; user and group names such as
 * `system:serviceaccount:ns:sa` or `team/a` must reach the certificate verbatim.
 */
export function escapeSubjectValue(value: string): string {
  return value.replace(/[\\/+=]/g, (c) => `\\${c}`);
}

/** The `-subj` string Kubernetes reads as a user (CN) with groups (one O each). */
export function clientSubject(user: string, groups: readonly string[]): string {
  const organizations = groups.map((g) => `/O=${escapeSubjectValue(g)}`).join('');
  return `${organizations}/CN=${escapeSubjectValue(user)}`;
}

async function signWithCa(
  ca: KeyPair,
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): Promise<KeyPair> {
  const keyPath = join(dir, `${name}.key`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.crt`);
  const extPath = join(dir, `${name}.ext`);
  await generateKey(keyPath);
  await openssl(
    ['req', '-new', '-utf8', '-key', keyPath, '-subj', subject, '-out', csrPath],
    `create a request for ${name}`,
  );
  await writeFile(extPath, `[ext]\n${extensions}\n`);
  // A random serial per certificate avoids a shared serial file, so several
  // certificates can be minted concurrently.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-set_serial',
      serial,
      '-days',
      String(validityDays),
      '-sha256',
      '-extfile',
      extPath,
      '-extensions',
      'ext',
      '-out',
      certPath,
    ],
    `sign the certificate for ${name}`,
  );
  return { certPath, keyPath };
}

const clientExtensions = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  'extendedKeyUsage = clientAuth',
].join('\n');

/** A self-signed CA, valid for validityDays. */
async function createCa(dir: string, name: string, commonName: string): Promise<KeyPair> {
  const ca: KeyPair = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  await generateKey(ca.keyPath);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-utf8',
      '-key',
      ca.keyPath,
      '-subj',
      `/CN=${escapeSubjectValue(commonName)}`,
      '-days',
      String(validityDays),
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      ca.certPath,
    ],
    `create the ${commonName} CA`,
  );
  return ca;
}

/** The only client name the API server accepts front-proxy headers from. */
export const frontProxyClientName = 'front-proxy-client';

/**
 * Creates the cluster CA and the front-proxy CA, the API server's serving
 * certificate, the admin, controller-manager and front-proxy client
 * certificates and the ServiceAccount signing key in `dir`.
 */
export async function createClusterPki(dir: string): Promise<ClusterPki> {
  const [ca, frontProxyCa] = await Promise.all([
    createCa(dir, 'ca', 'bulwark-local-ca'),
    createCa(dir, 'front-proxy-ca', 'bulwark-local-front-proxy-ca'),
  ]);

  const serviceAccountKeyPath = join(dir, 'sa.key');
  const serviceAccountPublicKeyPath = join(dir, 'sa.pub');
  const serverExtensions = [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    // 10.96.0.1 is the first address of the service range the API server is
    // given, i.e. the `kubernetes` Service a pod would use.
    'subjectAltName = IP:127.0.0.1, DNS:localhost, IP:10.96.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local',
  ].join('\n');

  const [apiServer, admin, controllerManager, frontProxyClient] = await Promise.all([
    signWithCa(ca, dir, 'apiserver', '/CN=kube-apiserver', serverExtensions),
    signWithCa(ca, dir, 'admin', clientSubject('kubernetes-admin', ['system:masters']), clientExtensions),
    signWithCa(
      ca,
      dir,
      'controller-manager',
      clientSubject('system:kube-controller-manager', []),
      clientExtensions,
    ),
    signWithCa(frontProxyCa, dir, 'front-proxy-client', `/CN=${frontProxyClientName}`, clientExtensions),
    (async (): Promise<void> => {
      await generateKey(serviceAccountKeyPath);
      await openssl(
        ['pkey', '-in', serviceAccountKeyPath, '-pubout', '-out', serviceAccountPublicKeyPath],
        'derive the ServiceAccount public key',
      );
    })(),
  ]);
  return {
    dir,
    ca,
    apiServer,
    admin,
    controllerManager,
    frontProxyCa,
    frontProxyClient,
    serviceAccountKeyPath,
    serviceAccountPublicKeyPath,
  };
}

/**
 * Mints a client certificate, signed by the cluster CA, that the API server
 * authenticates as `user` in `groups` (CN is the user name, each O a group).
 * `name` is the file stem inside `dir`.
 */
export async function mintClientCertificate(
  pki: ClusterPki,
  dir: string,
  name: string,
  user: string,
  groups: readonly string[],
): Promise<KeyPair> {
  if (user.length === 0) {
    throw new CertificateError('a client certificate needs a non-empty user name');
  }
  return signWithCa(pki.ca, dir, name, clientSubject(user, groups), clientExtensions);
}

/** Reads a PEM file as base64, the form kubeconfig `*-data` fields take. */
export async function readBase64(path: string): Promise<string> {
  return (await readFile(path)).toString('base64');
}
