/**
 * Where the API server is and how to authenticate to it, for `bulwark run`.
 *
 * `@kubernetes/client-node` resolves kubeconfig files and in-cluster configuration well, but
 * importing it loads every generated API model: measured on Node 24, +85 MB of resident
 * memory (33 MB of it heap) in a process whose whole budget at 100,000 watched objects is
 * 400 MiB (SPEC §10). The controller in its pod needs none of that: in-cluster
 * configuration is a host and port from the environment, a CA file and a token file. So
 * this module reads the two plain forms itself:
 *
 * - in-cluster: `KUBERNETES_SERVICE_HOST`/`_PORT`, the ServiceAccount's `ca.crt`, and its
 *   `token`, read again once a minute as the kubelet rotates it (as client-go and
 *   client-node do);
 * - a kubeconfig file whose current user has a client certificate and key and/or a token
 *   (or token file), and whose cluster needs no proxy: what ServiceAccount and
 *   certificate kubeconfigs hold. Relative file paths are relative to the kubeconfig's
 *   folder, as in client-go.
 *
 * Everything else (exec plugins, auth providers, basic auth, impersonation, proxies,
 * several files in KUBECONFIG) is the library's job, loaded only then, with the same
 * precedence as its `loadFromDefault`: an explicit file, KUBECONFIG, ~/.kube/config,
 * in-cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { isRecord } from '../engine/objects.js';
import type { ClusterConnection } from './kube-client.js';
import { loadKubeConfig } from './kube-client.js';

export const SERVICEACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How often a token file is read again (client-go and client-node also use a minute). */
const TOKEN_REREAD_MS = 60_000;

interface StaticCredentials {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecureSkipTlsVerify?: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

/** A connection whose credentials are fixed, but for a token file read again every minute. */
export class StaticConnection implements ClusterConnection {
  private token: string | undefined;
  private tokenReadAt = 0;

  constructor(
    private readonly credentials: StaticCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.token = credentials.token;
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.credentials.server };
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const { ca, cert, key, insecureSkipTlsVerify, tlsServerName, tokenFile } = this.credentials;
    if (ca !== undefined) options.ca = ca;
    if (cert !== undefined) options.cert = cert;
    if (key !== undefined) options.key = key;
    if (insecureSkipTlsVerify === true) options.rejectUnauthorized = false;
    if (tlsServerName !== undefined) options.servername = tlsServerName;
    if (tokenFile !== undefined && this.now() - this.tokenReadAt > TOKEN_REREAD_MS) {
      this.token = readFileSync(tokenFile, 'utf8').trim();
      this.tokenReadAt = this.now();
    }
    if (this.token !== undefined && this.token !== '') {
      options.headers = { ...(options.headers ?? {}), Authorization: `Bearer ${this.token}` };
    }
  }
}

/** In-cluster configuration, as client-node's `loadFromCluster` reads it. */
export function inClusterCredentials(
  env: Readonly<Record<string, string | undefined>>,
  dir = SERVICEACCOUNT_DIR,
): StaticCredentials | undefined {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || !existsSync(join(dir, 'token')))
    return undefined;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  return {
    server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    ...(existsSync(join(dir, 'ca.crt')) ? { ca: readFileSync(join(dir, 'ca.crt')) } : {}),
    tokenFile: join(dir, 'token'),
  };
}

function named(list: unknown, name: unknown, field: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list.find((e: unknown) => isRecord(e) && e['name'] === name);
  return isRecord(entry) && isRecord(entry[field]) ? entry[field] : undefined;
}

const USER_FIELDS: ReadonlySet<string> = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'tokenFile',
  'token-file',
]);
const CLUSTER_FIELDS: ReadonlySet<string> = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'extensions',
]);

/**
 * The current context's credentials from a kubeconfig's text, or undefined when they need
 * more than this module does (see the top), or the file is not a plain kubeconfig.
 */
export function kubeconfigCredentials(text: string, folder: string): StaticCredentials | undefined {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch {
    return undefined; // the library reports the error with its own message
  }
  if (!isRecord(config)) return undefined;
  const context = named(config['contexts'], config['current-context'], 'context');
  if (context === undefined) return undefined;
  const cluster = named(config['clusters'], context['cluster'], 'cluster');
  const user = named(config['users'], context['user'], 'user') ?? {};
  if (cluster === undefined || typeof cluster['server'] !== 'string') return undefined;
  if (Object.keys(user).some((field) => !USER_FIELDS.has(field))) return undefined;
  if (Object.keys(cluster).some((field) => !CLUSTER_FIELDS.has(field))) return undefined;
  const file = (value: unknown): Buffer | undefined =>
    typeof value === 'string' && value !== ''
      ? readFileSync(isAbsolute(value) ? value : join(folder, value))
      : undefined;
  const data = (value: unknown): Buffer | undefined =>
    typeof value === 'string' && value !== '' ? Buffer.from(value, 'base64') : undefined;
  const ca = data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']);
  const cert = data(user['client-certificate-data']) ?? file(user['client-certificate']);
  const key = data(user['client-key-data']) ?? file(user['client-key']);
  const tokenFile = user['tokenFile'] ?? user['token-file'];
  return {
    server: cluster['server'].replace(/\/$/, ''),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(typeof cluster['tls-server-name'] === 'string' ? { tlsServerName: cluster['tls-server-name'] } : {}),
    ...(typeof user['token'] === 'string' ? { token: user['token'] } : {}),
    ...(typeof tokenFile === 'string'
      ? { tokenFile: isAbsolute(tokenFile) ? tokenFile : join(folder, tokenFile) }
      : {}),
  };
}

function fromFile(path: string): ClusterConnection {
  const credentials = kubeconfigCredentials(readFileSync(path, 'utf8'), dirname(path));
  return credentials !== undefined ? new StaticConnection(credentials) : loadKubeConfig(path);
}

/**
 * The connection for `bulwark run`: the kubeconfig file given, else KUBECONFIG, else
 * ~/.kube/config, else in-cluster; read here when plain, by `@kubernetes/client-node`
 * otherwise.
 */
export function loadConnection(
  path?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClusterConnection {
  if (path !== undefined && path !== '') return fromFile(path);
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (listed.length > 1) return loadKubeConfig(); // merging several files is the library's
  if (listed.length === 1) return fromFile(listed[0] as string);
  const home = env['HOME'];
  if (home !== undefined && home !== '' && existsSync(join(home, '.kube', 'config'))) {
    return fromFile(join(home, '.kube', 'config'));
  }
  const inCluster = inClusterCredentials(env);
  return inCluster !== undefined ? new StaticConnection(inCluster) : loadKubeConfig();
}
