// The controller end to end, against the real control plane, authenticated as its own
// ServiceAccount (a TokenRequest token) under the ClusterRole from deploy/ — never as
// cluster admin. Issue 4's acceptance tests: reports appear with the right findings and
// printer columns, fixes and breaks converge within 2 s with drift recorded, exceptions
// apply and expire, an invalid policy is flagged while others keep working, a cluster at
// rest causes zero writes, a deleted report is restored, leadership fails over, and the
// reports survive API-server and etcd restarts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';

import { allChecks } from '../src/checks/index.js';
import { Controller } from '../src/controller/controller.js';
import { KubeClient, loadKubeConfig } from '../src/controller/kube-client.js';
import { evaluate } from '../src/engine/evaluate.js';
import { Inventory } from '../src/engine/inventory.js';
import type { KubeObject } from '../src/engine/objects.js';
import { compilePolicy } from '../src/engine/policy.js';
import { writeKubeconfig } from '../src/localcluster/index.js';
import { createLogger } from '../src/logging/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { Metrics } from '../src/metrics/metrics.js';
import { getTestCluster } from './harness/cluster.js';
import type { TestCluster } from './harness/cluster.js';
import { deployDir, installCrds } from './harness/crds.js';

const id = randomBytes(3).toString('hex');
const policyName = `e2e-${id}`;
const badPolicyName = `e2e-bad-${id}`;
const selectorLabel = `bulwark.dev/e2e-controller`;
const REST_SECONDS = Number(process.env['BULWARK_E2E_REST_SECONDS'] ?? 60);

// The report as kubectl shows it, read here on its own terms rather than through the
// controller's types: findings are listed under their resource.
interface ListedFinding {
  checkId: string;
  count: number;
  firstSeen: string;
  lastChanged: string;
  changedBy?: { manager: string; time?: string };
  waiver?: { reason: string; expired: boolean };
}
interface ReportResource {
  kind: string;
  name: string;
  namespace?: string;
  /** Said once for the findings that do not say their own. */
  changedBy?: { manager: string; time?: string };
  findings: ListedFinding[];
}
interface ReportFinding extends ListedFinding {
  resource: Omit<ReportResource, 'findings' | 'changedBy'>;
}
interface Report extends KubeObject {
  summary: { critical: number; high: number; medium: number; low: number; waived: number; total: number };
  resources: ReportResource[];
}

/** Each finding of a report with the resource it is listed under and who changed it. */
function findings(report: Report | undefined): ReportFinding[] {
  return (report?.resources ?? []).flatMap(({ findings: listed, changedBy, ...resource }) =>
    listed.map((f) => {
      const who = f.changedBy ?? changedBy;
      return { ...f, resource, ...(who !== undefined ? { changedBy: who } : {}) };
    }),
  );
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

function has(
  report: Report | undefined,
  checkId: string,
  name: string,
  predicate: (f: ReportFinding) => boolean = () => true,
): boolean {
  return findings(report).some((f) => f.checkId === checkId && f.resource.name === name && predicate(f));
}

class Operator {
  readonly metrics: Metrics = createMetrics({ defaultMetrics: false });
  readonly controller: Controller;
  constructor(kubeconfig: string, identity: string) {
    this.controller = new Controller({
      client: new KubeClient(loadKubeConfig(kubeconfig), {
        onApiError: (verb, code) => this.metrics.apiErrors.inc({ verb, code }),
      }),
      metrics: this.metrics,
      log: createLogger((process.env['BULWARK_E2E_LOG'] as 'debug' | undefined) ?? 'error'),
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      leaderElect: true,
      leaseNamespace: 'bulwark-system',
      leaseName: 'bulwark-leader',
      identity,
      resyncSeconds: 600,
      debounceMs: 100,
      writeQps: 50,
      writeBurst: 100,
      workers: 2,
      maxReportBytes: 256 * 1024,
      // Shorter than client-go's 15/10/2 s so fail-over fits a test, long enough that a
      // loaded 2-core machine does not lose the lease by accident.
      leaseDurationMs: 6000,
      renewDeadlineMs: 4000,
      retryPeriodMs: 1000,
    });
  }
  async scrape(): Promise<string> {
    const address = this.controller.metricsAddress;
    assert.ok(address);
    const res = await fetch(`http://${address.host}:${address.port}/metrics`);
    return res.text();
  }
  async writes(): Promise<number> {
    const metric = (await this.metrics.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'bulwark_report_writes_total',
    );
    return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  }
}

describe('controller against the local control plane', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let tmp: string;
  let operatorConfig: string;
  let ns: string;
  let first: Operator;
  let second: Operator | undefined;

  const kubectl = (args: string[], input?: string): Promise<string> =>
    cluster.kubectl(args, input === undefined ? {} : { input }).then((r) => r.stdout);
  // Read through the API directly: a kubectl process per poll would add its own start-up
  // time to every latency measured here.
  const report = async (namespace = ns, name = policyName): Promise<Report | undefined> => {
    try {
      const api = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
      const group = 'bulwark.dev';
      return (await api.getNamespacedCustomObject({
        group,
        version: 'v1alpha1',
        namespace,
        plural: 'securityreports',
        name,
      })) as Report;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  };
  /** A bare pod created with kubectl, whose field manager the drift test reads back. */
  const createPod = (name: string, image: string): Promise<string> =>
    kubectl(
      ['create', '-n', ns, '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image }] },
      }),
    );
  /** The resourceVersion of every report and policy of the test's policy: what any write changes. */
  const versions = async (): Promise<string> => {
    const list = JSON.parse(
      await kubectl(['get', 'securityreports,clustersecurityreports,securitypolicies', '-A', '-o', 'json']),
    ) as { items: KubeObject[] };
    return list.items
      .filter((o) => o.metadata?.name === policyName)
      .map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}=${o.metadata?.resourceVersion}`)
      .sort()
      .join(' ');
  };
  const clusterReport = async (): Promise<Report | undefined> => {
    const r = await cluster.kubectl(['get', 'clustersecurityreport', policyName, '-o', 'json'], {
      check: false,
    });
    return r.code === 0 ? (JSON.parse(r.stdout) as Report) : undefined;
  };
  const policy = (exceptions: unknown[] = []): KubeObject => ({
    apiVersion: 'bulwark.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: policyName },
    spec: {
      profiles: ['workloads', 'namespaces', 'network', 'service-accounts', 'rbac', 'pss-restricted'],
      namespaceSelector: { matchLabels: { [selectorLabel]: id } },
      exceptions,
    },
  });

  before(async function () {
    cluster = getTestCluster();
    tmp = await mkdtemp(join(tmpdir(), 'bulwark-e2e-controller-'));
    await installCrds(cluster);
    await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=bulwark-e2e',
      '-k',
      deployDir,
    ]);
    await waitFor('the bulwark ServiceAccount', async () =>
      (await cluster.kubectl(['get', 'sa', 'bulwark', '-n', 'bulwark-system'], { check: false })).code === 0
        ? true
        : undefined,
    );
    const token = (
      await kubectl(['create', 'token', 'bulwark', '-n', 'bulwark-system', '--duration=2h'])
    ).trim();
    const admin = cluster.kubeConfig().getCurrentCluster();
    assert.ok(admin);
    const caPath = join(tmp, 'ca.crt');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(caPath, Buffer.from(admin.caData ?? '', 'base64'));
    operatorConfig = await writeKubeconfig(join(tmp, 'operator.kubeconfig'), {
      server: admin.server,
      caPath,
      userName: 'system:serviceaccount:bulwark-system:bulwark',
      credentials: { kind: 'token', token },
    });
    // The test's own namespace: no Pod Security labels, no NetworkPolicy.
    ns = `e2e-ctl-${id}`;
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['label', 'namespace', ns, `${selectorLabel}=${id}`, 'bulwark.dev/e2e=true']);
    await waitFor('the default ServiceAccount', async () =>
      (await cluster.kubectl(['get', 'sa', 'default', '-n', ns], { check: false })).code === 0
        ? true
        : undefined,
    );
    await kubectl(
      ['apply', '-n', ns, '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [{ name: 'web', image: 'nginx:latest', securityContext: { privileged: true } }],
            },
          },
        },
      }),
    );
    await kubectl(['apply', '-f', '-'], JSON.stringify(policy()));
    first = new Operator(operatorConfig, `first-${id}`);
    await first.controller.start();
  });

  after(async function () {
    await first?.controller.stop();
    await second?.controller.stop();
    if (cluster !== undefined) {
      await cluster.kubectl(
        ['delete', 'securitypolicy', policyName, badPolicyName, '--ignore-not-found', '--wait=false'],
        { check: false },
      );
      await cluster.kubectl(['delete', 'namespace', ns, '--wait=false'], { check: false });
    }
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  it('reports insecure workloads grouped by owner, visible through printer columns and metrics', async () => {
    const r = await waitFor('the namespace report', async () => {
      const r = await report();
      return has(r, 'workload.image-tag', 'web', (f) => f.resource.kind === 'Deployment' && f.count === 2) &&
        has(r, 'ns.psa-enforce', ns)
        ? r
        : undefined;
    });
    assert.ok(r.summary.total > 0);
    const table = await kubectl(['get', 'securityreports', '-A']);
    assert.match(
      table.split('\n')[0] ?? '',
      /NAMESPACE\s+NAME\s+POLICY\s+SCORE\s+CRITICAL\s+HIGH\s+MEDIUM\s+LOW\s+AGE/,
    );
    assert.match(
      table,
      new RegExp(
        `${ns}\\s+${policyName}\\s+${policyName}\\s+\\d+\\s+${r.summary.critical}\\s+${r.summary.high}\\s+${r.summary.medium}\\s+${r.summary.low}`,
      ),
    );
    const metrics = await first.scrape();
    assert.match(
      metrics,
      new RegExp(
        `bulwark_findings\\{policy="${policyName}",namespace="${ns}",severity="[a-z]+",check="workload.image-tag"\\} 1`,
      ),
    );
    assert.match(
      metrics,
      new RegExp(`bulwark_compliance_score\\{policy="${policyName}",namespace="${ns}"\\} \\d+`),
    );
    assert.match(metrics, /bulwark_leader 1/);
  });

  it('resolves a fixed finding within 2 s, and records a new one with firstSeen and its field manager', async () => {
    await waitFor('ns.psa-enforce', async () =>
      has(await report(), 'ns.psa-enforce', ns) ? true : undefined,
    );
    const fixedAt = Date.now();
    await kubectl([
      'label',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=baseline',
      'pod-security.kubernetes.io/warn=restricted',
      'pod-security.kubernetes.io/audit=restricted',
    ]);
    await waitFor(
      'the fix',
      async () => (has(await report(), 'ns.psa-enforce', ns) ? undefined : true),
      10_000,
    );
    const resolvedIn = Date.now() - fixedAt;
    assert.ok(
      resolvedIn < 2000 + 500,
      `resolved after ${resolvedIn} ms (kubectl polling adds up to ~300 ms)`,
    );
    assert.match(
      await first.scrape(),
      new RegExp(
        `bulwark_findings_resolved_total\\{policy="${policyName}",severity="[a-z]+",check="ns.psa-enforce"\\} [1-9]`,
      ),
    );

    const before = Date.now();
    await createPod('tagless', 'busybox');
    const r = await waitFor('the new finding', async () => {
      const r = await report();
      return has(r, 'workload.image-tag', 'tagless') ? r : undefined;
    });
    const finding = findings(r).find(
      (f) => f.checkId === 'workload.image-tag' && f.resource.name === 'tagless',
    );
    assert.ok(finding);
    assert.ok(Date.parse(finding.firstSeen) >= before - 1000, `firstSeen ${finding.firstSeen}`);
    assert.equal(finding.changedBy?.manager, 'kubectl-create');
    assert.match(
      await first.scrape(),
      new RegExp(
        `bulwark_findings_new_total\\{policy="${policyName}",severity="[a-z]+",check="workload.image-tag"\\} [1-9]`,
      ),
    );
    // The watched-object gauge follows adds and deletes: it counts the new pod.
    await waitFor('bulwark_watched_objects to count every pod', async () => {
      const pods = JSON.parse(await kubectl(['get', 'pods', '-A', '-o', 'json'])) as { items: unknown[] };
      const gauge = /^bulwark_watched_objects\{kind="Pod"\} (\d+)$/m.exec(await first.scrape())?.[1];
      return Number(gauge) === pods.items.length ? true : undefined;
    });
  });

  it('applies an exception, and stops applying it once it expires', async () => {
    const expires = new Date(Date.now() + 8000).toISOString().replace(/\.\d+Z$/, 'Z');
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        policy([
          {
            checks: ['workload.image-tag'],
            match: { kinds: ['Pod'], names: ['tagless'] },
            reason: 'e2e: accepted for a moment',
            owner: 'e2e',
            expires,
          },
        ]),
      ),
    );
    const waived = await waitFor('the waiver', async () => {
      const f = findings(await report()).find(
        (x) => x.checkId === 'workload.image-tag' && x.resource.name === 'tagless',
      );
      return f?.waiver?.expired === false ? f : undefined;
    });
    assert.equal(waived.waiver?.reason, 'e2e: accepted for a moment');
    assert.ok(((await report())?.summary.waived ?? 0) >= 1);
    await waitFor(
      'the expiry',
      async () => {
        const f = findings(await report()).find(
          (x) => x.checkId === 'workload.image-tag' && x.resource.name === 'tagless',
        );
        return f?.waiver?.expired === true ? f : undefined;
      },
      20_000,
    );
  });

  it('flags an invalid policy with Valid=False and an Event, while the other policy keeps working', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'bulwark.dev/v1alpha1',
        kind: 'SecurityPolicy',
        metadata: { name: badPolicyName },
        spec: { profiles: ['workloads'], checks: [{ id: 'workload.no-such-check' }] },
      }),
    );
    const status = await waitFor('Valid=False', async () => {
      const p = JSON.parse(await kubectl(['get', 'securitypolicy', badPolicyName, '-o', 'json'])) as {
        status?: { conditions?: { type: string; status: string; message: string }[] };
      };
      const valid = p.status?.conditions?.find((c) => c.type === 'Valid');
      return valid?.status === 'False' ? valid : undefined;
    });
    assert.match(status.message, /spec\.checks\[0\]\.id: unknown check ID "workload.no-such-check"/);
    await waitFor('the InvalidPolicy event', async () => {
      const events = await kubectl([
        'get',
        'events',
        '-n',
        'default',
        '--field-selector',
        'reason=InvalidPolicy',
        '-o',
        'json',
      ]);
      return (
        JSON.parse(events) as {
          items: { regarding?: { name?: string }; involvedObject?: { name?: string } }[];
        }
      ).items.some((e) => (e.regarding?.name ?? e.involvedObject?.name) === badPolicyName)
        ? true
        : undefined;
    });
    await createPod('latest', 'busybox:latest');
    await waitFor('the good policy to keep reporting', async () =>
      has(await report(), 'workload.image-tag', 'latest') ? true : undefined,
    );
    await kubectl(['delete', 'securitypolicy', badPolicyName]);
  });

  it('restores a report deleted by hand', async () => {
    await kubectl(['delete', 'securityreport', policyName, '-n', ns]);
    await waitFor('the restored report', async () =>
      has(await report(), 'workload.image-tag', 'tagless') ? true : undefined,
    );
  });

  it("evaluates nothing again for a pod's status report (the kubelet's churn), and its namespace for a label", async () => {
    /** Evaluations of one scope so far, from the evaluation-duration histogram's count. */
    const evaluations = async (scope: string): Promise<number> => {
      const histogram = (await first.metrics.registry.getMetricsAsJSON()).find(
        (m) => m.name === 'bulwark_evaluation_duration_seconds',
      );
      return (histogram?.values ?? [])
        .filter(
          (v) =>
            (v as { metricName?: string }).metricName === 'bulwark_evaluation_duration_seconds_count' &&
            v.labels['scope'] === scope,
        )
        .reduce((sum, v) => sum + v.value, 0);
    };
    /** Namespace evaluations in the 2 s after `change`, in a window without a periodic full pass. */
    const evaluationsAfter = async (change: () => Promise<unknown>): Promise<number> => {
      for (;;) {
        const [before, passes] = [await evaluations('namespace'), await evaluations('full')];
        await change();
        await sleep(2000);
        const after = await evaluations('namespace');
        await sleep(1000);
        if ((await evaluations('full')) === passes) return after - before;
      }
    };
    const statusReport = (tick: number): Promise<string> =>
      kubectl([
        'patch',
        'pod',
        'tagless',
        '-n',
        ns,
        '--subresource=status',
        // As the kubelet: its entry in managedFields is not drift, so the trim keeps none of it.
        '--field-manager=kubelet',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            conditions: [
              {
                type: 'bulwark.dev/E2EProbe',
                status: tick % 2 === 0 ? 'True' : 'False',
                lastProbeTime: new Date().toISOString(),
              },
            ],
          },
        }),
      ]);
    assert.equal(
      await evaluationsAfter(() => statusReport(1)),
      0,
      'a status report re-evaluated the namespace',
    );
    assert.equal(
      await evaluationsAfter(() => statusReport(2)),
      0,
      'a status report re-evaluated the namespace',
    );
    // The control: a label is something checks read.
    const labelled = await evaluationsAfter(() =>
      kubectl(['label', 'pod', 'tagless', '-n', ns, '--overwrite', `bulwark.dev/e2e-tick=${Date.now()}`]),
    );
    assert.ok(labelled >= 1, `a label change evaluated ${labelled} namespaces`);
  });

  it(`causes zero report writes while the cluster rests for ${REST_SECONDS} s (counted from the API side)`, async function () {
    this.timeout((REST_SECONDS + 60) * 1000);
    await sleep(3000);
    const before = await versions();
    const writesBefore = await first.writes();
    assert.match(before, /SecurityReport\//);
    await sleep(REST_SECONDS * 1000);
    assert.equal(await versions(), before);
    assert.equal(await first.writes(), writesBefore);
  });

  it('fails over to a standby within the lease time; the standby never writes, and as leader rewrites nothing', async () => {
    second = new Operator(operatorConfig, `second-${id}`);
    await second.controller.start();
    await sleep(1500);
    assert.equal(second.controller.isLeader(), false);
    assert.equal(await second.writes(), 0);
    const stoppedAt = Date.now();
    await first.controller.stop();
    await waitFor(
      'the standby to lead',
      async () => (second?.controller.isLeader() ? true : undefined),
      10_000,
    );
    assert.ok(Date.now() - stoppedAt < 6000, `took over after ${Date.now() - stoppedAt} ms (lease 6 s)`);
    // The new leader re-evaluates everything (it trusts nothing half-done), and writes
    // nothing the old leader already wrote.
    const before = await versions();
    await waitFor('the new leader to finish its first full evaluation', async () => {
      const gauge = (await second?.metrics.registry.getMetricsAsJSON())?.find(
        (m) => m.name === 'bulwark_last_full_evaluation_timestamp_seconds',
      );
      return (gauge?.values[0]?.value ?? 0) > 0 ? true : undefined;
    });
    assert.equal(await versions(), before);
    assert.equal(await second.writes(), 0, 'the new leader rewrote what was already right');
    // One change, one write of its namespace's report (the roll-up of the summaries follows
    // seconds later, as a write of its own).
    await createPod('after-failover', 'busybox');
    await waitFor('the new leader to report', async () =>
      has(await report(), 'workload.image-tag', 'after-failover') ? true : undefined,
    );
    await sleep(500);
    assert.equal(await second.writes(), 1);
  });

  it('converges to a fresh full evaluation after an API-server restart and an etcd restart', async function () {
    if (cluster.local === undefined) {
      console.log(
        '      skipped: restarting the API server and etcd needs the local control plane (KUBECONFIG names an external cluster)',
      );
      this.skip();
    }
    assert.ok(second);
    await cluster.local.restartApiServer({ downtimeMs: 2000 });
    await createPod('after-apiserver', 'busybox');
    await waitFor(
      'a change after the API-server restart',
      async () => (has(await report(), 'workload.image-tag', 'after-apiserver') ? true : undefined),
      60_000,
    );
    await cluster.local.restartEtcd({ downtimeMs: 2000 });
    await kubectl(['delete', 'pod', 'after-failover', '-n', ns, '--grace-period=0', '--force']);
    await waitFor(
      'a change after the etcd restart',
      async () => (has(await report(), 'workload.image-tag', 'after-failover') ? undefined : true),
      60_000,
    );

    // Ground truth: evaluate a dump of the cluster with the same policy from scratch.
    const dump = async (what: string, namespaced: boolean): Promise<KubeObject[]> =>
      (
        JSON.parse(await kubectl(['get', what, ...(namespaced ? ['-A'] : []), '-o', 'json'])) as {
          items: KubeObject[];
        }
      ).items;
    const inventory = new Inventory([
      ...(await dump('namespaces', false)),
      ...(await dump('pods', true)),
      ...(await dump('serviceaccounts', true)),
      ...(await dump('roles', true)),
      ...(await dump('rolebindings', true)),
      ...(await dump('networkpolicies', true)),
      ...(await dump('clusterroles', false)),
      ...(await dump('clusterrolebindings', false)),
    ]);
    const compiled = compilePolicy(
      JSON.parse(await kubectl(['get', 'securitypolicy', policyName, '-o', 'json'])),
      allChecks,
    );
    assert.ok(compiled.policy);
    // Namespace-level findings are about the Namespace object, which has no namespace itself.
    const fresh = evaluate(inventory, compiled.policy, { now: new Date() }).findings.filter(
      (f) => f.resource.namespace === ns || (f.resource.kind === 'Namespace' && f.resource.name === ns),
    );
    const expected = fresh
      .map((f) => `${f.checkId} ${f.resource.kind}/${f.resource.name} x${f.count}`)
      .sort();
    let actual: string[] = [];
    try {
      await waitFor(
        'the report to match a fresh evaluation',
        async () => {
          actual = findings(await report())
            .map((f) => `${f.checkId} ${f.resource.kind}/${f.resource.name} x${f.count}`)
            .sort();
          return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
        },
        30_000,
      );
    } catch (error) {
      assert.deepEqual(actual, expected, String(error));
    }
    assert.ok((await clusterReport()) !== undefined);
  });
});
