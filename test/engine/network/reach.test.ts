import assert from 'node:assert/strict';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { buildNetworkIndex, findWorkload } from '../../../src/engine/network/network-index.js';
import type { DirectionReach, Reach } from '../../../src/engine/network/reach.js';
import {
  describeReachPeer,
  describeReachPort,
  reachOf,
  simplifyPeers,
} from '../../../src/engine/network/reach.js';
import { deploymentObject, namespaceObject, podObject, policyObject } from './objects.js';

const base: readonly KubeObject[] = [
  namespaceObject('shop', { team: 'shop' }),
  namespaceObject('ops', { team: 'ops' }),
  namespaceObject('empty', { team: 'ops' }),
  deploymentObject('shop', 'web', { app: 'web' }, [
    { name: 'http', containerPort: 8080 },
    { name: 'metrics', containerPort: 9100 },
  ]),
  deploymentObject('shop', 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }]),
  deploymentObject('ops', 'prometheus', { app: 'prometheus' }),
];

function reach(policies: readonly KubeObject[], workload = 'web', namespace = 'shop'): Reach {
  const index = buildNetworkIndex(new Inventory([...base, ...policies]));
  const found = findWorkload(index, namespace, workload);
  assert.ok(found !== undefined);
  return reachOf(index, found);
}

/** `port: peer; peer` lines: what `bulwark reach` would print. */
function lines(direction: DirectionReach): string[] {
  return direction.entries.map(
    (e) => `${describeReachPort(e.port)}: ${e.peers.map(describeReachPeer).join('; ')}`,
  );
}

describe('reach', () => {
  it('a workload no policy selects is open both ways', () => {
    const r = reach([]);
    assert.equal(r.ingress.isolated, false);
    assert.deepEqual(lines(r.ingress), ['every port: anyone (every pod and every address)']);
    assert.deepEqual(lines(r.egress), ['every port: anyone (every pod and every address)']);
  });

  it('default deny isolates with no entries', () => {
    const r = reach([policyObject('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]);
    assert.equal(r.ingress.isolated, true);
    assert.deepEqual(r.ingress.entries, []);
    assert.deepEqual(r.egress.entries, []);
    assert.deepEqual(
      r.ingress.policies.map((p) => p.name),
      ['deny'],
    );
  });

  it('resolves peers to namespaces and workloads, per port, and names the rules', () => {
    const r = reach([
      policyObject('shop', 'web', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'http' }] },
          {
            from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }],
            ports: [{ port: 'metrics' }, { port: 8080 }],
          },
          {
            from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }],
            ports: [{ port: 8000, endPort: 8999 }],
          },
        ],
      }),
    ]);
    assert.deepEqual(lines(r.ingress), [
      '8000-8999/TCP: 203.0.113.0/24 except 203.0.113.128/25',
      '8080/TCP (http): every pod in namespace empty; every pod in namespace ops; Deployment/db in namespace shop',
      '9100/TCP (metrics): every pod in namespace empty; every pod in namespace ops',
    ]);
    // A named port and its number are one port: both rules allow on it.
    assert.deepEqual(
      r.ingress.entries[1]?.rules.map((rule) => rule.path),
      ['spec.ingress[0]', 'spec.ingress[1]'],
    );
    // Ingress only: the policy leaves egress open.
    assert.equal(r.egress.isolated, false);
  });

  it('a namespaceSelector {} without podSelector is every namespace, present and future', () => {
    const r = reach([
      policyObject('shop', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }),
    ]);
    assert.deepEqual(lines(r.ingress), ['every port: every pod in every namespace']);
  });

  it('a namespaceSelector {} with a podSelector resolves to workloads across namespaces', () => {
    const r = reach([
      policyObject('shop', 'p', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
      }),
    ]);
    assert.deepEqual(lines(r.ingress), ['every port: Deployment/prometheus in namespace ops']);
  });

  it('keeps a selector that matches nothing known, so it is not lost', () => {
    const r = reach([
      policyObject('shop', 'p', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ghost' } } }] }],
      }),
    ]);
    assert.deepEqual(lines(r.ingress), [
      'every port: every pod in namespaces team=ghost (none in the inventory)',
    ]);
  });

  it('a rule without from is anyone, and absorbs narrower peers on the same port', () => {
    const r = reach([
      policyObject('shop', 'a', {
        podSelector: {},
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 443 }] }],
      }),
      policyObject('shop', 'b', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }),
    ]);
    assert.deepEqual(lines(r.ingress), ['443/TCP: anyone (every pod and every address)']);
    assert.equal(r.ingress.entries[0]?.rules.length, 2);
  });

  it('notes an ingress named port the workload does not declare', () => {
    const r = reach([
      policyObject('shop', 'p', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ ports: [{ port: 'grpc' }] }],
      }),
    ]);
    assert.deepEqual(r.ingress.entries, []);
    assert.deepEqual(r.ingress.notes, [
      'shop/p spec.ingress[0] names port "grpc"/TCP, which no container of Deployment/web declares: that port entry allows nothing',
    ]);
  });

  it('egress named ports stay named: they resolve at each destination', () => {
    const r = reach([
      policyObject('shop', 'p', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 'pg' }] },
          { ports: [{ port: 53, protocol: 'UDP' }] },
        ],
      }),
    ]);
    assert.deepEqual(lines(r.egress), [
      '53/UDP: anyone (every pod and every address)',
      'pg/TCP: Deployment/db in namespace shop',
    ]);
    assert.equal(r.ingress.isolated, false);
  });

  it('lists the invalid policies of the namespace it left out', () => {
    const r = reach([policyObject('shop', 'bad', { podSelector: {}, ingress: [{ from: [{}] }] })]);
    assert.equal(r.ingress.isolated, false);
    assert.deepEqual(
      r.ignored.map((i) => [i.policy.name, i.diagnostics.map((d) => d.path)]),
      [['bad', ['spec.ingress[0].from[0]']]],
    );
  });

  it('workload peers are dropped when their whole namespace is already allowed', () => {
    assert.deepEqual(
      simplifyPeers([
        {
          kind: 'workload',
          namespace: 'shop',
          workload: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'db', namespace: 'shop' },
        },
        { kind: 'namespace', namespace: 'shop' },
        { kind: 'ip-block', cidr: '10.0.0.0/8', except: [] },
        { kind: 'namespace', namespace: 'shop' },
      ]),
      [
        { kind: 'namespace', namespace: 'shop' },
        { kind: 'ip-block', cidr: '10.0.0.0/8', except: [] },
      ],
    );
  });

  it('a policy selecting only some pods of the namespace', () => {
    const r = reach(
      [policyObject('shop', 'p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] })],
      'db',
    );
    assert.equal(r.ingress.isolated, false);
  });

  it('notes that policies may not apply to a hostNetwork workload', () => {
    const pod = podObject('shop', 'node-agent', { app: 'agent' });
    (pod['spec'] as { hostNetwork?: boolean }).hostNetwork = true;
    const index = buildNetworkIndex(new Inventory([pod, policyObject('shop', 'deny', { podSelector: {} })]));
    const found = findWorkload(index, 'shop', 'node-agent');
    assert.ok(found !== undefined);
    const r = reachOf(index, found);
    const note =
      "Pod/node-agent uses the node's network (hostNetwork: true): NetworkPolicy is undefined for such pods and " +
      "most network plugins do not apply it: the node's firewall governs its traffic";
    assert.deepEqual(r.ingress.notes, [note]);
    assert.deepEqual(r.egress.notes, [note]);
  });

  it('works for bare pods too', () => {
    const index = buildNetworkIndex(new Inventory([podObject('shop', 'debug', { run: 'debug' })]));
    const found = findWorkload(index, 'shop', 'debug');
    assert.ok(found !== undefined);
    assert.equal(reachOf(index, found).ingress.isolated, false);
  });
});
