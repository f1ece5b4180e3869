import assert from 'node:assert/strict';
import type { KubeClient, ResourceDescriptor } from '../../src/controller/kube-client.js';
import { KubeReportApi } from '../../src/controller/kube-report-api.js';
import type { PolicyState } from '../../src/controller/policy-registry.js';
import { TokenBucket } from '../../src/controller/rate-limiter.js';
import type { ReportBody } from '../../src/controller/report-content.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { createMetrics } from '../../src/metrics/metrics.js';

/** Records the writes a KubeReportApi makes; only what applyReport calls exists. */
function recordingClient(): { client: KubeClient; calls: [string, string, KubeObject][] } {
  const calls: [string, string, KubeObject][] = [];
  const record =
    (verb: string) =>
    (resource: ResourceDescriptor, object: KubeObject): Promise<KubeObject> => {
      calls.push([verb, resource.plural, structuredClone(object)]);
      return Promise.resolve(object);
    };
  return { client: { create: record('create'), replace: record('replace') } as unknown as KubeClient, calls };
}

function reportApi(client: KubeClient): KubeReportApi {
  return new KubeReportApi({
    client,
    inventory: new Inventory(),
    writeLimiter: new TokenBucket({ ratePerSecond: 1000, burst: 1000 }),
    metrics: createMetrics({ defaultMetrics: false }),
    controllerName: 'bulwark',
    instance: 'test',
    clock: () => new Date('2026-11-24T12:00:00Z'),
    log: { warn: () => undefined },
  });
}

const policy = { name: 'baseline', uid: 'policy-uid' } as PolicyState;
const body = { policy: 'baseline', scope: 'shop', score: 90, findings: [] } as unknown as ReportBody;
const ownerReferences = [
  {
    apiVersion: 'bulwark.dev/v1alpha1',
    kind: 'SecurityPolicy',
    name: 'baseline',
    uid: 'policy-uid',
    controller: true,
    blockOwnerDeletion: false,
  },
];

describe('KubeReportApi.applyReport', () => {
  it('creates a report the watch has not seen', async () => {
    const { client, calls } = recordingClient();
    await reportApi(client).applyReport(policy, 'shop', body, undefined);
    assert.deepEqual(calls, [
      [
        'create',
        'securityreports',
        {
          apiVersion: 'bulwark.dev/v1alpha1',
          kind: 'SecurityReport',
          metadata: {
            name: 'baseline',
            namespace: 'shop',
            labels: { 'bulwark.dev/policy': 'baseline', 'app.kubernetes.io/managed-by': 'bulwark' },
            ownerReferences,
          },
          ...body,
        },
      ],
    ]);
  });

  it('replaces a live report at the resourceVersion seen, keeping what others put on its metadata', async () => {
    const { client, calls } = recordingClient();
    const live: KubeObject = {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'ClusterSecurityReport',
      metadata: {
        name: 'baseline',
        resourceVersion: '4711',
        labels: { team: 'platform', 'bulwark.dev/policy': 'edited-by-hand' },
        annotations: { note: 'audit 2026' },
        finalizers: ['example.com/archive'],
      },
    };
    await reportApi(client).applyReport(policy, undefined, body, live);
    assert.equal(calls.length, 1);
    const [verb, plural, object] = calls[0] ?? [];
    assert.equal(verb, 'replace');
    assert.equal(plural, 'clustersecurityreports');
    assert.deepEqual(object?.metadata, {
      name: 'baseline',
      resourceVersion: '4711',
      labels: {
        team: 'platform',
        'bulwark.dev/policy': 'baseline',
        'app.kubernetes.io/managed-by': 'bulwark',
      },
      annotations: { note: 'audit 2026' },
      finalizers: ['example.com/archive'],
      ownerReferences,
    });
    assert.equal(object?.['score'], 90);
  });
});
