/**
 * Property-based tests: arbitrary and malformed policies never crash the model, and the two
 * answers it gives — the per-connection verdict and the per-workload reach — agree on every
 * generated cluster, since they are computed by separate code paths.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Inventory } from '../../../src/engine/inventory.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { cidrContains, parseCidr, parseIp } from '../../../src/engine/network/cidr.js';
import { matchesSelector } from '../../../src/engine/label-selector.js';
import { compileNetworkPolicy, selectorMatcher } from '../../../src/engine/network/network-policy.js';
import type { NetworkIndex, Workload } from '../../../src/engine/network/network-index.js';
import { buildNetworkIndex, findWorkload } from '../../../src/engine/network/network-index.js';
import type { DirectionReach, ReachPeer, ReachPort } from '../../../src/engine/network/reach.js';
import { reachOf } from '../../../src/engine/network/reach.js';
import type { PodEndpoint } from '../../../src/engine/network/verdict.js';
import { explainTraffic, isAllowed } from '../../../src/engine/network/verdict.js';
import { namespaceObject, policyObject } from './objects.js';

const NAMESPACES = ['a', 'b', 'c'] as const;

const labelsArb = fc.record(
  { app: fc.constantFrom('x', 'y', 'z'), tier: fc.constantFrom('front', 'back') },
  { requiredKeys: [] },
);

const selectorArb = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: labelsArb }),
  fc.record({
    matchExpressions: fc.array(
      fc.oneof(
        fc.record({
          key: fc.constantFrom('app', 'tier', 'team'),
          operator: fc.constantFrom('In', 'NotIn'),
          values: fc.array(fc.constantFrom('x', 'y', 'front', 'a'), { minLength: 1, maxLength: 2 }),
        }),
        fc.record({
          key: fc.constantFrom('app', 'tier', 'team'),
          operator: fc.constantFrom('Exists', 'DoesNotExist'),
        }),
      ),
      { maxLength: 2 },
    ),
  }),
);

const nsSelectorArb = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom('red', 'blue') }) }),
  fc.record({ matchLabels: fc.record({ 'kubernetes.io/metadata.name': fc.constantFrom(...NAMESPACES) }) }),
);

const peerArb = fc.oneof(
  fc.record({ podSelector: selectorArb }),
  fc.record({ namespaceSelector: nsSelectorArb }),
  fc.record({ podSelector: selectorArb, namespaceSelector: nsSelectorArb }),
  fc.record({
    ipBlock: fc.constantFrom(
      { cidr: '10.0.0.0/16' },
      { cidr: '10.0.1.0/24' },
      { cidr: '0.0.0.0/0', except: ['10.0.2.0/24'] },
      { cidr: '10.0.0.0/8', except: ['10.0.1.0/25', '10.0.3.0/24'] },
    ),
  }),
);

const portArb = fc.constantFrom(
  { port: 80 },
  { port: 53, protocol: 'UDP' },
  { port: 'http' },
  { port: 'dns', protocol: 'UDP' },
  { protocol: 'UDP' },
  { port: 50, endPort: 60 },
  { port: 8080, protocol: 'SCTP' },
);

const ruleArb = (peerField: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    { [peerField]: fc.array(peerArb, { maxLength: 3 }), ports: fc.array(portArb, { maxLength: 3 }) },
    { requiredKeys: [] },
  );

const policySpecArb = fc.record(
  {
    podSelector: selectorArb,
    policyTypes: fc.constantFrom([], ['Ingress'], ['Egress'], ['Ingress', 'Egress']),
    ingress: fc.array(ruleArb('from'), { maxLength: 3 }),
    egress: fc.array(ruleArb('to'), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

interface PodDraft {
  readonly namespace: (typeof NAMESPACES)[number];
  readonly labels: Record<string, string>;
  readonly ports: readonly { name: string; containerPort: number; protocol: string }[];
}

const podArb: fc.Arbitrary<PodDraft> = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels: labelsArb,
  ports: fc.subarray([
    { name: 'http', containerPort: 80, protocol: 'TCP' },
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'alt', containerPort: 55, protocol: 'TCP' },
  ]),
});

const clusterArb = fc.record({
  teams: fc.tuple(
    fc.constantFrom('red', 'blue'),
    fc.constantFrom('red', 'blue'),
    fc.constantFrom('red', 'blue'),
  ),
  pods: fc.array(podArb, { minLength: 2, maxLength: 6 }),
  policies: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), policySpecArb), { maxLength: 6 }),
});

type Cluster = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;

function podIp(i: number): string {
  return `10.0.${i % 4}.${10 + i}`;
}

function objectsOf(cluster: Cluster): KubeObject[] {
  const objects: KubeObject[] = NAMESPACES.map((ns, i) =>
    namespaceObject(ns, { team: cluster.teams[i] ?? 'red' }),
  );
  cluster.pods.forEach((pod, i) => {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${i}`, namespace: pod.namespace, labels: pod.labels },
      spec: { containers: [{ name: 'c', ports: pod.ports }] },
      status: { podIP: podIp(i) },
    });
  });
  cluster.policies.forEach(([ns, spec], i) => objects.push(policyObject(ns, `policy-${i}`, spec)));
  return objects;
}

function endpointOf(cluster: Cluster, i: number): PodEndpoint {
  const pod = cluster.pods[i];
  assert.ok(pod !== undefined);
  return {
    kind: 'pod',
    namespace: pod.namespace,
    labels: pod.labels,
    ip: podIp(i),
    ports: pod.ports.map((p) => ({
      name: p.name,
      port: p.containerPort,
      protocol: p.protocol as 'TCP' | 'UDP',
    })),
  };
}

function portCovers(port: ReachPort, number: number, protocol: string, destination: PodEndpoint): boolean {
  switch (port.kind) {
    case 'all':
      return true;
    case 'protocol':
      return port.protocol === protocol;
    case 'range':
      return port.protocol === protocol && port.from <= number && number <= port.to;
    case 'named':
      return (destination.ports ?? []).some(
        (p) => p.name === port.name && p.protocol === protocol && p.port === number,
      );
  }
}

function peerCovers(peer: ReachPeer, other: PodEndpoint, otherName: string): boolean {
  switch (peer.kind) {
    case 'any':
    case 'all-namespaces':
      return true;
    case 'namespace':
      return peer.namespace === other.namespace;
    case 'workload':
      return (
        peer.namespace === other.namespace && peer.workload.kind === 'Pod' && peer.workload.name === otherName
      );
    case 'ip-block': {
      const ip = parseIp(other.ip);
      const cidr = parseCidr(peer.cidr);
      if (ip === undefined || cidr === undefined) return false;
      return (
        cidrContains(cidr, ip) &&
        !peer.except.some((e) => {
          const block = parseCidr(e);
          return block !== undefined && cidrContains(block, ip);
        })
      );
    }
    case 'unmatched':
      return false;
  }
}

function reachAllows(
  direction: DirectionReach,
  other: PodEndpoint,
  otherName: string,
  port: number,
  protocol: string,
  destination: PodEndpoint,
): boolean {
  return direction.entries.some(
    (e) =>
      portCovers(e.port, port, protocol, destination) && e.peers.some((p) => peerCovers(p, other, otherName)),
  );
}

function workloadOf(index: NetworkIndex, cluster: Cluster, i: number): Workload {
  const pod = cluster.pods[i];
  assert.ok(pod !== undefined);
  const workload = findWorkload(index, pod.namespace, `Pod/pod-${i}`);
  assert.ok(workload !== undefined);
  return workload;
}

describe('network model properties', () => {
  it('compiling arbitrary specs never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (spec) => {
        compileNetworkPolicy(policyObject('ns', 'p', spec));
      }),
      { numRuns: 500 },
    );
  });

  it('indexing, reach and verdicts never throw on arbitrary policies and pods', () => {
    const junkObject = fc.record({
      apiVersion: fc.constantFrom('networking.k8s.io/v1', 'v1', 'apps/v1'),
      kind: fc.constantFrom('NetworkPolicy', 'Pod', 'Namespace', 'Deployment'),
      metadata: fc.record(
        { name: fc.constantFrom('a', 'b'), namespace: fc.constantFrom('x', 'y'), labels: fc.anything() },
        { requiredKeys: ['name'] },
      ),
      spec: fc.anything(),
    });
    fc.assert(
      fc.property(
        fc.array(junkObject, { maxLength: 8 }),
        fc.anything(),
        fc.anything(),
        (objects, labels, port) => {
          const index = buildNetworkIndex(new Inventory(objects as KubeObject[]));
          for (const ns of index.namespaces.keys()) for (const w of index.workloads(ns)) reachOf(index, w);
          const from = { kind: 'pod', namespace: 'x', labels } as unknown as PodEndpoint;
          isAllowed(index, { from, to: { kind: 'ip', ip: labels as string }, port: port as number });
          isAllowed(index, { from: { kind: 'ip', ip: '1.2.3.4' }, to: from, port: port as number });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reach and the verdict agree on every generated connection', () => {
    fc.assert(
      fc.property(
        clusterArb,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(80, 53, 55, 58, 8080),
        fc.constantFrom('TCP', 'UDP', 'SCTP'),
        (cluster, a, b, port, protocol) => {
          const index = buildNetworkIndex(new Inventory(objectsOf(cluster)));
          const si = a % cluster.pods.length;
          const di = b % cluster.pods.length;
          const source = endpointOf(cluster, si);
          const destination = endpointOf(cluster, di);
          const verdict = explainTraffic(index, {
            from: source,
            to: destination,
            port,
            protocol: protocol as 'TCP',
          });
          const ingress = reachOf(index, workloadOf(index, cluster, di)).ingress;
          const egress = reachOf(index, workloadOf(index, cluster, si)).egress;
          assert.equal(
            reachAllows(ingress, source, `pod-${si}`, port, protocol, destination),
            verdict.ingress.allowed,
            'ingress',
          );
          assert.equal(
            reachAllows(egress, destination, `pod-${di}`, port, protocol, destination),
            verdict.egress.allowed,
            'egress',
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('selectorMatcher', () => {
  it('agrees with matchesSelector on arbitrary selectors and label sets', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'constructor');
    const value = fc.constantFrom('x', 'y', '');
    const selector = fc.record(
      {
        matchLabels: fc.dictionary(key, value, { maxKeys: 2 }),
        matchExpressions: fc.array(
          fc.record(
            {
              key,
              operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'),
              values: fc.array(value, { maxLength: 2 }),
            },
            { requiredKeys: ['key', 'operator'] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(selector, fc.dictionary(key, value, { maxKeys: 3 }), (sel, labels) => {
        assert.equal(selectorMatcher(sel).matches(labels), matchesSelector(sel, labels));
      }),
      { numRuns: 3000 },
    );
  });
});
