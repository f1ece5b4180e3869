// A disposable Kubernetes control plane on loopback: etcd, kube-apiserver and
// kube-controller-manager built from the pinned modules in tools/controlplane,
// with their own CA. It is a real API server (RBAC and Node authorization,
// Pod Security admission, ServiceAccount tokens, controllers for namespaces,
// ServiceAccounts, aggregation, garbage collection and workloads) without a
// kubelet, so Pods stay Pending. Everything lives in one temporary directory
// that stop() removes; see process.ts for why nothing outlives the caller.
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ensureControlPlaneBinaries } from './binaries.js';
import type { ControlPlaneBinaries, EnsureBinariesOptions } from './binaries.js';
import { createClusterPki, frontProxyClientName, mintClientCertificate } from './certificates.js';
import type { ClusterPki, KeyPair } from './certificates.js';
import { writeKubeconfig } from './kubeconfig.js';
import { pickFreeLoopbackPorts } from './ports.js';
import { Component, removeDirSync, startWatchdog, tailFile } from './process.js';
import type { Watchdog } from './process.js';

/** The controllers kube-controller-manager runs by default here: what Bulwark's tests rely on, no node or cloud ones. */
export const defaultControllers: readonly string[] = [
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'garbage-collector-controller',
  'deployment-controller',
  'replicaset-controller',
  'replicationcontroller-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'disruption-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'resourcequota-controller',
];

/** The Service CIDR; its first address (10.96.0.1) is in the API server's certificate. */
const serviceClusterIpRange = '10.96.0.0/16';

export interface LocalClusterOptions {
  /** Prebuilt binaries, or how to build them; see ensureControlPlaneBinaries. */
  readonly binaries?: ControlPlaneBinaries | EnsureBinariesOptions;
  /** Parent of the cluster's temporary directory (default: the OS temp dir). */
  readonly baseDir?: string;
  /** Keep the directory (logs, certificates, etcd data) after stop(), for debugging. */
  readonly keepDir?: boolean;
  /** Controllers for kube-controller-manager's --controllers (default: defaultControllers). */
  readonly controllers?: readonly string[];
  /** Extra kube-apiserver flags, appended after ours (a repeated flag wins). */
  readonly apiServerArgs?: readonly string[];
  /** Extra kube-controller-manager flags. */
  readonly controllerManagerArgs?: readonly string[];
  /** Deadline for each component to become ready (default 60 s; a 2-core CI machine under load is slow). */
  readonly readyTimeoutMs?: number;
  /** Progress lines ("etcd ready in 0.4s"); default: none. */
  readonly log?: (line: string) => void;
}

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';

/** Seconds each phase of the last start took, for reporting start-up cost. */
export interface StartTimings {
  readonly binariesSeconds: number;
  readonly pkiSeconds: number;
  readonly etcdSeconds: number;
  readonly apiServerSeconds: number;
  readonly controllerManagerSeconds: number;
  readonly totalSeconds: number;
}

export interface RestartOptions {
  /** How long the component stays down before it starts again (default 0). */
  readonly downtimeMs?: number;
}

/** A running local control plane. */
export interface LocalCluster {
  /** Temporary directory holding certificates, kubeconfigs, logs and etcd data. */
  readonly dir: string;
  /** API server URL, https://127.0.0.1:PORT. */
  readonly server: string;
  /** PEM file of the cluster CA (trust anchor for the API server). */
  readonly caPath: string;
  /** Kubeconfig of `kubernetes-admin` in group `system:masters`. */
  readonly kubeconfigPath: string;
  /** The admin client certificate, for clients that take PEM files directly. */
  readonly adminCertificate: KeyPair;
  readonly binaries: ControlPlaneBinaries;
  readonly timings: StartTimings;
  /** Log file of a component (appended across restarts). */
  logPath(component: ComponentName): string;
  /**
   * Writes a kubeconfig that authenticates as `user` in `groups` with a client
   * certificate signed by the cluster CA, and returns its path. Group
   * `system:authenticated` is added by the API server itself.
   */
  kubeconfigFor(user: string, groups?: readonly string[]): Promise<string>;
  /**
   * Writes a kubeconfig that authenticates as ServiceAccount `namespace/name`
   * with a token from the TokenRequest API (the ServiceAccount must exist).
   */
  kubeconfigForServiceAccount(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** Stops and starts kube-apiserver on the same port and waits for /readyz. */
  restartApiServer(options?: RestartOptions): Promise<void>;
  /** Stops and starts etcd on the same data and waits until the API server is ready again. */
  restartEtcd(options?: RestartOptions): Promise<void>;
  /** Stops and starts kube-controller-manager and waits for its /healthz. */
  restartControllerManager(options?: RestartOptions): Promise<void>;
  /** Stops every component (gracefully, then by force) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

/** A component failed to start; the message includes the tail of its log. */
export class LocalClusterError extends Error {
  override readonly name = 'LocalClusterError';
  readonly component: ComponentName | undefined;
  readonly logTail: string | undefined;

  constructor(
    message: string,
    options: { component?: ComponentName; logTail?: string; cause?: unknown } = {},
  ) {
    const tail =
      options.logTail === undefined
        ? ''
        : `\n--- last lines of the ${options.component} log ---\n${options.logTail}`;
    super(`${message}${tail}`, { cause: options.cause });
    this.component = options.component;
    this.logTail = options.logTail;
  }
}

interface TlsClient {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
}

interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** One HTTP(S) request with a short timeout; rejects on connection errors. */
function fetchOnce(
  url: string,
  tls: TlsClient | undefined,
  options: { method?: string; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        timeout: options.timeoutMs ?? 2_000,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        ...(tls ?? {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out requesting ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

class LocalClusterImpl implements LocalCluster {
  readonly dir: string;
  readonly server: string;
  readonly caPath: string;
  readonly kubeconfigPath: string;
  readonly adminCertificate: KeyPair;
  readonly binaries: ControlPlaneBinaries;
  timings: StartTimings;

  private readonly pki: ClusterPki;
  private readonly adminTls: TlsClient;
  private readonly etcd: Component;
  private readonly apiServer: Component;
  private readonly controllerManager: Component;
  private readonly etcdClientUrl: string;
  private readonly controllerManagerHealthUrl: string;
  private readonly readyTimeoutMs: number;
  private readonly watchdog: Watchdog;
  private readonly keepDir: boolean;
  private readonly log: (line: string) => void;
  private readonly userKubeconfigs = new Map<string, Promise<string>>();
  private userCounter = 0;
  private stopping: Promise<void> | undefined;

  constructor(init: {
    dir: string;
    binaries: ControlPlaneBinaries;
    pki: ClusterPki;
    adminTls: TlsClient;
    ports: { etcdClient: number; etcdPeer: number; apiServer: number; controllerManager: number };
    kubeconfigPath: string;
    controllerManagerKubeconfigPath: string;
    options: LocalClusterOptions;
    watchdog: Watchdog;
    timings: StartTimings;
  }) {
    const { dir, binaries, pki, ports, options } = init;
    this.dir = dir;
    this.binaries = binaries;
    this.pki = pki;
    this.adminTls = init.adminTls;
    this.server = `https://127.0.0.1:${ports.apiServer}`;
    this.caPath = pki.ca.certPath;
    this.kubeconfigPath = init.kubeconfigPath;
    this.adminCertificate = pki.admin;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.watchdog = init.watchdog;
    this.keepDir = options.keepDir ?? false;
    this.log = options.log ?? ((): void => undefined);
    this.timings = init.timings;
    this.etcdClientUrl = `http://127.0.0.1:${ports.etcdClient}`;
    this.controllerManagerHealthUrl = `https://127.0.0.1:${ports.controllerManager}/healthz`;
    const runDir = join(dir, 'run');
    const logDir = join(dir, 'logs');
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;

    // etcd listens on loopback without TLS: only this machine's processes can
    // reach it, the data is disposable, and TLS would only slow every request.
    this.etcd = new Component({
      name: 'etcd',
      command: binaries.etcd,
      runDir,
      logPath: join(logDir, 'etcd.log'),
      args: [
        '--name=bulwark',
        `--data-dir=${join(dir, 'etcd-data')}`,
        `--listen-client-urls=${this.etcdClientUrl}`,
        `--advertise-client-urls=${this.etcdClientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=bulwark=${peerUrl}`,
        // The data dies with the test run, so durability buys nothing and
        // fsync on a shared CI disk costs seconds per test.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });

    this.apiServer = new Component({
      name: 'kube-apiserver',
      command: binaries.kubeApiServer,
      runDir,
      logPath: join(logDir, 'kube-apiserver.log'),
      // On SIGTERM it stops listening at once but then waits for open watches
      // until its 60 s request timeout (measured: exit 60.3 s after SIGTERM).
      // Clients have seen the shutdown by then; waiting longer only slows
      // restart tests.
      stopGraceMs: 2_000,
      args: [
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiServer}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--etcd-servers=${this.etcdClientUrl}`,
        `--client-ca-file=${pki.ca.certPath}`,
        `--tls-cert-file=${pki.apiServer.certPath}`,
        `--tls-private-key-file=${pki.apiServer.keyPath}`,
        // Node,RBAC as kubeadm configures it, so SubjectAccessReview answers
        // the way it would in a production cluster.
        '--authorization-mode=Node,RBAC',
        // PodSecurity is on by default; named here because tests depend on it.
        '--enable-admission-plugins=NodeRestriction,PodSecurity',
        // Privileged pods must reach admission (and Pod Security) rather than
        // be refused by validation, or PSS oracle tests could not see them.
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyPath}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        // The `kubernetes` Service's Endpoints may not hold a loopback address,
        // so reconciling them would only fail (and log) every few seconds.
        '--endpoint-reconciler-type=none',
        // The aggregation layer's front proxy, configured as kubeadm does.
        `--requestheader-client-ca-file=${pki.frontProxyCa.certPath}`,
        `--requestheader-allowed-names=${frontProxyClientName}`,
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.frontProxyClient.certPath}`,
        `--proxy-client-key-file=${pki.frontProxyClient.keyPath}`,
        '--profiling=false',
        ...(options.apiServerArgs ?? []),
      ],
    });

    this.controllerManager = new Component({
      name: 'kube-controller-manager',
      command: binaries.kubeControllerManager,
      runDir,
      logPath: join(logDir, 'kube-controller-manager.log'),
      args: [
        `--kubeconfig=${init.controllerManagerKubeconfigPath}`,
        `--authentication-kubeconfig=${init.controllerManagerKubeconfigPath}`,
        `--authorization-kubeconfig=${init.controllerManagerKubeconfigPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.controllerManager}`,
        `--cert-dir=${join(dir, 'controller-manager-certs')}`,
        // One instance, and it must survive API-server and etcd restarts: with
        // leader election it would exit once its lease could not be renewed.
        '--leader-elect=false',
        // Each controller acts as its own ServiceAccount, as in kubeadm
        // clusters, so RBAC on controllers is realistic.
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKeyPath}`,
        `--root-ca-file=${pki.ca.certPath}`,
        `--controllers=${(options.controllers ?? defaultControllers).join(',')}`,
        // No kubelets and no cloud: skip what would only log errors.
        '--allocate-node-cidrs=false',
        '--profiling=false',
        ...(options.controllerManagerArgs ?? []),
      ],
    });
  }

  logPath(component: ComponentName): string {
    return join(this.dir, 'logs', `${component}.log`);
  }

  private component(name: ComponentName): Component {
    switch (name) {
      case 'etcd':
        return this.etcd;
      case 'kube-apiserver':
        return this.apiServer;
      case 'kube-controller-manager':
        return this.controllerManager;
    }
  }

  /**
   * Polls `probe` until it returns true, failing fast (with the log tail) if
   * the component exits, and after readyTimeoutMs otherwise.
   */
  private async waitFor(name: ComponentName, what: string, probe: () => Promise<boolean>): Promise<void> {
    const component = this.component(name);
    const deadline = Date.now() + this.readyTimeoutMs;
    let lastError = '';
    let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void component.exited?.then((exit) => {
      exitInfo = exit;
    });
    // 100 ms: the API server is usually ready ~2 s after start, so finer
    // polling gains nothing and coarser polling adds up over many restarts.
    for (let delay = 100; ;) {
      if (exitInfo !== undefined || !component.running) {
        const how = exitInfo?.signal
          ? `signal ${exitInfo.signal}`
          : `exit code ${exitInfo?.code ?? 'unknown'}`;
        throw new LocalClusterError(`${name} exited (${how}) before ${what}`, {
          component: name,
          logTail: tailFile(this.logPath(name)),
        });
      }
      try {
        if (await probe()) return;
        lastError = 'not ready yet';
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new LocalClusterError(
          `${name} did not become ready (${what}) within ${this.readyTimeoutMs} ms; last probe: ${lastError}`,
          { component: name, logTail: tailFile(this.logPath(name)) },
        );
      }
      await sleep(delay);
    }
  }

  async startEtcd(): Promise<void> {
    this.etcd.start();
    await this.waitFor('etcd', 'its /health reported true', async () => {
      const res = await fetchOnce(`${this.etcdClientUrl}/health`, undefined);
      return res.status === 200 && /"health"\s*:\s*"true"/.test(res.body);
    });
  }

  private async waitApiServerReady(): Promise<void> {
    await this.waitFor('kube-apiserver', '/readyz returned 200', async () => {
      const res = await fetchOnce(`${this.server}/readyz`, this.adminTls);
      return res.status === 200;
    });
  }

  async startApiServer(): Promise<void> {
    this.apiServer.start();
    await this.waitApiServerReady();
  }

  async startControllerManager(): Promise<void> {
    this.controllerManager.start();
    await this.waitFor('kube-controller-manager', '/healthz returned 200', async () => {
      // Its serving certificate is self-signed at start; loopback only, so
      // the health probe does not verify it.
      const res = await fetchOnce(this.controllerManagerHealthUrl, { rejectUnauthorized: false });
      return res.status === 200;
    });
  }

  /**
   * Waits until the ServiceAccount controller has created `default/default`:
   * the first sign the controllers are running, and what pod creation in a
   * namespace needs.
   */
  async waitForControllers(): Promise<void> {
    await this.waitFor('kube-controller-manager', 'the default ServiceAccount existed', async () => {
      const res = await fetchOnce(
        `${this.server}/api/v1/namespaces/default/serviceaccounts/default`,
        this.adminTls,
      );
      return res.status === 200;
    });
  }

  async kubeconfigFor(user: string, groups: readonly string[] = []): Promise<string> {
    const key = JSON.stringify([user, [...groups].sort()]);
    let pending = this.userKubeconfigs.get(key);
    if (pending === undefined) {
      // File names are a counter plus a readable hint; user names may hold
      // characters no file name should.
      const stem = `user-${++this.userCounter}-${user.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}`;
      const usersDir = join(this.dir, 'users');
      pending = (async (): Promise<string> => {
        await mkdir(usersDir, { recursive: true });
        const pair = await mintClientCertificate(this.pki, usersDir, stem, user, groups);
        return writeKubeconfig(join(usersDir, `${stem}.kubeconfig`), {
          server: this.server,
          caPath: this.caPath,
          userName: user,
          credentials: { kind: 'certificate', pair },
        });
      })();
      this.userKubeconfigs.set(key, pending);
      // A failed mint must not be cached: the caller may retry.
      pending.catch(() => this.userKubeconfigs.delete(key));
    }
    return pending;
  }

  async kubeconfigForServiceAccount(
    namespace: string,
    name: string,
    expirationSeconds = 3600,
  ): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}/token`;
    const res = await fetchOnce(`${this.server}${path}`, this.adminTls, {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds },
      }),
      timeoutMs: 10_000,
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new LocalClusterError(
        `TokenRequest for ServiceAccount ${namespace}/${name} failed (HTTP ${res.status}): ${res.body}`,
      );
    }
    const token = (JSON.parse(res.body) as { status?: { token?: string } }).status?.token;
    if (typeof token !== 'string' || token === '') {
      throw new LocalClusterError(`TokenRequest for ServiceAccount ${namespace}/${name} returned no token`);
    }
    const usersDir = join(this.dir, 'users');
    await mkdir(usersDir, { recursive: true });
    const userName = `system:serviceaccount:${namespace}:${name}`;
    return writeKubeconfig(join(usersDir, `sa-${++this.userCounter}-${namespace}-${name}.kubeconfig`), {
      server: this.server,
      caPath: this.caPath,
      userName,
      credentials: { kind: 'token', token },
    });
  }

  async restartApiServer(options: RestartOptions = {}): Promise<void> {
    const started = Date.now();
    await this.apiServer.stop();
    if (options.downtimeMs) await sleep(options.downtimeMs);
    await this.startApiServer();
    this.log(`kube-apiserver restarted in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  async restartEtcd(options: RestartOptions = {}): Promise<void> {
    const started = Date.now();
    await this.etcd.stop();
    if (options.downtimeMs) await sleep(options.downtimeMs);
    await this.startEtcd();
    // The API server reconnects by itself; its /readyz includes etcd.
    await this.waitApiServerReady();
    this.log(`etcd restarted in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  async restartControllerManager(options: RestartOptions = {}): Promise<void> {
    await this.controllerManager.stop();
    if (options.downtimeMs) await sleep(options.downtimeMs);
    await this.startControllerManager();
  }

  stop(): Promise<void> {
    this.stopping ??= (async (): Promise<void> => {
      // Reverse start order, so no component spends its grace period
      // retrying a dependency that is already gone.
      await this.controllerManager.stop();
      await this.apiServer.stop();
      await this.etcd.stop();
      if (!this.keepDir) removeDirSync(this.dir);
      unregister(this);
      this.watchdog.release();
    })();
    return this.stopping;
  }

  /** For the process 'exit' hook: no awaiting possible, so SIGKILL everything now. */
  killNow(): void {
    this.controllerManager.killNow();
    this.apiServer.killNow();
    this.etcd.killNow();
    if (!this.keepDir) removeDirSync(this.dir);
  }
}

// Clusters still running when the process exits normally (e.g. mocha calls
// process.exit before an afterAll hook ran) are killed synchronously here; the
// watchdog covers deaths by signal.
const live = new Set<LocalClusterImpl>();
let exitHookInstalled = false;

function register(cluster: LocalClusterImpl): void {
  live.add(cluster);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.killNow();
      live.clear();
    });
  }
}

function unregister(cluster: LocalClusterImpl): void {
  live.delete(cluster);
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

async function startOnce(
  binaries: ControlPlaneBinaries,
  options: LocalClusterOptions,
  binariesSeconds: number,
): Promise<LocalClusterImpl> {
  const log = options.log ?? ((): void => undefined);
  const started = performance.now();
  const dir = await mkdtemp(join(options.baseDir ?? tmpdir(), 'bulwark-cluster-'));
  const watchdog = startWatchdog(dir, options.keepDir ?? false);
  let cluster: LocalClusterImpl | undefined;
  try {
    await Promise.all(['pki', 'run', 'logs', 'users'].map((d) => mkdir(join(dir, d), { recursive: true })));
    const pkiStarted = performance.now();
    const pki = await createClusterPki(join(dir, 'pki'));
    const pkiSeconds = seconds(pkiStarted);
    const [etcdClient, etcdPeer, apiServer, controllerManager] = await pickFreeLoopbackPorts(4);
    if (
      etcdClient === undefined ||
      etcdPeer === undefined ||
      apiServer === undefined ||
      controllerManager === undefined
    ) {
      throw new LocalClusterError('could not reserve four loopback ports');
    }
    const server = `https://127.0.0.1:${apiServer}`;
    const kubeconfigPath = await writeKubeconfig(join(dir, 'admin.kubeconfig'), {
      server,
      caPath: pki.ca.certPath,
      userName: 'kubernetes-admin',
      credentials: { kind: 'certificate', pair: pki.admin },
    });
    const controllerManagerKubeconfigPath = await writeKubeconfig(
      join(dir, 'controller-manager.kubeconfig'),
      {
        server,
        caPath: pki.ca.certPath,
        userName: 'system:kube-controller-manager',
        credentials: { kind: 'certificate', pair: pki.controllerManager },
      },
    );
    const [ca, cert, key] = await Promise.all([
      readFile(pki.ca.certPath),
      readFile(pki.admin.certPath),
      readFile(pki.admin.keyPath),
    ]);
    const timings: StartTimings = {
      binariesSeconds,
      pkiSeconds,
      etcdSeconds: 0,
      apiServerSeconds: 0,
      controllerManagerSeconds: 0,
      totalSeconds: 0,
    };
    cluster = new LocalClusterImpl({
      dir,
      binaries,
      pki,
      adminTls: { ca, cert, key },
      ports: { etcdClient, etcdPeer, apiServer, controllerManager },
      kubeconfigPath,
      controllerManagerKubeconfigPath,
      options,
      watchdog,
      timings,
    });
    register(cluster);

    let phase = performance.now();
    await cluster.startEtcd();
    const etcdSeconds = seconds(phase);
    log(`etcd ready in ${etcdSeconds}s`);
    phase = performance.now();
    await cluster.startApiServer();
    const apiServerSeconds = seconds(phase);
    log(`kube-apiserver ready in ${apiServerSeconds}s at ${server}`);
    phase = performance.now();
    await cluster.startControllerManager();
    await cluster.waitForControllers();
    const controllerManagerSeconds = seconds(phase);
    log(`kube-controller-manager ready in ${controllerManagerSeconds}s`);
    cluster.timings = {
      ...timings,
      etcdSeconds,
      apiServerSeconds,
      controllerManagerSeconds,
      totalSeconds: seconds(started),
    };
    return cluster;
  } catch (error) {
    if (cluster !== undefined) {
      await cluster.stop();
    } else {
      removeDirSync(dir);
      watchdog.release();
    }
    throw error;
  }
}

function isPortClash(error: unknown): boolean {
  return error instanceof LocalClusterError && /address already in use/i.test(error.logTail ?? '');
}

function isBinaries(value: LocalClusterOptions['binaries']): value is ControlPlaneBinaries {
  return value !== undefined && 'kubeApiServer' in value;
}

/**
 * Builds the binaries if needed, then starts etcd, kube-apiserver and
 * kube-controller-manager on free loopback ports and resolves once the API
 * server is ready and the controllers run. Call stop() when done; if the
 * process ends first, the components are killed anyway.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const binariesStarted = performance.now();
  const binaries = isBinaries(options.binaries)
    ? options.binaries
    : await ensureControlPlaneBinaries(options.binaries ?? {});
  const binariesSeconds = seconds(binariesStarted);
  // A port picked as free can be taken before the component binds it; that
  // is rare and a fresh set of ports fixes it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binaries, options, binariesSeconds);
    } catch (error) {
      if (attempt < 3 && isPortClash(error)) {
        options.log?.(`port clash on start (attempt ${attempt}); retrying with new ports`);
        continue;
      }
      throw error;
    }
  }
}
