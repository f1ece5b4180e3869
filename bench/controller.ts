/**
 * `npm run bench:controller`: the controller against the real local control plane.
 * Loads a cluster of BENCH_NAMESPACES × BENCH_PODS pods (default 50 × 40 = 2,000, as replicas of
 * 4 Deployments per namespace, with a ServiceAccount, Role, RoleBinding and NetworkPolicy per namespace), then measures:
 *  - cold start: caches synced and every namespace report written;
 *  - memory: heap and RSS growth of this process for the controller's caches and state,
 *    per watched object (after a forced GC; run under --expose-gc);
 *  - event-to-report latency at BENCH_RATE changes a second (default 20) for
 *    BENCH_SECONDS (default 30): each change flips a pod's image between a pinned tag and
 *    :latest, so every change also changes a finding and its report is rewritten;
 *  - writes at rest: report writes over 20 s with nothing changing (must be 0).
 * The latency is the controller's own bulwark_event_to_report_seconds, read per event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, loadavg } from 'node:os';
import { Controller } from '../src/controller/controller.js';
import type { KubeClient as KubeClientType, ResourceDescriptor } from '../src/controller/kube-client.js';
import { KubeClient, loadKubeConfig, RESOURCES } from '../src/controller/kube-client.js';
import type { KubeObject } from '../src/engine/objects.js';
import { startLocalCluster } from '../src/localcluster/index.js';
import { createLogger } from '../src/logging/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRunOptions } from '../src/cli/run/options.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAMESPACES = Number(process.env['BENCH_NAMESPACES'] ?? 50);
const PODS = Number(process.env['BENCH_PODS'] ?? 40);
const DEPLOYMENTS = 4;
const DEPLOYMENTS_RESOURCE: ResourceDescriptor = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  namespaced: true,
  kind: 'Deployment',
};
const RATE = Number(process.env['BENCH_RATE'] ?? 20);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
// `touch`: annotate a pod (the common case: churn that changes no finding, so no write);
// `flip`: flip its image between a pinned tag and :latest (every change rewrites a report).
const MODES = (process.env['BENCH_MODES'] ?? 'touch,flip').split(',');

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

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function create(
  client: KubeClientType,
  resource: ResourceDescriptor,
  object: KubeObject,
): Promise<void> {
  await client.create(
    resource,
    object,
    object.metadata?.namespace ? { namespace: object.metadata.namespace } : {},
  );
}

async function main(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const cluster = await startLocalCluster({ log });
  try {
    const kubectl = cluster.binaries.kubectl ?? 'kubectl';
    await run(kubectl, [
      '--kubeconfig',
      cluster.kubeconfigPath,
      'apply',
      '--server-side',
      '-k',
      join(ROOT, 'crds'),
    ]);
    await run(kubectl, [
      '--kubeconfig',
      cluster.kubeconfigPath,
      'wait',
      '--for=condition=Established',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=bulwark',
    ]);
    const admin = new KubeClient(loadKubeConfig(cluster.kubeconfigPath));
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    const started = Date.now();
    await pool(namespaces, 16, (ns) =>
      create(admin, RESOURCES.namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { bench: 'true' } },
      }),
    );
    for (const ns of namespaces) {
      for (;;) {
        try {
          await admin.get(RESOURCES.serviceAccounts, 'default', { namespace: ns });
          break;
        } catch {
          await sleep(100);
        }
      }
    }
    const objects: [ResourceDescriptor, KubeObject][] = [];
    for (const ns of namespaces) {
      objects.push([
        RESOURCES.serviceAccounts,
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns } },
      ]);
      objects.push([
        RESOURCES.roles,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'app', namespace: ns },
          rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }],
        },
      ]);
      objects.push([
        RESOURCES.roleBindings,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'app', namespace: ns },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app' },
          subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: ns }],
        },
      ]);
      objects.push([
        RESOURCES.networkPolicies,
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'web', namespace: ns },
          spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] },
        },
      ]);
      // Pods as clusters have them: replicas of Deployments (made by the controller-manager),
      // so the controller groups them by owner as it would in production.
      for (let d = 0; d < DEPLOYMENTS; d++) {
        objects.push([
          DEPLOYMENTS_RESOURCE,
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: `app-${d}`, namespace: ns },
            spec: {
              replicas: PODS / DEPLOYMENTS,
              selector: { matchLabels: { app: `app-${d}` } },
              template: {
                metadata: { labels: { app: `app-${d}`, tier: d % 2 === 0 ? 'web' : 'worker' } },
                spec: {
                  serviceAccountName: 'app',
                  containers: [
                    {
                      name: 'app',
                      image: 'registry.example.com/app:1.0',
                      ports: [{ containerPort: 8080 }],
                      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                    },
                    { name: 'sidecar', image: 'registry.example.com/proxy:2.1' },
                  ],
                },
              },
            },
          },
        ]);
      }
    }
    // Pods last: the API server refuses a pod whose ServiceAccount does not exist yet.
    const isPod = ([resource]: [ResourceDescriptor, KubeObject]): boolean =>
      resource === DEPLOYMENTS_RESOURCE;
    await pool(
      objects.filter((o) => !isPod(o)),
      32,
      ([resource, object]) => create(admin, resource, object),
    );
    await pool(objects.filter(isPod), 32, ([resource, object]) => create(admin, resource, object));
    // Wait for the controller-manager to create every replica.
    const listPods = async (): Promise<KubeObject[]> => {
      const out: KubeObject[] = [];
      let next: string | undefined;
      do {
        const page = await admin.list(RESOURCES.pods, { limit: 500, ...(next ? { continue: next } : {}) });
        out.push(...(page.items as KubeObject[]));
        next = page.metadata.continue;
      } while (next);
      return out;
    };
    let podsMade: KubeObject[] = [];
    for (;;) {
      podsMade = (await listPods()).filter((p) => p.metadata?.namespace?.startsWith('bench-'));
      if (podsMade.length >= NAMESPACES * PODS) break;
      await sleep(1000);
    }
    log(
      `loaded ${objects.length + namespaces.length} objects in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await create(admin, RESOURCES.securityPolicies, {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'bench' },
      spec: { namespaceSelector: { matchLabels: { bench: 'true' } } },
    });

    gc();
    const before = process.memoryUsage();
    const metrics = createMetrics({ defaultMetrics: false });
    const latencies: number[] = [];
    let collecting = false;
    // `bulwark run` with its defaults (queue, write limits, report size), as deployed: a copy
    // of them here fell behind once, and its backlog was measured instead of the controller.
    const controller = new Controller({
      ...resolveRunOptions({}, {}),
      client: new KubeClient(loadKubeConfig(cluster.kubeconfigPath)),
      metrics,
      log: createLogger('error'),
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      leaderElect: false,
      leaseNamespace: 'default',
      leaseName: 'bench',
      identity: 'bench',
      resyncSeconds: 3600,
      onEventToReport: (seconds) => {
        if (collecting) latencies.push(seconds);
      },
    });
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    await controller.start();
    const synced = (Date.now() - t0) / 1000;
    const writes = async (): Promise<number> =>
      (
        (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'bulwark_report_writes_total')
          ?.values ?? []
      ).reduce((s, v) => s + v.value, 0);
    // Converged: one report per namespace, and no write for 3 s.
    let last = -1;
    let quietSince = Date.now();
    for (;;) {
      const reports = (await admin.list(RESOURCES.securityReports, { limit: 500 })).items.length;
      const w = await writes();
      if (w !== last) {
        last = w;
        quietSince = Date.now();
      } else if (reports >= NAMESPACES && Date.now() - quietSince > 3000) break;
      await sleep(250);
    }
    const converged = (Date.now() - t0 - 3000) / 1000;
    const cpu = process.cpuUsage(cpu0);
    gc();
    const after = process.memoryUsage();
    const watched = controller.inventory.size;

    const pods = podsMade;
    const results: string[] = [];
    const flips = new Map<string, boolean>();
    let tick = 0;
    for (const mode of MODES) {
      log(`measuring ${RATE} changes/s for ${SECONDS} s (${mode})`);
      latencies.length = 0;
      collecting = true;
      const writesBefore = await writes();
      const changeStart = Date.now();
      for (let i = 0; i < RATE * SECONDS; i++) {
        const pod = pods[(i * 7919) % pods.length] as KubeObject;
        const name = pod.metadata?.name ?? '';
        const namespace = pod.metadata?.namespace ?? '';
        let patch: unknown;
        if (mode === 'flip') {
          const latest = !(flips.get(`${namespace}/${name}`) ?? false);
          flips.set(`${namespace}/${name}`, latest);
          patch = {
            spec: {
              containers: [
                {
                  name: 'app',
                  image: latest ? 'registry.example.com/app:latest' : 'registry.example.com/app:1.0',
                },
              ],
            },
          };
        } else patch = { metadata: { annotations: { 'bench/tick': String(tick++) } } };
        void admin
          .patch(RESOURCES.pods, name, patch, 'strategic', { namespace })
          .catch((error: unknown) => log(`patch failed: ${String(error)}`));
        await sleep(Math.max(0, changeStart + ((i + 1) * 1000) / RATE - Date.now()));
      }
      await sleep(5000);
      collecting = false;
      const modeWrites = (await writes()) - writesBefore;
      results.push(
        `  event→report (${mode.padEnd(5)})       p50 ${(quantile(latencies, 0.5) * 1000).toFixed(0)} ms, p99 ${(quantile(latencies, 0.99) * 1000).toFixed(0)} ms over ${latencies.length} reconciles; ${modeWrites} writes for ${RATE * SECONDS} changes`,
      );
    }
    await sleep(10_000);
    const restWrites = await writes();
    await sleep(20_000);
    const atRest = (await writes()) - restWrites;
    await controller.stop();

    const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
    console.log(
      `\nController benchmark (${cpus().length} cores, ${cpus()[0]?.model ?? ''}; load ${loadavg()[0]?.toFixed(1)})`,
    );
    console.log(
      `  watched objects            ${watched} (${NAMESPACES} namespaces × ${PODS} pods + RBAC, NetworkPolicies, bootstrap roles)`,
    );
    console.log(`  caches synced              ${synced.toFixed(1)} s`);
    console.log(
      `  converged (all reports)    ${converged.toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
    );
    console.log(
      `  heap growth                ${mb(after.heapUsed - before.heapUsed)} (${((after.heapUsed - before.heapUsed) / watched / 1024).toFixed(1)} KB per watched object)`,
    );
    console.log(
      `  RSS                        ${mb(after.rss)} (this process, including the benchmark itself)`,
    );
    for (const line of results) console.log(line);
    console.log(`  report writes at rest      ${atRest} in 20 s`);
  } finally {
    await cluster.stop();
  }
}

await main();
