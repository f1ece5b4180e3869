import assert from 'node:assert/strict';
import { PolicyRegistry } from '../../src/controller/policy-registry.js';
import type {
  ClusterReportBody,
  LiveReports,
  PolicyStatus,
  ReportApi,
} from '../../src/controller/reconciler.js';
import { Reconciler, ROLLUP_KEY } from '../../src/controller/reconciler.js';
import { findingsOf } from '../../src/controller/report-content.js';
import type { ReportBody, ReportFinding } from '../../src/controller/report-content.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import type { Finding } from '../../src/engine/types.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { fakeChecks } from '../engine/fake-checks.js';

/** Stands in for the API server's report storage, the way the watch cache would see it. */
class FakeApi implements ReportApi, LiveReports {
  readonly reports = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  readonly events: string[] = [];
  readonly statuses: PolicyStatus[] = [];

  private key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ''}/${name}`;
  }
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.reports.get(this.key(kind, namespace, name));
  }
  async applyReport(
    policy: { name: string },
    namespace: string | undefined,
    body: ReportBody | ClusterReportBody,
  ): Promise<void> {
    const kind = namespace === undefined ? 'ClusterSecurityReport' : 'SecurityReport';
    this.writes.push(`apply ${kind}/${namespace ?? ''}/${policy.name}`);
    this.reports.set(
      this.key(kind, namespace, policy.name),
      JSON.parse(JSON.stringify({ kind, metadata: { name: policy.name, namespace }, ...body })) as KubeObject,
    );
  }
  async deleteReport(policy: string, namespace: string | undefined): Promise<void> {
    this.writes.push(`delete SecurityReport/${namespace ?? ''}/${policy}`);
    this.reports.delete(this.key('SecurityReport', namespace, policy));
  }
  async applyPolicyStatus(_policy: unknown, status: PolicyStatus): Promise<void> {
    this.statuses.push(status);
  }
  readonly changedByLookups: string[] = [];
  async changedBy(finding: Finding): Promise<{ manager: string; time: string }> {
    this.changedByLookups.push(`${finding.resource.kind}/${finding.resource.name}`);
    return { manager: 'kubectl-client-side-apply', time: '2026-11-24T09:00:00Z' };
  }
  async recordCriticalFinding(policy: string, finding: Finding): Promise<void> {
    this.events.push(`${policy} ${finding.checkId} ${finding.resource.name}`);
  }
  async recordInvalidPolicy(policy: { name: string }, message: string): Promise<void> {
    this.events.push(`invalid ${policy.name}: ${message}`);
  }
}

/** The findings of the shop namespace's report as the fake API holds it. */
function reportFindings(api: FakeApi): ReportFinding[] {
  return findingsOf(api.get('SecurityReport', 'shop', 'prod') as unknown as ReportBody);
}

function pod(name: string, container: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop' },
    spec: { containers: [{ name: container, image: 'x' }] },
  };
}

function setup(options: { summaryRollups?: { count: number } } = {}): {
  api: FakeApi;
  inventory: Inventory;
  policies: PolicyRegistry;
  reconciler: Reconciler;
  queue: string[];
  now: { t: Date };
} {
  const api = new FakeApi();
  const inventory = new Inventory([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { env: 'prod' } } },
    pod('a', 'bad'),
  ]);
  const policies = new PolicyRegistry(fakeChecks);
  policies.update({
    apiVersion: 'bulwark.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: 'prod', generation: 1, uid: 'u1' },
    spec: { profiles: ['workloads'], namespaceSelector: { matchLabels: { env: 'prod' } } },
  });
  const queue: string[] = [];
  const now = { t: new Date('2026-11-24T10:00:00Z') };
  const reconciler = new Reconciler({
    inventory,
    policies,
    liveReports: api,
    api,
    metrics: createMetrics({ defaultMetrics: false }),
    clock: () => now.t,
    enqueue: (key) => queue.push(key),
    ...(options.summaryRollups !== undefined
      ? { enqueueSummaryRollup: (): void => void options.summaryRollups!.count++ }
      : {}),
  });
  return { api, inventory, policies, reconciler, queue, now };
}

describe('Reconciler', () => {
  it('writes a namespace report once, and nothing while the cluster is at rest', async () => {
    const { api, reconciler, now } = setup();
    await reconciler.reconcile('ns/shop');
    assert.deepEqual(api.writes, ['apply SecurityReport/shop/prod']);
    const report = api.get('SecurityReport', 'shop', 'prod');
    assert.deepEqual(report?.['summary'], { critical: 0, high: 1, medium: 0, low: 0, waived: 0, total: 1 });
    now.t = new Date('2026-11-24T11:00:00Z');
    await reconciler.reconcile('ns/shop');
    await reconciler.reconcile('ns/shop');
    assert.deepEqual(api.writes, ['apply SecurityReport/shop/prod']);
  });

  it('asks for a summary roll-up when a namespace summary changes, and a roll-up when cluster findings do', async () => {
    const summaryRollups = { count: 0 };
    const { inventory, reconciler, queue } = setup({ summaryRollups });
    await reconciler.reconcile('ns/shop');
    assert.equal(summaryRollups.count, 1);
    assert.ok(!queue.includes(ROLLUP_KEY));
    await reconciler.reconcile('ns/shop');
    assert.equal(summaryRollups.count, 1, 'nothing changed: no roll-up');
    inventory.upsert(pod('a', 'good'));
    await reconciler.reconcile('ns/shop');
    assert.equal(summaryRollups.count, 2);
    assert.ok(!queue.includes(ROLLUP_KEY));
    await reconciler.reconcile('cluster');
    assert.ok(queue.includes(ROLLUP_KEY));
    queue.length = 0;
    await reconciler.reconcile('cluster');
    assert.deepEqual(queue, [], 'cluster-scoped findings unchanged: nothing new for the roll-up');
  });

  it('restores a report deleted or edited by hand', async () => {
    const { api, reconciler } = setup();
    await reconciler.reconcile('ns/shop');
    api.reports.delete('SecurityReport/shop/prod');
    await reconciler.reconcile('ns/shop');
    const edited = api.get('SecurityReport', 'shop', 'prod') as KubeObject;
    edited['resources'] = [];
    await reconciler.reconcile('ns/shop');
    assert.deepEqual(api.writes, [
      'apply SecurityReport/shop/prod',
      'apply SecurityReport/shop/prod',
      'apply SecurityReport/shop/prod',
    ]);
    assert.equal(reportFindings(api).length, 1);
  });

  it('at rest, restores a hand edit that arrives as a new object, as the watch delivers it', async () => {
    const { api, reconciler } = setup();
    await reconciler.reconcile('ns/shop');
    await reconciler.reconcile('ns/shop');
    const live = api.get('SecurityReport', 'shop', 'prod') as KubeObject;
    api.reports.set('SecurityReport/shop/prod', { ...live, score: 100 });
    await reconciler.reconcile('ns/shop');
    assert.deepEqual(api.writes, ['apply SecurityReport/shop/prod', 'apply SecurityReport/shop/prod']);
    assert.notEqual(api.get('SecurityReport', 'shop', 'prod')?.['score'], 100);
  });

  it('looks up who changed a resource once per reconcile, however many of its checks fail', async () => {
    const { api, policies, reconciler } = setup();
    policies.update({
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'prod', generation: 2, uid: 'u1' },
      spec: {
        profiles: ['workloads'],
        namespaceSelector: { matchLabels: { env: 'prod' } },
        rules: [
          {
            id: 'acme.team-label',
            kinds: ['Pod'],
            expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
            message: 'every pod carries a team label',
            severity: 'low',
          },
        ],
      },
    });
    await reconciler.reconcile('ns/shop');
    const findings = reportFindings(api);
    const podFindings = findings.filter((f) => f.resource.name === 'a');
    assert.ok(podFindings.length >= 2, `two checks fail on pod a: ${JSON.stringify(findings)}`);
    assert.ok(podFindings.every((f) => f.changedBy !== undefined));
    assert.deepEqual(
      api.changedByLookups.filter((r) => r.endsWith('/a')),
      ['Pod/a'],
    );
  });

  it('keeps firstSeen, counts new and resolved findings, and records who changed the resource', async () => {
    const { api, inventory, reconciler, now } = setup();
    reconciler.markWarm();
    await reconciler.reconcile('ns/shop');
    const first = reportFindings(api)[0];
    assert.deepEqual(first?.changedBy, {
      manager: 'kubectl-client-side-apply',
      time: '2026-11-24T09:00:00Z',
    });
    now.t = new Date('2026-11-24T12:00:00Z');
    inventory.upsert(pod('b', 'bad'));
    await reconciler.reconcile('ns/shop');
    const findings = reportFindings(api);
    assert.deepEqual(
      findings.map((f) => [f.resource.name, f.firstSeen]),
      [
        ['a', '2026-11-24T10:00:00.000Z'],
        ['b', '2026-11-24T12:00:00.000Z'],
      ],
    );
    inventory.delete('Pod', 'shop', 'a');
    await reconciler.reconcile('ns/shop');
    const metrics = (reconciler as unknown as { options: { metrics: ReturnType<typeof createMetrics> } })
      .options.metrics;
    const text = await metrics.registry.metrics();
    assert.match(
      text,
      /bulwark_findings_new_total\{policy="prod",severity="high",check="test.bad-container"\} 2/,
    );
    assert.match(
      text,
      /bulwark_findings_resolved_total\{policy="prod",severity="high",check="test.bad-container"\} 1/,
    );
    assert.match(
      text,
      /bulwark_findings\{policy="prod",namespace="shop",severity="high",check="test.bad-container"\} 1/,
    );
  });

  it('deletes the report of a namespace that leaves the selector', async () => {
    const { api, inventory, reconciler } = setup();
    await reconciler.reconcile('ns/shop');
    inventory.upsert({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { env: 'dev' } },
    });
    await reconciler.reconcile('ns/shop');
    assert.deepEqual(api.writes, ['apply SecurityReport/shop/prod', 'delete SecurityReport/shop/prod']);
  });

  it('keeps reporting with the last valid generation of a policy that becomes invalid, and says so', async () => {
    const { api, policies, reconciler, queue } = setup();
    policies.update({
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'prod', generation: 2, uid: 'u1' },
      spec: { profiles: ['workloadz'] },
    });
    await reconciler.reconcile('policy/prod');
    assert.deepEqual(api.events, [
      'invalid prod: spec.profiles[0]: unknown profile "workloadz" (did you mean "workloads"?); known: pss-baseline, pss-restricted, workloads, rbac, service-accounts, namespaces, network, control-plane',
    ]);
    assert.ok(queue.includes('ns/shop') && queue.includes(ROLLUP_KEY));
    await reconciler.reconcile('ns/shop');
    await reconciler.reconcile(ROLLUP_KEY);
    assert.equal(api.get('SecurityReport', 'shop', 'prod')?.['summary'] !== undefined, true);
    const status = api.statuses.at(-1);
    assert.equal(status?.observedGeneration, 2);
    assert.deepEqual(
      status?.conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['Valid', 'False', 'InvalidSpec'],
        ['Ready', 'True', 'EvaluatedWithPreviousGeneration'],
      ],
    );
    assert.match(status?.conditions[0]?.message ?? '', /still reporting with generation 1/);
  });

  it('rolls namespaces up into the ClusterSecurityReport and the policy status, writing status only on change', async () => {
    const { api, reconciler } = setup();
    await reconciler.reconcile('cluster');
    await reconciler.reconcile('ns/shop');
    await reconciler.reconcile(ROLLUP_KEY);
    const cluster = api.get('ClusterSecurityReport', undefined, 'prod');
    assert.deepEqual(cluster?.['namespaces'], [
      { name: 'shop', score: 0, critical: 0, high: 1, medium: 0, low: 0 },
    ]);
    assert.deepEqual(cluster?.['summary'], { critical: 0, high: 1, medium: 0, low: 0, waived: 0, total: 1 });
    assert.equal(api.statuses.length, 1);
    assert.deepEqual(api.statuses[0]?.summary, {
      critical: 0,
      high: 1,
      medium: 0,
      low: 0,
      waived: 0,
      namespaces: 1,
    });
  });
});
