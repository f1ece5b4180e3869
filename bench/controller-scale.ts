/**
 * `npm run bench:controller:scale`: SPEC §10's controller scale bar, measured end to end.
 *
 * "100,000 watched objects on one 2-core machine: caches synced from a cold start within
 * 30 s, full evaluation from the warm cache under 5 s of CPU, event-to-report latency p99
 * under 2 s at 20 changes per second, steady resident memory under 400 MiB (peak under
 * 600 MiB), zero API writes at rest and after a restart with nothing changed."
 *
 * The cluster (the local control plane of src/localcluster) is loaded with the SPEC's mix,
 * per namespace (2,000 by default): 25 pods (two Deployments of 10 replicas, each pod
 * owned by a real ReplicaSet with a `pod-template-hash` label, and 5 bare pods), 12
 * ServiceAccounts, 4 Roles, 4 RoleBindings, 2–3 NetworkPolicies; plus one ClusterRole and
 * one ClusterRoleBinding per namespace. That is 50,000 pods, 20,000 RBAC objects, 5,000
 * NetworkPolicies and about 101,000 watched objects in all. The controller-manager runs
 * only the namespace, ServiceAccount and aggregation controllers: the Deployments and
 * ReplicaSets are inert records that the pods' ownerReferences point at, so the 50,000 pods
 * are created at API speed instead of the replicaset controller's 20 a second.
 *
 * The controller runs as `bulwark run` in its own process (compiled with tsc into
 * .bench/scale-dist, so neither tsx nor the load generator is in its RSS or CPU),
 * authenticated as its own ServiceAccount under deploy/'s ClusterRole, with leader
 * election and the Dockerfile's ENV, as in production. Its memory and CPU come from /proc/<pid>/status (VmRSS,
 * VmHWM) and /proc/<pid>/stat (utime + stime); its phases from its own log lines
 * ("caches synced", "initial evaluation complete", "full evaluation complete" with the
 * pass's CPU seconds). Writes are counted from the API server's side
 * (apiserver_request_total for group bulwark.dev, mutating verbs), and event-to-report
 * latency is measured from the outside: each change flips a bare pod's image between a
 * pinned tag and :latest, in a different namespace each time (so every change needs its
 * own report write), and a watch on SecurityReports times the moment the report shows
 * the finding appear or go. The controller's own bulwark_event_to_report_seconds histogram
 * is printed beside it.
 *
 * "Full evaluation from the warm cache" is printed twice: the periodic pass as it runs at
 * rest, which reuses the pod-check outcomes of pods that did not change
 * (src/controller/pod-outcome-memo.ts), and the pass after a ServiceAccount change, which
 * runs every check on every object again.
 *
 * Last, the reports are checked against the engine run offline, as `bulwark scan` runs it:
 * every watched object is listed again (untrimmed, as admin) and evaluated with the
 * cluster's SecurityPolicy, and each report must hold exactly the findings (check and
 * resource) that evaluation gives its namespace. A controller that is fast but wrong at
 * 100,000 objects fails here, not in a user's cluster.
 *
 * Knobs (environment): BENCH_NAMESPACES (2000), BENCH_REPLICAS (10 per Deployment),
 * BENCH_BARE_PODS (5), BENCH_RATE (20 changes/s), BENCH_SECONDS (60 s of churn per
 * mode), BENCH_MODES (`touch,flip`: annotation churn that changes no finding, then image
 * flips that all do; `status` adds status reports as the kubelet sends them, which
 * evaluation does not read), BENCH_REST_SECONDS (60), BENCH_RESYNC (`60s`, so the rest window
 * holds a periodic full re-evaluation), BENCH_CONTROLLER_ARGS (extra `bulwark run`
 * flags), BENCH_NODE_ARGS (node flags for the controller; by default the heap limits Node
 * picks in deploy/'s 768 MiB container; add e.g. `--cpu-prof --cpu-prof-dir=.bench/prof`),
 * BENCH_CPU_LIMIT=none (run the controller without deploy/'s CPU limit, which the bench
 * otherwise applies as a cgroup CFS quota, as the kubelet does), BENCH_CONTROLLER=tsx (run
 * through tsx instead of compiling) or a path to a compiled `src/cli/main.js` (another
 * build, to compare), BENCH_TRACE=<file> (each flip's send time and latency, as TSV).
 * For working on the controller without reloading 100,000 objects each time:
 * BENCH_HOLD=<file> loads the cluster, writes how to reach it to <file> and waits (Ctrl-C
 * stops it); BENCH_ATTACH=<file> measures against that cluster instead of starting one.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { load as loadYaml } from 'js-yaml';
import { allChecks } from '../src/checks/index.js';
import type { ResourceDescriptor } from '../src/controller/kube-client.js';
import {
  apiVersionOf,
  KubeClient,
  loadKubeConfig,
  RESOURCES,
  WATCHED_RESOURCES,
} from '../src/controller/kube-client.js';
import { findingKey, findingsOf } from '../src/controller/report-content.js';
import type { ReportBody } from '../src/controller/report-content.js';
import { evaluate } from '../src/engine/evaluate.js';
import { Inventory } from '../src/engine/inventory.js';
import type { KubeObject } from '../src/engine/objects.js';
import { compilePolicy } from '../src/engine/policy.js';
import { pickFreeLoopbackPorts, startLocalCluster } from '../src/localcluster/index.js';
import type { LocalCluster } from '../src/localcluster/index.js';

const execFileAsync = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, '.bench');

const env = process.env;
const NAMESPACES = Number(env['BENCH_NAMESPACES'] ?? 2000);
const REPLICAS = Number(env['BENCH_REPLICAS'] ?? 10);
const BARE_PODS = Number(env['BENCH_BARE_PODS'] ?? 5);
const SERVICE_ACCOUNTS = 11; // plus `default`
const RATE = Number(env['BENCH_RATE'] ?? 20);
const CHURN_SECONDS = Number(env['BENCH_SECONDS'] ?? 60);
const MODES = (env['BENCH_MODES'] ?? 'touch,flip').split(',').filter((m) => m !== '');
const REST_SECONDS = Number(env['BENCH_REST_SECONDS'] ?? 60);
const RESYNC = env['BENCH_RESYNC'] ?? '60s';
const CONTROLLER_ARGS = (env['BENCH_CONTROLLER_ARGS'] ?? '').split(' ').filter((a) => a !== '');
// The heap Node 24 sizes for itself in a container limited to 768 MiB, as deploy/ limits
// the controller (measured: heap_size_limit 432 MiB there). On this machine Node would allow
// 4 GB and collect garbage lazily, which says nothing about the pod.
const POD_HEAP = '--max-old-space-size=384 --max-semi-space-size=16';
const NODE_ARGS = (env['BENCH_NODE_ARGS'] ?? POD_HEAP).split(' ').filter((a) => a !== '');
// The environment the image gives the controller (the Dockerfile's ENV lines), so that its
// memory is measured as it runs in the pod: MALLOC_ARENA_MAX changes glibc's share of it.
const IMAGE_ENV = imageEnvironment(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));

// The CPU limit deploy/ gives the controller's container, applied as the kubelet applies
// it: a CFS quota on the process's cgroup. Unlimited, the controller could take both cores
// (its garbage collector's helper threads run beside the main thread) where the pod gets
// one, and the API server on the same two cores slowed for it. BENCH_CPU_LIMIT=none runs it
// unlimited.
const CPU_LIMIT =
  env['BENCH_CPU_LIMIT'] === 'none' ? undefined : deployCpuLimit(join(ROOT, 'deploy', 'deployment.yaml'));

/** `limits.cpu` of deploy/'s controller container, in cores. */
function deployCpuLimit(path: string): number {
  const deployment = loadYaml(readFileSync(path, 'utf8')) as {
    spec?: { template?: { spec?: { containers?: { resources?: { limits?: { cpu?: unknown } } }[] } } };
  };
  const cpu = deployment.spec?.template?.spec?.containers?.[0]?.resources?.limits?.cpu;
  const text = String(cpu);
  const cores = text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
  if (!(cores > 0)) throw new Error(`${path}: no CPU limit on the controller container (${text})`);
  return cores;
}

/**
 * A cgroup whose CPU quota is `cores`, for the controller to run in (cgroup v1's cpu
 * controller, else v2's cpu.max); undefined, with the reason logged, where none can be made.
 */
async function cpuLimitedGroup(cores: number): Promise<{ procs: string; dir: string } | undefined> {
  const period = 100_000;
  const quota = Math.round(cores * period);
  const name = `bulwark-bench-${runId}`;
  try {
    if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
      const dir = join('/sys/fs/cgroup/cpu', name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(period));
      await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quota));
      return { procs: join(dir, 'cgroup.procs'), dir };
    }
    const controllers = await readFile('/sys/fs/cgroup/cgroup.controllers', 'utf8');
    if (!controllers.split(/\s+/).includes('cpu')) throw new Error('no cpu controller in cgroup v2');
    const dir = join('/sys/fs/cgroup', name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cpu.max'), `${quota} ${period}`);
    return { procs: join(dir, 'cgroup.procs'), dir };
  } catch (error) {
    log(`controller CPU not limited: no cgroup could be made (${String(error)})`);
    return undefined;
  }
}

/** `ENV NAME=value ...` lines of a Dockerfile, as variables. */
function imageEnvironment(dockerfile: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dockerfile.split('\n')) {
    const match = /^ENV\s+(.*)$/.exec(line.trim());
    for (const pair of match?.[1]?.split(/\s+/) ?? []) {
      const at = pair.indexOf('=');
      if (at > 0) out[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return out;
}
const CONCURRENCY = 48;
const FLIP_ROLE = 'bench.bulwark.dev/role';
const POLICY = 'scale';
const LEASE_NAMESPACE = 'bulwark-system';

const DEPLOYMENTS: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  namespaced: true,
  kind: 'Deployment',
};
const REPLICA_SETS: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  namespaced: true,
  kind: 'ReplicaSet',
};

const started = performance.now();
const runId = Date.now().toString(36);
function log(line: string): void {
  const at = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`bench [${at} s] ${line}\n`);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`;
}

async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

// ---------------------------------------------------------------------------------------
// The object set

/** A short lowercase hash, as the Deployment controller's pod-template-hash looks. */
function templateHash(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.imul(h ^ (i + 1), 2654435761) >>> 0;
  }
  return out;
}

function namespaceName(i: number): string {
  return `scale-${String(i).padStart(4, '0')}`;
}

/** Pod Security level the namespace enforces: a third restricted, a third baseline, a third none. */
function levelOf(i: number): 'restricted' | 'baseline' | undefined {
  return i % 3 === 0 ? 'restricted' : i % 3 === 1 ? 'baseline' : undefined;
}

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A pod spec of typical size: two containers, env, probes, mounts, resources. */
function podSpec(i: number, app: string, image: string, serviceAccount: string): Record<string, unknown> {
  const level = levelOf(i);
  // Some namespaces without Pod Security run a privileged agent: critical findings.
  const privileged = level === undefined && app === 'worker' && i % 4 === 2;
  const container =
    level === 'restricted' ? RESTRICTED_CONTAINER : privileged ? { privileged: true } : undefined;
  return {
    serviceAccountName: serviceAccount,
    ...(level === 'restricted'
      ? {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        }
      : {}),
    containers: [
      {
        name: app,
        image,
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [
          // Each namespace's templates are its own, as in a real cluster: replicas share
          // their containers' sub-objects, namespaces do not (beyond common values).
          { name: 'SERVICE_NAME', value: `${app}.${namespaceName(i)}` },
          { name: 'APP_MODE', value: 'production' },
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'HTTP_PORT', value: '8080' },
          // A literal credential in one namespace in ten: workload.env-literal-secrets.
          {
            name: 'DB_PASSWORD',
            ...(i % 10 === 5
              ? { value: 'hunter2-s3cr3t' }
              : { valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }),
          },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 10 },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 10 },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/app', readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
        ...(container !== undefined ? { securityContext: container } : {}),
      },
      {
        name: 'proxy',
        image: 'registry.example.com/mesh/proxy:2.1.4',
        ports: [{ name: 'proxy', containerPort: 15001 }],
        args: ['--listen', ':15001', '--upstream', '127.0.0.1:8080'],
        resources: { requests: { cpu: '50m', memory: '64Mi' } },
        ...(level === 'restricted' ? { securityContext: RESTRICTED_CONTAINER } : {}),
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: `${app}-config` } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

interface Item {
  readonly resource: ResourceDescriptor;
  readonly object: KubeObject;
}

function namespaceObjects(i: number): { first: Item[]; workloads: Item[] } {
  const ns = namespaceName(i);
  const first: Item[] = [];
  const meta = (name: string): Record<string, unknown> => ({ name, namespace: ns });
  for (let s = 0; s < SERVICE_ACCOUNTS; s++) {
    first.push({
      resource: RESOURCES.serviceAccounts,
      object: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(`sa-${s}`),
        ...(s % 2 === 0 ? { automountServiceAccountToken: false } : {}),
      },
    });
  }
  const rbac = 'rbac.authorization.k8s.io';
  const roles: [string, unknown[]][] = [
    ['config-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]],
    ['secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]],
    [
      'pod-operator',
      [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'create', 'delete'] },
        { apiGroups: [''], resources: ['pods/exec', 'pods/log'], verbs: ['get', 'create'] },
      ],
    ],
    [
      'deployer',
      [
        {
          apiGroups: ['apps'],
          resources: ['deployments', 'replicasets'],
          verbs: ['get', 'list', 'create', 'update', 'patch'],
        },
      ],
    ],
  ];
  for (const [name, rules] of roles) {
    first.push({
      resource: RESOURCES.roles,
      object: { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: meta(name), rules },
    });
  }
  const bindings: [string, Record<string, string>, Record<string, string>][] = [
    [
      'config-reader',
      { kind: 'Role', name: 'config-reader' },
      { kind: 'ServiceAccount', name: 'sa-0', namespace: ns },
    ],
    [
      'secret-reader',
      { kind: 'Role', name: 'secret-reader' },
      { kind: 'ServiceAccount', name: 'sa-1', namespace: ns },
    ],
    [
      'pod-operator',
      { kind: 'Role', name: 'pod-operator' },
      { kind: 'ServiceAccount', name: 'sa-2', namespace: ns },
    ],
    // Teams deploy into their namespaces through the aggregated `edit` role, as is common.
    [
      'team-edit',
      { kind: 'ClusterRole', name: 'edit' },
      { kind: 'Group', name: `team-${i % 40}`, apiGroup: rbac },
    ],
  ];
  for (const [name, roleRef, subject] of bindings) {
    first.push({
      resource: RESOURCES.roleBindings,
      object: {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: meta(name),
        roleRef: { apiGroup: rbac, ...roleRef },
        subjects: [subject],
      },
    });
  }
  const policies: [string, Record<string, unknown>][] = [
    ['default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }],
    [
      'allow-web',
      {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
              { podSelector: {} },
            ],
            ports: [{ port: 8080 }],
          },
        ],
      },
    ],
  ];
  if (i % 2 === 0) {
    policies.push([
      'allow-dns-egress',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] }],
      },
    ]);
  }
  for (const [name, spec] of policies) {
    first.push({
      resource: RESOURCES.networkPolicies,
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name), spec },
    });
  }
  // Cluster-wide: one ClusterRole and its binding per namespace (a tenth with wildcard verbs).
  first.push({
    resource: RESOURCES.clusterRoles,
    object: {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRole',
      metadata: { name: `${ns}-observer` },
      rules: [
        {
          apiGroups: ['', 'apps'],
          resources: ['pods', 'services', 'deployments'],
          verbs: i % 10 === 0 ? ['*'] : ['get', 'list', 'watch'],
        },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
      ],
    },
  });
  first.push({
    resource: RESOURCES.clusterRoleBindings,
    object: {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: `${ns}-observer` },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: `${ns}-observer` },
      subjects: [{ kind: 'ServiceAccount', name: 'sa-3', namespace: ns }],
    },
  });
  const workloads: Item[] = [];
  for (let b = 0; b < BARE_PODS; b++) {
    workloads.push({
      resource: RESOURCES.pods,
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...meta(`task-${b}`), labels: { app: 'task', [FLIP_ROLE]: 'flip' } },
        spec: podSpec(i, 'task', `registry.example.com/tools/task:1.${b}`, 'sa-6'),
      },
    });
  }
  return { first, workloads };
}

/** The Deployment and ReplicaSet records, and the pods that name them as owners. */
async function createReplicas(client: KubeClient, i: number, onCreated: () => void): Promise<void> {
  const ns = namespaceName(i);
  for (const [app, serviceAccount] of [
    ['web', 'sa-4'],
    ['worker', 'sa-5'],
  ] as const) {
    // A tenth of the workers run :latest: workload.image-tag on the Deployment.
    const image =
      app === 'worker' && i % 10 === 3
        ? 'registry.example.com/shop/worker:latest'
        : `registry.example.com/shop/${app}:3.2.1`;
    const hash = templateHash(`${ns}/${app}`);
    const labels = { app };
    const template = { metadata: { labels }, spec: podSpec(i, app, image, serviceAccount) };
    const deployment = await client.create(
      DEPLOYMENTS,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns, labels },
        spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template },
      },
      { namespace: ns },
    );
    const rsLabels = { ...labels, 'pod-template-hash': hash };
    const replicaSet = await client.create(
      REPLICA_SETS,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${app}-${hash}`,
          namespace: ns,
          labels: rsLabels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: app,
              uid: deployment.metadata?.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: rsLabels },
          template: { metadata: { labels: rsLabels }, spec: template.spec },
        },
      },
      { namespace: ns },
    );
    onCreated();
    onCreated();
    const pods = Array.from({ length: REPLICAS }, (_, r) => r);
    await pool(pods, 4, async (r) => {
      await client.create(
        RESOURCES.pods,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-${hash}-${templateHash(`${ns}/${app}/${r}`).slice(0, 5)}`,
            namespace: ns,
            labels: rsLabels,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${app}-${hash}`,
                uid: replicaSet.metadata?.uid ?? '',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: template.spec,
        },
        { namespace: ns },
      );
      onCreated();
    });
  }
}

async function kubectl(cluster: { kubectl: string; kubeconfig: string }, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(cluster.kubectl, ['--kubeconfig', cluster.kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** How to reach a loaded cluster; what BENCH_HOLD writes and BENCH_ATTACH reads. */
interface ClusterHandle {
  readonly server: string;
  readonly caPath: string;
  readonly adminKubeconfig: string;
  readonly adminCert: { readonly certPath: string; readonly keyPath: string };
  readonly operatorKubeconfig: string;
  readonly kubectl: string;
  readonly namespaces: number;
  /** The API server's log, with its garbage collector's trace (GODEBUG=gctrace=1). */
  readonly apiServerLog?: string;
}

async function loadCluster(cluster: LocalCluster): Promise<ClusterHandle> {
  const kubectlBin = cluster.binaries.kubectl ?? 'kubectl';
  const ctl = { kubectl: kubectlBin, kubeconfig: cluster.kubeconfigPath };
  // deploy/ brings the CRDs, the bulwark ServiceAccount, its ClusterRole and the Lease role.
  await kubectl(ctl, ['apply', '--server-side', '--force-conflicts', '-k', join(ROOT, 'deploy')]);
  await kubectl(ctl, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '-l',
    'app.kubernetes.io/part-of=bulwark',
  ]);
  const admin = new KubeClient(loadKubeConfig(cluster.kubeconfigPath), {
    requestTimeoutMs: 120_000,
    fieldManager: 'bench',
  });
  const t0 = performance.now();
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => i);
  await pool(namespaces, CONCURRENCY, (i) => {
    const level = levelOf(i);
    return admin.create(RESOURCES.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespaceName(i),
        labels: {
          'bench.bulwark.dev/scale': 'true',
          team: `team-${i % 40}`,
          ...(level !== undefined
            ? {
                'pod-security.kubernetes.io/enforce': level,
                'pod-security.kubernetes.io/warn': 'restricted',
                ...(i % 2 === 0 ? { 'pod-security.kubernetes.io/audit': 'restricted' } : {}),
              }
            : {}),
        },
      },
    });
  });
  log(`${NAMESPACES} namespaces in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let created = NAMESPACES;
  const firsts: Item[] = [];
  const workloads: Item[] = [];
  for (const i of namespaces) {
    const { first, workloads: w } = namespaceObjects(i);
    firsts.push(...first);
    workloads.push(...w);
  }
  let last = performance.now();
  const progress = (): void => {
    if (performance.now() - last < 15_000) return;
    last = performance.now();
    const seconds = (performance.now() - t0) / 1000;
    log(`  ${created} objects created, ${(created / seconds).toFixed(0)}/s, load ${load()}`);
  };
  const create = async ({ resource, object }: Item): Promise<void> => {
    const namespace = object.metadata?.namespace;
    await admin.create(resource, object, namespace !== undefined ? { namespace } : {});
    created++;
    progress();
  };
  // ServiceAccounts before the pods that run as them: admission refuses a pod whose
  // ServiceAccount does not exist.
  await pool(firsts, CONCURRENCY, create);
  await pool(workloads, CONCURRENCY, create);
  await pool(namespaces, Math.ceil(CONCURRENCY / 4), (i) =>
    createReplicas(admin, i, () => {
      created++;
      progress();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  log(
    `loaded ${created} objects in ${seconds.toFixed(0)} s (${(created / seconds).toFixed(0)}/s), load ${load()}`,
  );
  // The ServiceAccount controller makes each namespace's `default`; wait until it has.
  for (;;) {
    const page = await admin.list(RESOURCES.serviceAccounts, {
      fieldSelector: 'metadata.name=default',
      limit: 5000,
    });
    if (page.items.length >= NAMESPACES) break;
    await sleep(1000);
  }
  await admin.apply(RESOURCES.securityPolicies, {
    apiVersion: 'bulwark.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: POLICY },
    spec: {
      profiles: ['pss-restricted', 'workloads', 'namespaces', 'network', 'service-accounts', 'rbac'],
      namespaceSelector: { matchLabels: { 'bench.bulwark.dev/scale': 'true' } },
    },
  });
  admin.close();
  const operatorKubeconfig = await cluster.kubeconfigForServiceAccount(LEASE_NAMESPACE, 'bulwark', 86_400);
  return {
    server: cluster.server,
    caPath: cluster.caPath,
    adminKubeconfig: cluster.kubeconfigPath,
    adminCert: cluster.adminCertificate,
    operatorKubeconfig,
    kubectl: kubectlBin,
    namespaces: NAMESPACES,
    apiServerLog: join(cluster.dir, 'logs', 'kube-apiserver.log'),
  };
}

/** One cycle of the API server's garbage collector, from its gctrace line. */
interface GcCycle {
  /** When its mark phase began and ended (epoch ms). */
  readonly from: number;
  readonly to: number;
  readonly liveMb: number;
}

/**
 * The API server's GC cycles in a window, read from its log: the local cluster writes a
 * `==== <time> starting` line before each start, and gctrace stamps each cycle with the
 * seconds since then. The concurrent mark takes a quarter of the cores and slows every
 * allocating request meanwhile; on two cores, with a heap of gigabytes, it runs for
 * seconds.
 */
async function apiServerGcCycles(log: string, from: number, to: number): Promise<GcCycle[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const cycles: GcCycle[] = [];
  let started: number | undefined;
  for (const line of text.split('\n')) {
    const start = /^==== (\S+) starting/.exec(line);
    if (start !== null) started = Date.parse(start[1] ?? '');
    // gc 12 @34.567s 3%: 0.1+3400+0.2 ms clock, ... 2802->3296->2059 MB, ...
    const gc = /^gc \d+ @([\d.]+)s \d+%: ([\d.]+)\+([\d.]+)\+([\d.]+) ms clock.*?->(\d+) MB,/.exec(line);
    if (gc === null || started === undefined) continue;
    const at = started + Number(gc[1]) * 1000;
    const clock = Number(gc[2]) + Number(gc[3]) + Number(gc[4]);
    if (at + clock < from || at > to) continue;
    cycles.push({ from: at, to: at + clock, liveMb: Number(gc[5]) });
  }
  return cycles;
}

// ---------------------------------------------------------------------------------------
// Observing the API server

/** Mutating requests the API server has served, by what they touched. */
interface WriteCounts {
  /** SecurityReports, ClusterSecurityReports and SecurityPolicy status. */
  readonly bulwark: number;
  readonly events: number;
  readonly leases: number;
}

const MUTATING = new Set(['CREATE', 'UPDATE', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION', 'POST', 'PUT']);

function apiServerMetrics(handle: ClusterHandle): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${handle.server}/metrics`,
      {
        ca: readFileSync(handle.caPath),
        cert: readFileSync(handle.adminCert.certPath),
        key: readFileSync(handle.adminCert.keyPath),
        timeout: 30_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function apiWrites(handle: ClusterHandle): Promise<WriteCounts> {
  const text = await apiServerMetrics(handle);
  let bulwark = 0;
  let events = 0;
  let leases = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!MUTATING.has(labels['verb'] ?? '')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (labels['group'] === 'bulwark.dev') bulwark += value;
    else if (labels['resource'] === 'events') events += value;
    else if (labels['resource'] === 'leases') leases += value;
  }
  return { bulwark, events, leases };
}

function writesSince(before: WriteCounts, after: WriteCounts): WriteCounts {
  return {
    bulwark: after.bulwark - before.bulwark,
    events: after.events - before.events,
    leases: after.leases - before.leases,
  };
}

interface PendingChange {
  readonly pod: string;
  readonly wantFinding: boolean;
  readonly sentAt: number;
}

/**
 * Watches SecurityReports: counts their changes and times pending image flips, each done
 * when its namespace's report first shows the finding as the flip left it.
 */
class ReportWatch {
  changes = 0;
  readonly latencies: number[] = [];
  /** When each change in `latencies` was sent (performance.now()), in the same order. */
  readonly sentAt: number[] = [];
  private readonly pending = new Map<string, PendingChange[]>();
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly client: KubeClient) {}

  async start(): Promise<void> {
    let resourceVersion = (await this.client.list(RESOURCES.securityReports, { limit: 1 })).metadata
      .resourceVersion;
    this.running = (async (): Promise<void> => {
      while (!this.stopper.signal.aborted) {
        try {
          for await (const event of this.client.watch(RESOURCES.securityReports, {
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 600,
            signal: this.stopper.signal,
          })) {
            const rv = event.object.metadata?.resourceVersion;
            if (typeof rv === 'string') resourceVersion = rv;
            if (event.type === 'BOOKMARK' || event.type === 'ERROR') continue;
            this.changes++;
            if (event.type !== 'DELETED') this.observe(event.object);
          }
        } catch (error) {
          if (this.stopper.signal.aborted) return;
          log(`report watch restarted: ${String(error)}`);
          resourceVersion = (await this.client.list(RESOURCES.securityReports, { limit: 1 })).metadata
            .resourceVersion;
        }
      }
    })();
  }

  expect(namespace: string, change: PendingChange): void {
    let list = this.pending.get(namespace);
    if (list === undefined) this.pending.set(namespace, (list = []));
    list.push(change);
  }

  get outstanding(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  clearPending(): void {
    this.pending.clear();
  }

  private observe(report: KubeObject): void {
    const namespace = report.metadata?.namespace;
    const list = namespace === undefined ? undefined : this.pending.get(namespace);
    if (list === undefined || list.length === 0) return;
    const findings = findingsOf(report as unknown as ReportBody);
    const now = performance.now();
    const left = list.filter((change) => {
      const has = findings.some(
        (f) =>
          f.checkId === 'workload.image-tag' && f.resource.kind === 'Pod' && f.resource.name === change.pod,
      );
      if (has !== change.wantFinding) return true;
      this.latencies.push((now - change.sentAt) / 1000);
      this.sentAt.push(change.sentAt);
      return false;
    });
    if (namespace !== undefined) this.pending.set(namespace, left);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running?.catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------
// The controller process

interface LogLine {
  readonly at: number;
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

interface ProcSample {
  readonly at: number;
  readonly rss: number;
  readonly hwm: number;
  readonly cpuSeconds: number;
}

const CLOCK_TICKS = 100;

/** CPU seconds used so far by the (first) process whose command name is `name`; 0 if none. */
function processCpu(name: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!name.startsWith(command)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // The process ended while we looked.
    }
  }
  return 0;
}

function readProc(pid: number): { rss: number; hwm: number; cpuSeconds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

class ControllerProcess {
  readonly lines: LogLine[] = [];
  readonly samples: ProcSample[] = [];
  readonly spawnedAt = performance.now();
  private readonly child: ChildProcess;
  private readonly sampler: NodeJS.Timeout;
  readonly exited: Promise<number | null>;

  constructor(
    readonly label: string,
    command: readonly string[],
    readonly metricsPort: number,
    logPath: string,
    cgroupProcs: string | undefined,
  ) {
    const options: SpawnOptions = {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...IMAGE_ENV, ...process.env },
    };
    // Into the cgroup before node starts, so that every thread it makes is limited; `exec`
    // keeps the PID, from which /proc is sampled.
    this.child =
      cgroupProcs === undefined
        ? spawn(process.execPath, command, options)
        : spawn(
            '/bin/sh',
            ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', cgroupProcs, process.execPath, ...command],
            options,
          );
    const file = createWriteStream(logPath);
    const stderr = this.child.stderr;
    if (stderr === null) throw new Error('no stderr pipe');
    createInterface({ input: stderr }).on('line', (line) => {
      file.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed['level'] === 'error' || parsed['level'] === 'warn') {
          log(`  controller ${String(parsed['level'])}: ${line.slice(0, 300)}`);
        }
        this.lines.push({ at: performance.now(), message: String(parsed['message'] ?? ''), meta: parsed });
      } catch {
        log(`  controller: ${line.slice(0, 300)}`);
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    void this.exited.then(() => file.end());
    this.sampler = setInterval(() => this.sample(), 500);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  sample(): ProcSample | undefined {
    const proc = readProc(this.pid);
    if (proc === undefined) return undefined;
    const sample = { at: performance.now(), ...proc };
    this.samples.push(sample);
    return sample;
  }

  /** The first log line with this message after index `from`, waiting for it. */
  async waitForLog(message: string, timeoutMs: number, from = 0): Promise<LogLine> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const line = this.lines.slice(from).find((l) => l.message === message);
      if (line !== undefined) return line;
      if (performance.now() > deadline)
        throw new Error(`${this.label}: no "${message}" log line within ${timeoutMs / 1000} s`);
      if (this.child.exitCode !== null)
        throw new Error(`${this.label}: exited (${this.child.exitCode}) before "${message}"`);
      await sleep(100);
    }
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** V8 heap in use and reserved, from the process metrics the controller exports. */
  async heap(): Promise<string> {
    try {
      const text = await this.metrics();
      const value = (name: string): number =>
        Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
      return `heap used ${mib(value('nodejs_heap_size_used_bytes'))} of ${mib(value('nodejs_heap_size_total_bytes'))}`;
    } catch (error) {
      return `heap unknown (${String(error)})`;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
    clearInterval(this.sampler);
  }

  peakRss(): number {
    return Math.max(0, ...this.samples.map((s) => s.hwm));
  }

  rssBetween(from: number, to: number): number[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rss);
  }
}

/** The event-to-report histogram of a controller's /metrics, as cumulative bucket counts. */
function eventToReportBuckets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^bulwark_event_to_report_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
    out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

function describeBuckets(before: Map<string, number>, after: Map<string, number>): string {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  if (total === 0) return 'no observations';
  const share = (le: string): string =>
    `${((((after.get(le) ?? 0) - (before.get(le) ?? 0)) / total) * 100).toFixed(1)} % ≤ ${le} s`;
  return `${total} reconciles: ${['0.5', '1', '2', '5'].map(share).join(', ')}`;
}

async function buildController(): Promise<string[]> {
  const choice = env['BENCH_CONTROLLER'];
  if (choice === 'tsx') return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  // A CLI built elsewhere, e.g. from an older commit, to compare like with like.
  if (choice !== undefined && choice.endsWith('.js')) return [choice];
  const outDir = join(WORK, 'scale-dist');
  log(`compiling the controller into ${outDir}`);
  await execFileAsync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
    ],
    { cwd: ROOT },
  );
  return [join(outDir, 'src/cli/main.js')];
}

async function startController(
  handle: ClusterHandle,
  entry: readonly string[],
  label: string,
): Promise<ControllerProcess> {
  const [port] = await pickFreeLoopbackPorts(1);
  const command = [
    ...NODE_ARGS,
    ...entry,
    'run',
    '--kubeconfig',
    handle.operatorKubeconfig,
    '--metrics-bind-address',
    `127.0.0.1:${port}`,
    '--lease-namespace',
    LEASE_NAMESPACE,
    '--resync-period',
    RESYNC,
    ...CONTROLLER_ARGS,
  ];
  const group = CPU_LIMIT === undefined ? undefined : await controllerGroup(CPU_LIMIT);
  log(
    `starting controller (${label}): node ${command.join(' ')}${group === undefined ? ' (CPU not limited)' : ` (CPU limited to ${String(CPU_LIMIT)} core(s), deploy/'s limits.cpu)`}`,
  );
  return new ControllerProcess(
    label,
    command,
    port as number,
    join(WORK, `scale-${label}.log`),
    group?.procs,
  );
}

let controllerCgroup: Promise<{ procs: string; dir: string } | undefined> | undefined;

function controllerGroup(cores: number): Promise<{ procs: string; dir: string } | undefined> {
  controllerCgroup ??= cpuLimitedGroup(cores);
  return controllerCgroup;
}

/** Removes the controller's cgroup once no process is left in it. */
async function removeControllerGroup(): Promise<void> {
  const group = await controllerCgroup;
  if (group !== undefined) await rmdir(group.dir).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------

interface Results {
  readonly lines: string[];
}

/**
 * The bare pods the churn changes, one namespace after another, so that every change needs
 * a report of its own. Listed once, before the controller starts: a list of 10,000 pods
 * filtered from 50,000 makes the API server decode them all, and its garbage collector
 * then slowed the first 20 s of the churn that followed it (flip p99 per 10 s window
 * 4625 3918 2058 702 708 983 ms, with the list right before the flips).
 */
async function churnPods(admin: KubeClient): Promise<KubeObject[]> {
  const pods = await listAll(admin, RESOURCES.pods, `${FLIP_ROLE}=flip`);
  return pods.sort((a, b) => {
    const name = (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
    return name !== 0 ? name : (a.metadata?.namespace ?? '').localeCompare(b.metadata?.namespace ?? '');
  });
}

async function churn(
  mode: string,
  pods: readonly KubeObject[],
  handle: ClusterHandle,
  admin: KubeClient,
  watch: ReportWatch,
  controller: ControllerProcess,
  results: Results,
): Promise<void> {
  const changes = RATE * CHURN_SECONDS;
  const bucketsBefore = eventToReportBuckets(await controller.metrics());
  const writesBefore = await apiWrites(handle);
  const cpuBefore = controller.sample()?.cpuSeconds ?? 0;
  const reportChangesBefore = watch.changes;
  watch.latencies.length = 0;
  watch.sentAt.length = 0;
  watch.clearPending();
  const loadBefore = load();
  log(`churn (${mode}): ${changes} changes at ${RATE}/s over ${pods.length} bare pods, load ${loadBefore}`);
  const t0 = performance.now();
  let failed = 0;
  // How long the API server took to accept each change: the part of event→report that is
  // not the controller's.
  const patchLatencies: number[] = [];
  const patchSentAt: number[] = [];
  // What the controller and the API server are doing, every 5 s while the changes go in.
  const apiCpu0 = processCpu('kube-apiserver');
  const etcdCpu0 = processCpu('etcd');
  const benchCpu0 = process.cpuUsage();
  const trace = setInterval(() => {
    void controller.metrics().then(
      (text) => {
        const value = (name: string): string => new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? '?';
        const writes = [...text.matchAll(/^bulwark_report_writes_total\{[^}]*\} (\S+)/gm)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
        log(
          `    t+${((performance.now() - t0) / 1000).toFixed(0)} s: queue depth ${value('bulwark_queue_depth')}, report writes ${writes}, seen ${watch.latencies.length}, API server CPU ${(processCpu('kube-apiserver') - apiCpu0).toFixed(1)} s, load ${load()}`,
        );
      },
      () => undefined,
    );
  }, 5000);
  for (let i = 0; i < changes; i++) {
    const pod = pods[i % pods.length] as KubeObject;
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    let patch: unknown;
    if (mode === 'flip') {
      const containers =
        (pod['spec'] as { containers?: { name: string; image: string }[] } | undefined)?.containers ?? [];
      const main = containers[0];
      if (main === undefined) continue;
      const latest = !main.image.endsWith(':latest');
      const image = latest
        ? main.image.replace(/:[^:/]+$/, ':latest')
        : main.image.replace(/:latest$/, ':1.0');
      main.image = image;
      patch = { spec: { containers: [{ name: main.name, image }] } };
      watch.expect(namespace, { pod: name, wantFinding: latest, sentAt: performance.now() });
    } else if (mode === 'status') {
      // What the kubelet sends all day: a status report, through the status subresource.
      patch = {
        status: {
          conditions: [
            {
              type: 'bench.bulwark.dev/Probe',
              status: i % 2 === 0 ? 'True' : 'False',
              message: `${runId}-${i}`,
            },
          ],
        },
      };
    } else {
      // Unique per run: a patch that sets what is already there is no change and no event.
      patch = { metadata: { annotations: { 'bench.bulwark.dev/tick': `${runId}-${i}` } } };
    }
    const sentAt = performance.now();
    const sent =
      mode === 'status'
        ? admin.patch(RESOURCES.pods, name, patch, 'merge', {
            namespace,
            subresource: 'status',
            fieldManager: 'kubelet',
          })
        : admin.patch(RESOURCES.pods, name, patch, 'strategic', { namespace });
    void sent.then(
      () => {
        patchLatencies.push((performance.now() - sentAt) / 1000);
        patchSentAt.push(sentAt);
      },
      (error: unknown) => {
        failed++;
        log(`patch failed: ${String(error)}`);
      },
    );
    await sleep(Math.max(0, t0 + ((i + 1) * 1000) / RATE - performance.now()));
  }
  const sentSeconds = (performance.now() - t0) / 1000;
  const apiCpuSent = processCpu('kube-apiserver') - apiCpu0;
  const etcdCpuSent = processCpu('etcd') - etcdCpu0;
  const benchCpu = process.cpuUsage(benchCpu0);
  const benchCpuSent = (benchCpu.user + benchCpu.system) / 1e6;
  // Let the last changes land: up to 30 s for the flips still unseen.
  const deadline = performance.now() + 30_000;
  await sleep(5000);
  while (mode === 'flip' && watch.outstanding > 0 && performance.now() < deadline) await sleep(250);
  clearInterval(trace);
  const writes = writesSince(writesBefore, await apiWrites(handle));
  const cpu = (controller.sample()?.cpuSeconds ?? 0) - cpuBefore;
  const bucketsAfter = eventToReportBuckets(await controller.metrics());
  const lat = watch.latencies;
  const epochOffset = Date.now() - performance.now();
  const gcCycles =
    handle.apiServerLog === undefined
      ? []
      : await apiServerGcCycles(handle.apiServerLog, epochOffset + t0, epochOffset + t0 + sentSeconds * 1000);
  const traceFile = env['BENCH_TRACE'];
  if (traceFile !== undefined && mode === 'flip') {
    // Each change: when it was sent (UTC, to set beside the controller's log) and its latency.
    const rows = lat.map((seconds, i) => {
      const sent = new Date(epochOffset + (watch.sentAt[i] ?? 0)).toISOString();
      return `${sent}\t${(((watch.sentAt[i] ?? 0) - t0) / 1000).toFixed(3)}\t${(seconds * 1000).toFixed(0)}`;
    });
    await writeFile(traceFile, `sent\tt_s\tlatency_ms\n${rows.join('\n')}\n`);
  }
  const firstLine = results.lines.length;
  const head = `  churn ${mode.padEnd(5)} ${changes} changes at ${RATE}/s (sent in ${sentSeconds.toFixed(1)} s${failed > 0 ? `, ${failed} failed` : ''}; load before ${loadBefore}, after ${load()})`;
  results.lines.push(head);
  if (mode === 'flip') {
    results.lines.push(
      `    event→report, seen by a watch on the reports: p50 ${(quantile(lat, 0.5) * 1000).toFixed(0)} ms, p99 ${(quantile(lat, 0.99) * 1000).toFixed(0)} ms, max ${(Math.max(...lat) * 1000).toFixed(0)} ms over ${lat.length} changes; ${watch.outstanding} never seen within 30 s`,
      `    p99 by the 10 s in which the change was sent: ${windowQuantiles(lat, watch.sentAt, t0, 10_000, 0.99)}`,
    );
    if (gcCycles.length > 0) {
      // Changes sent while the API server's collector was marking, or up to 2 s before.
      const during = (sentAt: number): boolean =>
        gcCycles.some((c) => epochOffset + sentAt >= c.from - 2000 && epochOffset + sentAt <= c.to);
      const inGc = lat.filter((_, i) => during(watch.sentAt[i] ?? 0));
      const outGc = lat.filter((_, i) => !during(watch.sentAt[i] ?? 0));
      const marking = gcCycles.reduce((ms, c) => ms + (c.to - c.from), 0) / 1000;
      results.lines.push(
        `    API server GC: ${gcCycles.length} cycles, marking ${marking.toFixed(1)} s of ${sentSeconds.toFixed(0)} s (live heap ${Math.min(...gcCycles.map((c) => c.liveMb))}–${Math.max(...gcCycles.map((c) => c.liveMb))} MB); p99 of the ${inGc.length} changes sent in or up to 2 s before a mark ${(quantile(inGc, 0.99) * 1000).toFixed(0)} ms, of the ${outGc.length} others ${(quantile(outGc, 0.99) * 1000).toFixed(0)} ms`,
      );
    }
  }
  results.lines.push(
    `    the API server's answer to each change: p50 ${(quantile(patchLatencies, 0.5) * 1000).toFixed(0)} ms, p99 ${(quantile(patchLatencies, 0.99) * 1000).toFixed(0)} ms; p99 by 10 s: ${windowQuantiles(patchLatencies, patchSentAt, t0, 10_000, 0.99)}`,
  );
  results.lines.push(
    `    controller's bulwark_event_to_report_seconds: ${describeBuckets(bucketsBefore, bucketsAfter)}`,
  );
  results.lines.push(
    `    API writes: ${writes.bulwark} to bulwark.dev (${watch.changes - reportChangesBefore} SecurityReport changes watched), ${writes.events} events; controller CPU ${cpu.toFixed(1)} s, API server CPU ${apiCpuSent.toFixed(1)} s, etcd ${etcdCpuSent.toFixed(1)} s and this bench (the changes, the report watch) ${benchCpuSent.toFixed(1)} s while the changes went in`,
  );
  log(results.lines.slice(firstLine).join('\n'));
}

/**
 * The `q` quantile of the latencies of the changes sent in each `windowMs` window after
 * `t0`, in ms: shows whether slow changes are spread out or bunched (e.g. behind a resync).
 */
function windowQuantiles(
  latencies: number[],
  sentAt: number[],
  t0: number,
  windowMs: number,
  q: number,
): string {
  const windows: number[][] = [];
  latencies.forEach((latency, i) => {
    const index = Math.floor(((sentAt[i] ?? t0) - t0) / windowMs);
    (windows[index] ??= []).push(latency);
  });
  return Array.from(windows, (window) =>
    window === undefined ? '-' : (quantile(window, q) * 1000).toFixed(0),
  ).join(' ');
}

/** Waits until no write to bulwark.dev has happened for `quietMs` (or `timeoutMs` passed). */
async function quiet(handle: ClusterHandle, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = (await apiWrites(handle)).bulwark;
  let since = performance.now();
  while (performance.now() - since < quietMs && performance.now() < deadline) {
    await sleep(1000);
    const now = (await apiWrites(handle)).bulwark;
    if (now !== last) {
      last = now;
      since = performance.now();
    }
  }
}

/** Every object of a resource (that a label selector picks), listed page by page from etcd, with `kind` and `apiVersion` set. */
async function listAll(
  client: KubeClient,
  resource: ResourceDescriptor,
  labelSelector?: string,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  let continueToken: string | undefined;
  do {
    const page = await client.list(resource, {
      limit: 1000,
      ...(labelSelector !== undefined ? { labelSelector } : {}),
      ...(continueToken !== undefined ? { continue: continueToken } : {}),
    });
    for (const item of page.items)
      out.push({ ...(item as KubeObject), apiVersion: apiVersionOf(resource), kind: resource.kind });
    continueToken = page.metadata.continue;
  } while (continueToken !== undefined && continueToken !== '');
  return out;
}

/** Finding keys (check and resource) by namespace; '' holds the cluster-scoped ones. */
type FindingKeys = Map<string, Set<string>>;

function addKey(keys: FindingKeys, namespace: string, key: string): void {
  let set = keys.get(namespace);
  if (set === undefined) keys.set(namespace, (set = new Set()));
  set.add(key);
}

/**
 * Compares the reports with an offline evaluation of the objects the controller watches;
 * returns the line to print and whether every report agreed.
 */
async function agreement(admin: KubeClient): Promise<{ line: string; agrees: boolean }> {
  const objects: KubeObject[] = [];
  for (const resource of WATCHED_RESOURCES) {
    if (resource.kind !== 'SecurityPolicy') objects.push(...(await listAll(admin, resource)));
  }
  const policyObject = (await listAll(admin, RESOURCES.securityPolicies)).find(
    (p) => p.metadata?.name === POLICY,
  );
  const compiled = compilePolicy(policyObject, allChecks);
  if (compiled.policy === undefined) throw new Error(`policy ${POLICY} does not compile`);
  const expected: FindingKeys = new Map();
  const evaluation = evaluate(new Inventory(objects), compiled.policy, { now: new Date() });
  for (const finding of evaluation.findings) {
    // A Namespace's findings are in its own report, as the controller evaluates them there.
    const { kind, name, namespace } = finding.resource;
    addKey(expected, kind === 'Namespace' ? name : (namespace ?? ''), findingKey(finding));
  }
  const reported: FindingKeys = new Map();
  /** Findings a report says it left out for its size cap (SPEC §2: group, cap and count). */
  const omitted = new Map<string, number>();
  const reports = [
    ...(await listAll(admin, RESOURCES.securityReports)),
    ...(await listAll(admin, RESOURCES.clusterSecurityReports)),
  ].filter((r) => r.metadata?.name === POLICY);
  for (const report of reports) {
    const findings = findingsOf(report as unknown as ReportBody);
    // The roll-up holds the cluster-scoped findings; namespace reports their namespace's.
    const scope = report.kind === 'ClusterSecurityReport' ? '' : (report.metadata?.namespace ?? '');
    reported.set(scope, reported.get(scope) ?? new Set());
    for (const finding of findings) addKey(reported, scope, findingKey(finding));
    const left = (report['omitted'] as { count?: number } | undefined)?.count ?? 0;
    if (left > 0) omitted.set(scope, left);
  }
  const differing: string[] = [];
  const capped: string[] = [];
  for (const scope of new Set([...expected.keys(), ...reported.keys()])) {
    const want = expected.get(scope) ?? new Set<string>();
    const have = reported.get(scope) ?? new Set<string>();
    const missing = [...want].filter((k) => !have.has(k));
    const extra = [...have].filter((k) => !want.has(k));
    const left = omitted.get(scope) ?? 0;
    if (left > 0 && extra.length === 0 && missing.length === left) {
      capped.push(
        `${scope === '' ? 'the cluster report' : scope} leaves out ${left}, as its omitted count says`,
      );
    } else if (missing.length > 0 || extra.length > 0) {
      const show = (keys: string[]): string =>
        keys
          .slice(0, 3)
          .map((k) => k.replaceAll('\u0000', ' '))
          .join('; ');
      differing.push(
        `${scope === '' ? '(cluster)' : scope}: ${missing.length} missing${missing.length > 0 ? ` (${show(missing)})` : ''}, ${extra.length} extra${extra.length > 0 ? ` (${show(extra)})` : ''}`,
      );
    }
  }
  const scopes = new Set([...expected.keys(), ...reported.keys()]).size;
  const total = evaluation.findings.length;
  if (differing.length === 0) {
    return {
      agrees: true,
      line: `  reports vs offline engine  all ${scopes} scopes agree: ${total} findings over ${objects.length} objects, the same check and resource in each report${capped.length > 0 ? ` (size cap: ${capped.join('; ')})` : ''}`,
    };
  }
  return {
    agrees: false,
    line: `  reports vs offline engine  ${differing.length} of ${scopes} scopes DIFFER (${total} findings expected over ${objects.length} objects): ${differing.slice(0, 5).join(' | ')}`,
  };
}

async function measure(handle: ClusterHandle): Promise<void> {
  await mkdir(WORK, { recursive: true });
  const entry = await buildController();
  const admin = new KubeClient(loadKubeConfig(handle.adminKubeconfig), {
    requestTimeoutMs: 120_000,
    fieldManager: 'bench',
  });
  const watch = new ReportWatch(admin);
  await watch.start();
  const pods = await churnPods(admin);
  // Time for the API server's collector to catch up before the cold start is timed.
  await sleep(10_000);
  const results: Results = { lines: [] };
  const out = (line: string): void => {
    results.lines.push(line);
    log(line);
  };

  // Cold start: a fresh process, caches empty, reports possibly absent.
  const w0 = await apiWrites(handle);
  const loadCold = load();
  const first = await startController(handle, entry, 'first');
  let reached: ControllerProcess | undefined = first;
  try {
    const startedLine = await first.waitForLog('starting', 60_000);
    const synced = await first.waitForLog('caches synced', 600_000);
    const objects = Number(synced.meta['objects'] ?? 0);
    out(`  watched objects            ${objects} (${handle.namespaces} namespaces)`);
    out(
      `  caches synced (cold)       ${((synced.at - first.spawnedAt) / 1000).toFixed(1)} s from spawn, ${((synced.at - startedLine.at) / 1000).toFixed(1)} s from "starting"; CPU ${(first.sample()?.cpuSeconds ?? 0).toFixed(1)} s; RSS ${mib(first.sample()?.rss ?? 0)}, peak ${mib(first.peakRss())}, ${await first.heap()}; load before ${loadCold}, now ${load()}`,
    );
    const initial = await first.waitForLog('initial evaluation complete', 3_600_000);
    const reports = (await admin.list(RESOURCES.securityReports, { limit: 5000 })).items.length;
    const w1 = writesSince(w0, await apiWrites(handle));
    out(
      `  all reports written        ${((initial.at - first.spawnedAt) / 1000).toFixed(1)} s from spawn (${reports} SecurityReports; ${w1.bulwark} writes to bulwark.dev, ${w1.events} events); initial pass CPU ${String(initial.meta['cpuSeconds'])} s over ${String(initial.meta['scopes'])} scopes; load ${load()}`,
    );
    const full = await first.waitForLog(
      'full evaluation complete',
      900_000,
      first.lines.indexOf(initial) + 1,
    );
    out(
      `  full re-evaluation (warm)  CPU ${String(full.meta['cpuSeconds'])} s, wall ${String(full.meta['seconds'])} s over ${String(full.meta['scopes'])} scopes; load ${load()}`,
    );
    // The warm pass reuses pod-check outcomes (src/controller/pod-outcome-memo.ts). A
    // ServiceAccount change anywhere makes the next pass run every pod check afresh: the
    // full cost of evaluating the cluster, as after a policy edit.
    await admin.patch(
      RESOURCES.serviceAccounts,
      'sa-0',
      { metadata: { annotations: { 'bench.bulwark.dev/touched': runId } } },
      'merge',
      { namespace: namespaceName(0) },
    );
    const afresh = await first.waitForLog('full evaluation complete', 900_000, first.lines.indexOf(full) + 1);
    out(
      `  full re-evaluation, afresh CPU ${String(afresh.meta['cpuSeconds'])} s, wall ${String(afresh.meta['seconds'])} s (every pod check run again, after a ServiceAccount change); load ${load()}`,
    );

    // At rest: nothing changes; a periodic full re-evaluation falls in the window.
    const restFrom = performance.now();
    const wRest = await apiWrites(handle);
    const reportChanges = watch.changes;
    const cpuRest = first.sample()?.cpuSeconds ?? 0;
    const restIndex = first.lines.length;
    await sleep(REST_SECONDS * 1000);
    // The window holds at least one periodic full re-evaluation, however the timer fell.
    await first.waitForLog('full evaluation complete', 900_000, restIndex);
    const restSeconds = (performance.now() - restFrom) / 1000;
    const rest = writesSince(wRest, await apiWrites(handle));
    const fullInRest = first.lines.slice(restIndex).filter((l) => l.message === 'full evaluation complete');
    const rss = first.rssBetween(restFrom, performance.now());
    out(
      `  at rest ${restSeconds.toFixed(0)} s               ${rest.bulwark} writes to bulwark.dev, ${watch.changes - reportChanges} report changes watched, ${rest.events} events, ${rest.leases} lease writes (the Lease renewals and the API server's own); ${fullInRest.length} full re-evaluation(s) in the window (CPU ${fullInRest.map((l) => String(l.meta['cpuSeconds'])).join(', ')} s); controller CPU ${((first.sample()?.cpuSeconds ?? 0) - cpuRest).toFixed(1)} s; load ${load()}`,
    );
    out(
      `  steady RSS (at rest)       median ${mib(quantile(rss, 0.5))}, max ${mib(Math.max(...rss))}; peak so far (VmHWM) ${mib(first.peakRss())}; ${await first.heap()}`,
    );

    for (const mode of MODES) await churn(mode, pods, handle, admin, watch, first, results);
    out(
      `  peak RSS (VmHWM), 1st run  ${mib(first.peakRss())}; now ${mib(first.sample()?.rss ?? 0)}, ${await first.heap()}; CPU ${(first.sample()?.cpuSeconds ?? 0).toFixed(1)} s in all`,
    );

    // Restart with nothing changed: a new process must find every report already right.
    // First the churn's backlog must be gone: no report write for 15 s.
    await quiet(handle, 15_000, 600_000);
    const wRestart = await apiWrites(handle);
    const changesRestart = watch.changes;
    await first.stop();
    reached = undefined;
    const loadRestart = load();
    const second = await startController(handle, entry, 'second');
    reached = second;
    const startedSecond = await second.waitForLog('starting', 60_000);
    const synced2 = await second.waitForLog('caches synced', 600_000);
    const initial2 = await second.waitForLog('initial evaluation complete', 3_600_000);
    await sleep(30_000);
    const restart = writesSince(wRestart, await apiWrites(handle));
    out(
      `  restart, nothing changed   synced ${((synced2.at - startedSecond.at) / 1000).toFixed(1)} s, evaluated ${((initial2.at - second.spawnedAt) / 1000).toFixed(1)} s from spawn (pass CPU ${String(initial2.meta['cpuSeconds'])} s); ${restart.bulwark} writes to bulwark.dev, ${watch.changes - changesRestart} report changes watched, ${restart.events} events up to 30 s after; peak RSS ${mib(second.peakRss())}; load before ${loadRestart}, now ${load()}`,
    );
    await second.stop();
    reached = undefined;
    const agreed = await agreement(admin);
    out(agreed.line);
    if (!agreed.agrees) process.exitCode = 1;
  } finally {
    await reached?.stop();
    await watch.stop();
    admin.close();
    await removeControllerGroup();
  }
  console.log(
    `\nController scale benchmark (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())}; ${handle.namespaces} namespaces; bulwark run ${CONTROLLER_ARGS.join(' ')} --resync-period ${RESYNC}; controller CPU ${(await controllerCgroup) === undefined ? 'not limited' : `limited to ${String(CPU_LIMIT)} core(s)`})`,
  );
  for (const line of results.lines) console.log(line);
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())}, load ${load()}`);
  const attach = env['BENCH_ATTACH'];
  if (attach !== undefined) {
    await measure(JSON.parse(await readFile(attach, 'utf8')) as ClusterHandle);
    return;
  }
  // The API server's garbage collector traces each cycle to its log (see apiServerGcCycles).
  process.env['GODEBUG'] = [process.env['GODEBUG'], 'gctrace=1']
    .filter((v) => v !== undefined && v !== '')
    .join(',');
  const cluster = await startLocalCluster({
    log,
    // /debug/pprof on the API server, so `go tool pprof` can be pointed at it while a run
    // (or BENCH_HOLD) has the cluster: the API server's CPU is most of a write's cost.
    apiServerArgs: ['--profiling=true'],
    // Deployments and ReplicaSets are records here, not running controllers: see the top.
    controllers: [
      'namespace-controller',
      'serviceaccount-controller',
      'serviceaccount-token-controller',
      'clusterrole-aggregation-controller',
    ],
  });
  try {
    const handle = await loadCluster(cluster);
    const hold = env['BENCH_HOLD'];
    if (hold !== undefined) {
      await writeFile(hold, JSON.stringify(handle, null, 2));
      log(`cluster loaded; BENCH_ATTACH=${hold} measures against it; Ctrl-C stops it`);
      // A pending promise alone does not keep Node running; the timer does.
      const keepAlive = setInterval(() => undefined, 60_000);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(keepAlive);
      return;
    }
    await measure(handle);
  } finally {
    await cluster.stop();
  }
}

await main();
