import assert from 'node:assert/strict';
import { createCheckContext } from '../../../src/engine/context.js';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import {
  buildNetworkIndex,
  containerPortsOf,
  findWorkload,
  hasWorkloads,
  networkIndexOf,
} from '../../../src/engine/network/network-index.js';
import { deploymentObject, namespaceObject, podObject, policyObject } from './objects.js';

function index(objects: readonly KubeObject[]): ReturnType<typeof buildNetworkIndex> {
  return buildNetworkIndex(new Inventory(objects));
}

describe('network index', () => {
  it('groups a Deployment and its pods into one workload, keeping each pod selection', () => {
    const pod = podObject('shop', 'web-5d8f9c7b6-abcde', { app: 'web', 'pod-template-hash': '5d8f9c7b6' });
    (pod.metadata as { ownerReferences?: unknown }).ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f9c7b6', controller: true, uid: 'u1' },
    ];
    const idx = index([
      deploymentObject('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]),
      pod,
      policyObject('shop', 'web', { podSelector: { matchLabels: { app: 'web' } } }),
    ]);
    const workloads = idx.workloads('shop') ?? [];
    assert.deepEqual(
      workloads.map((w) => w.key),
      ['Deployment/shop/web'],
    );
    const web = workloads[0];
    assert.ok(web !== undefined);
    assert.deepEqual(web.labels, { app: 'web' });
    assert.deepEqual(web.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      web.members.map((m) => [m.ref.kind, m.ref.name, m.isPod, m.selectedBy.ingress.map((p) => p.name)]),
      [
        ['Deployment', 'web', false, ['web']],
        ['Pod', 'web-5d8f9c7b6-abcde', true, ['web']],
      ],
    );
  });

  it('leaves bare PodTemplates out: they run nothing', () => {
    const template: KubeObject = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 't', namespace: 'shop' },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } },
    };
    assert.equal(hasWorkloads(index([template]), 'shop'), false);
  });

  it('puts namespace-less workloads and policies into default', () => {
    const pod = podObject('x', 'p');
    delete (pod.metadata as { namespace?: string }).namespace;
    const idx = index([pod, policyObject(undefined, 'deny', {})]);
    assert.equal(idx.workloads('default')?.[0]?.members[0]?.selectedBy.ingress.length, 1);
    assert.ok(idx.namespaces.has('default'));
  });

  it('gives every namespace the automatic name label, over what the object says', () => {
    const idx = index([
      namespaceObject('shop', { team: 'a', 'kubernetes.io/metadata.name': 'spoofed' }),
      podObject('ops', 'p'),
    ]);
    assert.deepEqual(idx.namespaces.get('shop')?.labels, {
      team: 'a',
      'kubernetes.io/metadata.name': 'shop',
    });
    assert.deepEqual(idx.namespaces.get('ops')?.labels, { 'kubernetes.io/metadata.name': 'ops' });
    assert.deepEqual(idx.namespaces.get('ops')?.ref, { apiVersion: 'v1', kind: 'Namespace', name: 'ops' });
  });

  it('keeps invalid policies with their diagnostics, and selects nothing with them', () => {
    const idx = index([podObject('shop', 'p'), policyObject('shop', 'bad', { ingress: [{ from: [{}] }] })]);
    assert.equal(idx.policies('shop')?.[0]?.diagnostics.length, 1);
    assert.equal(idx.workloads('shop')?.[0]?.members[0]?.selectedBy.ingress.length, 0);
  });

  it('reads container ports of regular and init containers, defaulting the protocol', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: {
        initContainers: [{ name: 'proxy', ports: [{ name: 'proxy', containerPort: 15001 }] }],
        containers: [
          {
            name: 'app',
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { containerPort: 0 },
              'junk',
              { containerPort: 80, protocol: 'ICMP' },
            ],
          },
          'junk',
        ],
      },
    };
    assert.deepEqual(containerPortsOf(pod), [
      { name: 'proxy', port: 15001, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
  });

  it('finds a workload by name, by Kind/name, case-insensitively by kind', () => {
    const idx = index([deploymentObject('shop', 'web'), podObject('shop', 'db')]);
    assert.equal(findWorkload(idx, 'shop', 'web')?.key, 'Deployment/shop/web');
    assert.equal(findWorkload(idx, 'shop', 'deployment/web')?.key, 'Deployment/shop/web');
    assert.equal(findWorkload(idx, 'shop', 'Pod/db')?.key, 'Pod/shop/db');
    assert.equal(findWorkload(idx, 'shop', 'StatefulSet/web'), undefined);
    assert.equal(findWorkload(idx, 'ops', 'web'), undefined);
  });

  it('a bare name two kinds share is ambiguous', () => {
    const idx = index([deploymentObject('shop', 'web'), podObject('shop', 'web')]);
    assert.equal(findWorkload(idx, 'shop', 'web'), undefined);
  });

  it('is built once per inventory revision through the check context', () => {
    const inventory = new Inventory([podObject('shop', 'p')]);
    const ctx = createCheckContext({ inventory });
    const first = networkIndexOf(ctx);
    assert.equal(networkIndexOf(ctx), first);
    inventory.upsert(podObject('shop', 'q'));
    const second = networkIndexOf(ctx);
    assert.notEqual(second, first);
    assert.equal(second.workloads('shop').length, 2);
  });

  it('keeps its namespace table across pod changes, and rebuilds it when a Namespace changes', () => {
    const inventory = new Inventory([namespaceObject('shop', { team: 'a' }), podObject('shop', 'p')]);
    const ctx = createCheckContext({ inventory });
    const table = networkIndexOf(ctx).namespaces;
    inventory.upsert(podObject('shop', 'q'));
    assert.equal(networkIndexOf(ctx).namespaces, table, 'a pod in a known namespace');

    inventory.upsert(podObject('ops', 'r'));
    const grown = networkIndexOf(ctx).namespaces;
    assert.deepEqual([...grown.keys()], ['ops', 'shop'], 'a pod in a new namespace');

    inventory.upsert(namespaceObject('shop', { team: 'b' }));
    assert.equal(networkIndexOf(ctx).namespaces.get('shop')?.labels['team'], 'b', 'relabelled');
  });
});
