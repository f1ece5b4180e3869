/**
 * Ground truth for the NetworkPolicy verdict: `isAllowed` (src/engine/network/verdict.ts)
 * against cyclonus v0.5.6 (github.com/mattfenwick/cyclonus), an independent model whose
 * `analyze --mode query-traffic` decides traffic offline from policies and endpoint labels.
 * It needs no API server, so it runs with the unit tests; tools/cyclonus/build.sh builds
 * the binary into ~/.cache/bulwark/cyclonus on first use (a few minutes of CPU once), and the
 * suite is skipped, saying why, only when that build fails.
 *
 * Both models get the same input. cyclonus does not default `policyTypes`, so it receives
 * them as the API server would default them (Ingress, plus Egress when there are egress
 * rules; k8s.io/kubernetes pkg/apis/networking/v1/defaults.go) while Bulwark gets some
 * policies as written. Namespace labels include `kubernetes.io/metadata.name`, and every
 * pod has an IP, since ipBlocks match pod addresses too.
 *
 * Two places where cyclonus reads label selectors differently from the API are pinned in
 * hand-written cases (`expected` is the API's answer), and the generator keeps away from
 * them so every generated case is a real comparison:
 *  - `NotIn` on a key the object lacks: the API matches (k8s.io/apimachinery labels
 *    selector.go: "NotIn ... the label is not present, or the value is not in the set");
 *    cyclonus does not match (pkg/kube/labelselector.go returns false for a missing key).
 *    Generated NotIn expressions name only keys every object carries.
 *  - `matchLabels: {k: ""}` on an object without `k`: the API requires the key (matchLabels
 *    is `k in ("")`); cyclonus compares `labels[k] == ""` and matches. Generated label
 *    values are never empty.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { buildNetworkIndex, NAMESPACE_NAME_LABEL } from '../../src/engine/network/network-index.js';
import { compileNetworkPolicy, isValidPolicy } from '../../src/engine/network/network-policy.js';
import type { Endpoint, Traffic } from '../../src/engine/network/verdict.js';
import { explainTraffic, isAllowed } from '../../src/engine/network/verdict.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = process.env['BULWARK_CYCLONUS_DIR'] ?? join(homedir(), '.cache', 'bulwark', 'cyclonus');
const BINARY = join(CACHE, 'bin', 'cyclonus');
// Fixed so a failure reproduces; BULWARK_ORACLE_SEED explores others.
const SEED = Number(process.env['BULWARK_ORACLE_SEED'] ?? 20261124);
const WORLDS = 500;
const TRAFFIC_PER_WORLD = 8;

type Labels = Record<string, string>;
type Protocol = 'TCP' | 'UDP' | 'SCTP';

interface Pod {
  readonly namespace: string;
  readonly labels: Labels;
  readonly ip: string;
}

/** One connection; `from`/`to` are pods or addresses outside the cluster. */
interface Connection {
  readonly from: Pod | string;
  readonly to: Pod | string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The name the destination gives the port, '' for none. */
  readonly portName: string;
}

interface Case {
  readonly name: string;
  /** Namespace name → labels (without the automatic name label). */
  readonly namespaces: Readonly<Record<string, Labels>>;
  /** As Bulwark reads them: policyTypes may be absent. */
  readonly policies: readonly KubeObject[];
  readonly connection: Connection;
  /** The API reference's answer; set on every hand-written case. */
  readonly expected?: boolean;
  /** Set where cyclonus reads the API differently: its answer, and why ours differs. */
  readonly cyclonusDiffers?: string;
}

// ---------------------------------------------------------------------------------------
// Translation to cyclonus' input

/** API server defaulting of policyTypes, which cyclonus requires to be explicit. */
function withPolicyTypes(policy: KubeObject): KubeObject {
  const spec = (policy['spec'] ?? {}) as Record<string, unknown>;
  const types = spec['policyTypes'];
  if (Array.isArray(types) && types.length > 0) return policy;
  const egress = spec['egress'];
  const defaulted = Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return { ...policy, spec: { ...spec, policyTypes: defaulted } };
}

function nsLabels(c: Case, namespace: string): Labels {
  return { ...(c.namespaces[namespace] ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
}

function cyclonusPeer(c: Case, end: Pod | string): unknown {
  if (typeof end === 'string') return { IP: end };
  return {
    Internal: { PodLabels: end.labels, NamespaceLabels: nsLabels(c, end.namespace), Namespace: end.namespace },
    IP: end.ip,
  };
}

function cyclonusTraffic(c: Case): unknown {
  const { from, to, port, protocol, portName } = c.connection;
  return {
    Source: cyclonusPeer(c, from),
    Destination: cyclonusPeer(c, to),
    Protocol: protocol,
    ResolvedPort: port,
    ResolvedPortName: portName,
  };
}

/**
 * One cyclonus run for many cases. Cases are kept apart by namespace names (a policy only
 * isolates pods of its own namespace, and every case or world has its own namespaces), so
 * one policy file and one traffic file answer them all.
 */
async function askCyclonus(cases: readonly Case[]): Promise<boolean[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cyclonus-'));
  try {
    const policyDir = join(dir, 'policies');
    mkdirSync(policyDir);
    const seen = new Set<string>();
    const items: KubeObject[] = [];
    for (const c of cases) {
      for (const policy of c.policies) {
        const key = `${String(policy.metadata?.namespace)}/${String(policy.metadata?.name)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push(withPolicyTypes(policy));
      }
    }
    writeFileSync(
      join(policyDir, 'policies.json'),
      JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items }),
    );
    const trafficPath = join(dir, 'traffic.json');
    writeFileSync(trafficPath, JSON.stringify(cases.map(cyclonusTraffic)));
    const { stdout } = await run(
      BINARY,
      ['analyze', '--mode', 'query-traffic', '--policy-path', policyDir, '--traffic-path', trafficPath],
      { maxBuffer: 1024 * 1024 * 1024 },
    );
    const verdicts = [...stdout.matchAll(/^\| IS ALLOWED\? \|\s+(TRUE|FALSE)\s+\|/gm)].map((m) => m[1] === 'TRUE');
    assert.equal(verdicts.length, cases.length, 'cyclonus answered a different number of questions than asked');
    return verdicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Bulwark's side

function endpoint(c: Case, end: Pod | string): Endpoint {
  if (typeof end === 'string') return { kind: 'ip', ip: end };
  return { kind: 'pod', namespace: end.namespace, labels: end.labels, namespaceLabels: c.namespaces[end.namespace] ?? {}, ip: end.ip };
}

/** Verdicts, and how many cases had a pod isolated at either end (the interesting ones). */
function askBulwark(cases: readonly Case[]): boolean[] & { isolated?: number } {
  const objects: KubeObject[] = [];
  const namespaces = new Map<string, Labels>();
  const policies = new Map<string, KubeObject>();
  for (const c of cases) {
    for (const [name, labels] of Object.entries(c.namespaces)) namespaces.set(name, labels);
    for (const p of c.policies) policies.set(`${String(p.metadata?.namespace)}/${String(p.metadata?.name)}`, p);
  }
  for (const [name, labels] of namespaces) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  objects.push(...policies.values());
  const index = buildNetworkIndex(new Inventory(objects));
  let isolated = 0;
  const verdicts: boolean[] & { isolated?: number } = cases.map((c) => {
    const { from, to, port, protocol, portName } = c.connection;
    const traffic: Traffic = {
      from: endpoint(c, from),
      to: endpoint(c, to),
      port,
      protocol,
      ...(portName !== '' ? { portName } : {}),
    };
    const explained = explainTraffic(index, traffic);
    if (explained.ingress.isolated || explained.egress.isolated) isolated++;
    return isAllowed(index, traffic);
  });
  verdicts.isolated = isolated;
  return verdicts;
}

// ---------------------------------------------------------------------------------------
// Hand-written cases: one or more per rule of issue 6 item 5

const NS = { shop: { team: 'shop' }, ops: { team: 'ops', monitoring: 'true' } } as const;
const web: Pod = { namespace: 'shop', labels: { app: 'web' }, ip: '10.0.1.10' };
const db: Pod = { namespace: 'shop', labels: { app: 'db' }, ip: '10.0.1.20' };
const prom: Pod = { namespace: 'ops', labels: { app: 'prometheus' }, ip: '10.0.2.30' };
const opsOther: Pod = { namespace: 'ops', labels: { app: 'other' }, ip: '10.0.2.31' };
const INTERNET = '203.0.113.7';

const np = (name: string, spec: unknown, namespace = 'shop'): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const tcp = (from: Pod | string, to: Pod | string, port = 8080, portName = ''): Connection => ({
  from,
  to,
  port,
  protocol: 'TCP',
  portName,
});
const selWeb = { matchLabels: { app: 'web' } };

const handWritten: readonly Omit<Case, 'namespaces'>[] = [
  // Isolation only for selected pods, and per direction.
  { name: 'no policy: allowed', policies: [], connection: tcp(INTERNET, web), expected: true },
  { name: 'ingress deny-all isolates the pods it selects', policies: [np('deny', { podSelector: {}, policyTypes: ['Ingress'] })], connection: tcp(prom, web), expected: false },
  { name: 'a policy selecting db leaves web open', policies: [np('deny-db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })], connection: tcp(prom, web), expected: true },
  { name: 'ingress isolation does not touch egress', policies: [np('deny', { podSelector: {}, policyTypes: ['Ingress'] })], connection: tcp(web, INTERNET), expected: true },
  { name: 'egress isolation blocks the source', policies: [np('deny', { podSelector: {}, policyTypes: ['Egress'] })], connection: tcp(web, INTERNET), expected: false },
  { name: 'egress isolation of the source blocks even an open destination', policies: [np('deny', { podSelector: {}, policyTypes: ['Egress'] })], connection: tcp(web, db), expected: false },
  { name: 'a policy in another namespace does not isolate', policies: [np('deny', { podSelector: {}, policyTypes: ['Ingress'] }, 'ops')], connection: tcp(prom, web), expected: true },
  // policyTypes defaulting.
  { name: 'no policyTypes, no rules: ingress deny', policies: [np('deny', { podSelector: selWeb })], connection: tcp(db, web), expected: false },
  { name: 'no policyTypes, no rules: egress untouched', policies: [np('deny', { podSelector: selWeb })], connection: tcp(web, INTERNET), expected: true },
  { name: 'no policyTypes with egress rules: egress isolated too', policies: [np('eg', { podSelector: selWeb, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })], connection: tcp(web, INTERNET), expected: false },
  { name: 'no policyTypes with egress rules: the rule allows', policies: [np('eg', { podSelector: selWeb, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })], connection: tcp(web, db), expected: true },
  { name: 'explicit Egress only: ingress rules are ignored', policies: [np('eg', { podSelector: selWeb, policyTypes: ['Egress'], ingress: [{}] })], connection: tcp(web, db), expected: false },
  // Empty versus absent.
  { name: 'ingress: [{}] allows everyone', policies: [np('all', { podSelector: selWeb, ingress: [{}] })], connection: tcp(INTERNET, web), expected: true },
  { name: 'ingress: [] allows nobody', policies: [np('none', { podSelector: selWeb, policyTypes: ['Ingress'], ingress: [] })], connection: tcp(db, web), expected: false },
  { name: 'from: [] allows every source on the ports', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [], ports: [{ port: 8080 }] }] })], connection: tcp(INTERNET, web), expected: true },
  { name: 'podSelector {} in a peer: every pod of the policy namespace', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: {} }] }] })], connection: tcp(db, web), expected: true },
  { name: 'podSelector {} in a peer: not other namespaces', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: {} }] }] })], connection: tcp(prom, web), expected: false },
  { name: 'podSelector {} in a peer: not addresses', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: {} }] }] })], connection: tcp(INTERNET, web), expected: false },
  { name: 'namespaceSelector {}: every namespace', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: {} }] }] })], connection: tcp(opsOther, web), expected: true },
  { name: 'namespaceSelector {}: not addresses', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: {} }] }] })], connection: tcp(INTERNET, web), expected: false },
  { name: 'policy podSelector {} selects every pod of its namespace', policies: [np('p', { podSelector: {}, policyTypes: ['Ingress'] })], connection: tcp(web, db), expected: false },
  // namespaceSelector and podSelector in one peer versus in two.
  { name: 'one peer: both must match (match)', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: { matchLabels: { monitoring: 'true' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] })], connection: tcp(prom, web), expected: true },
  { name: 'one peer: both must match (other pod of that namespace)', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: { matchLabels: { monitoring: 'true' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] })], connection: tcp(opsOther, web), expected: false },
  { name: 'two peers: either matches (namespace)', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: { matchLabels: { monitoring: 'true' } } }, { podSelector: { matchLabels: { app: 'prometheus' } } }] }] })], connection: tcp(opsOther, web), expected: true },
  { name: 'two peers: the podSelector alone means the policy namespace', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'prometheus' } } }] }] })], connection: tcp(prom, web), expected: false },
  { name: 'namespaceSelector by kubernetes.io/metadata.name', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'ops' } } }] }] })], connection: tcp(opsOther, web), expected: true },
  { name: 'matchExpressions In on namespaces', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['ops', 'x'] }] } }] }] })], connection: tcp(opsOther, web), expected: true },
  { name: 'matchExpressions DoesNotExist on pods', policies: [np('p', { podSelector: { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, policyTypes: ['Ingress'] })], connection: tcp(db, web), expected: false },
  // Ports: numbers, protocols, named ports, endPort.
  { name: 'a numbered port allows that port', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 8080 }] }] })], connection: tcp(db, web, 8080), expected: true },
  { name: 'a numbered port denies another', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 8080 }] }] })], connection: tcp(db, web, 9090), expected: false },
  { name: 'protocol defaults to TCP: UDP is denied', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 53 }] }] })], connection: { ...tcp(db, web, 53), protocol: 'UDP' }, expected: false },
  { name: 'a protocol without a port allows every port of it', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ protocol: 'UDP' }] }] })], connection: { ...tcp(db, web, 5353), protocol: 'UDP' }, expected: true },
  { name: 'SCTP port', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 9, protocol: 'SCTP' }] }] })], connection: { ...tcp(db, web, 9), protocol: 'SCTP' }, expected: true },
  { name: 'a named port matches the destination port name', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 'http' }] }] })], connection: tcp(db, web, 8080, 'http'), expected: true },
  { name: 'a named port does not match another name', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 'http' }] }] })], connection: tcp(db, web, 8080, 'metrics'), expected: false },
  { name: 'a named port does not match an unnamed port', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 'http' }] }] })], connection: tcp(db, web, 8080), expected: false },
  { name: 'a named egress port resolves at the destination', policies: [np('p', { podSelector: selWeb, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'pg' }] }] })], connection: tcp(web, db, 5432, 'pg'), expected: true },
  { name: 'endPort: the lower bound', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] })], connection: tcp(db, web, 8000), expected: true },
  { name: 'endPort: the upper bound', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] })], connection: tcp(db, web, 8100), expected: true },
  { name: 'endPort: beyond the range', policies: [np('p', { podSelector: selWeb, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] })], connection: tcp(db, web, 8101), expected: false },
  // IP blocks and except.
  { name: 'ipBlock allows an address inside', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }] })], connection: tcp(INTERNET, web), expected: true },
  { name: 'ipBlock except carves out an address', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/29'] } }] }] })], connection: tcp(INTERNET, web), expected: false },
  { name: 'ipBlock matches pod addresses too', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.0/24' } }] }] })], connection: tcp(prom, web), expected: true },
  { name: 'egress ipBlock 0.0.0.0/0 except the cluster range', policies: [np('p', { podSelector: selWeb, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] })], connection: tcp(web, db), expected: false },
  { name: 'IPv6 block', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }] })], connection: tcp('2001:db8:2::1', web), expected: true },
  { name: 'IPv6 except', policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }] })], connection: tcp('2001:db8:1::1', web), expected: false },
  // The union of all policies.
  { name: 'union: a second policy opens what the first denies', policies: [np('deny', { podSelector: {}, policyTypes: ['Ingress'] }), np('allow', { podSelector: selWeb, ingress: [{ from: [{ namespaceSelector: {} }] }] })], connection: tcp(prom, web), expected: true },
  { name: 'union: rules of two policies add up per port', policies: [np('a', { podSelector: selWeb, ingress: [{ ports: [{ port: 80 }] }] }), np('b', { podSelector: selWeb, ingress: [{ ports: [{ port: 443 }] }] })], connection: tcp(db, web, 443), expected: true },
  { name: 'a connection needs both egress at the source and ingress at the destination', policies: [np('eg', { podSelector: selWeb, policyTypes: ['Egress'], egress: [{}] }), np('in', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })], connection: tcp(web, db), expected: false },
  // Where cyclonus reads the API differently (see the file comment).
  {
    name: 'NotIn matches an object without the key',
    policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] } }] }] })],
    connection: tcp(db, web),
    expected: true,
    cyclonusDiffers: 'cyclonus: NotIn never matches an object that lacks the key; the API: NotIn matches when the label is absent',
  },
  {
    name: 'matchLabels with an empty value needs the key',
    policies: [np('p', { podSelector: selWeb, ingress: [{ from: [{ podSelector: { matchLabels: { tier: '' } } }] }] })],
    connection: tcp(db, web),
    expected: false,
    cyclonusDiffers: 'cyclonus: matchLabels {tier: ""} matches a pod without tier; the API: the key must be present with value ""',
  },
];

// ---------------------------------------------------------------------------------------
// Generated worlds

const APPS = ['web', 'db', 'api'] as const;
const TIERS = ['front', 'back'] as const;
const ENVS = ['prod', 'dev'] as const;
const TEAMS = ['x', 'y'] as const;
const PORTS = [53, 80, 443, 8080, 9090] as const;
const PORT_NAMES = ['http', 'dns', 'metrics'] as const;
const CIDRS = ['10.0.0.0/8', '10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/23', '10.0.3.128/25', '0.0.0.0/0', '192.168.0.0/16', '203.0.113.0/24', 'fd00::/8'] as const;
const EXTERNAL = ['192.168.1.1', '203.0.113.9', '8.8.8.8', '10.9.9.9', 'fd00::1'] as const;

function ipv4Range(cidr: string): [number, number] | undefined {
  const [addr, bits] = cidr.split('/');
  if (addr === undefined || bits === undefined || addr.includes(':')) return undefined;
  const n = addr.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(bits));
  return [n, n + size - 1];
}

/** Candidate excepts strictly inside the cidr, as the API requires. */
function exceptsFor(cidr: string): string[] {
  const outer = ipv4Range(cidr);
  if (outer === undefined) return cidr === 'fd00::/8' ? ['fd00::/16'] : [];
  return CIDRS.filter((c) => {
    const inner = ipv4Range(c);
    return inner !== undefined && c !== cidr && inner[0] >= outer[0] && inner[1] <= outer[1] && inner[1] - inner[0] < outer[1] - outer[0];
  });
}

const podLabels = fc.record(
  { app: fc.constantFrom(...APPS), tier: fc.constantFrom(...TIERS) },
  { requiredKeys: ['app'] },
);
const nsLabelsArb = fc.record({ env: fc.constantFrom(...ENVS), team: fc.constantFrom(...TEAMS) }, { requiredKeys: ['env'] });

/** A selector; NotIn only on keys every object carries (`always`). */
function selectorArb(keys: Readonly<Record<string, readonly string[]>>, always: string): fc.Arbitrary<unknown> {
  const key = fc.constantFrom(...Object.keys(keys));
  type Expression = { key: string; operator: string; values?: string[] };
  const expression: fc.Arbitrary<Expression> = key.chain((k): fc.Arbitrary<Expression> => {
    const values = fc.subarray([...(keys[k] ?? [])], { minLength: 1 });
    const ops = k === always ? (['In', 'NotIn', 'Exists', 'DoesNotExist'] as const) : (['In', 'Exists', 'DoesNotExist'] as const);
    return fc.constantFrom(...ops).chain((operator) =>
      operator === 'In' || operator === 'NotIn'
        ? values.map((v): Expression => ({ key: k, operator, values: v }))
        : fc.constant<Expression>({ key: k, operator }),
    );
  });
  const matchLabels = fc.dictionary(key, fc.constant(''), { maxKeys: 2 }).chain((picked) =>
    fc.tuple(...Object.keys(picked).map((k) => fc.constantFrom(...(keys[k] ?? [])).map((v) => [k, v] as const))).map((pairs) => Object.fromEntries(pairs)),
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: matchLabels.map((m) => ({ matchLabels: m })) },
    { weight: 2, arbitrary: fc.array(expression, { minLength: 1, maxLength: 2 }).map((e) => ({ matchExpressions: e })) },
  );
}

function worldArb(world: number): fc.Arbitrary<{ namespaces: Record<string, Labels>; pods: Pod[]; policies: KubeObject[]; connections: Connection[] }> {
  const names = ['a', 'b', 'c'].map((n) => `w${world}-${n}`);
  const podSel = selectorArb({ app: APPS, tier: TIERS }, 'app');
  const nsSel = selectorArb({ env: ENVS, team: TEAMS, [NAMESPACE_NAME_LABEL]: names }, 'env');
  const ipBlock = fc.constantFrom(...CIDRS).chain((cidr) =>
    fc.subarray(exceptsFor(cidr), { maxLength: Math.min(2, exceptsFor(cidr).length) }).map((except) => ({ ipBlock: except.length > 0 ? { cidr, except } : { cidr } })),
  );
  const peer = fc.oneof(
    podSel.map((s) => ({ podSelector: s })),
    nsSel.map((s) => ({ namespaceSelector: s })),
    fc.tuple(nsSel, podSel).map(([n, p]) => ({ namespaceSelector: n, podSelector: p })),
    ipBlock,
  );
  const protocol = fc.option(fc.constantFrom('TCP', 'UDP', 'SCTP'), { nil: undefined, freq: 2 });
  const port = fc.oneof(
    fc.tuple(fc.constantFrom(...PORTS), protocol).map(([p, proto]) => ({ port: p, ...(proto !== undefined ? { protocol: proto } : {}) })),
    fc.tuple(fc.constantFrom(...PORT_NAMES), protocol).map(([p, proto]) => ({ port: p, ...(proto !== undefined ? { protocol: proto } : {}) })),
    fc.constantFrom('TCP', 'UDP').map((proto) => ({ protocol: proto })),
    fc.tuple(fc.constantFrom(...PORTS), fc.integer({ min: 0, max: 9000 }), protocol).map(([p, span, proto]) => ({
      port: p,
      endPort: p + span,
      ...(proto !== undefined ? { protocol: proto } : {}),
    })),
  );
  const rule = (field: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>> =>
    fc.record(
      { [field]: fc.array(peer, { maxLength: 3 }), ports: fc.array(port, { maxLength: 3 }) },
      { requiredKeys: [] },
    );
  const rules = (field: 'from' | 'to'): fc.Arbitrary<Record<string, unknown>[] | undefined> =>
    fc.option(fc.array(rule(field), { maxLength: 3 }), { nil: undefined, freq: 3 });
  const types = fc.constantFrom<readonly string[] | undefined>(undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']);
  const policy = fc
    .tuple(fc.constantFrom(...names), podSel, types, rules('from'), rules('to'))
    .map(([namespace, podSelector, policyTypes, ingress, egress]) => ({
      namespace,
      spec: {
        podSelector,
        ...(policyTypes !== undefined ? { policyTypes } : {}),
        ...(ingress !== undefined ? { ingress } : {}),
        ...(egress !== undefined ? { egress } : {}),
      },
    }));
  const pods = fc.array(
    fc.tuple(fc.constantFrom(...names), podLabels, fc.integer({ min: 0, max: 3 })).map(([namespace, labels, subnet]) => ({
      namespace,
      labels: labels as Labels,
      subnet,
    })),
    { minLength: 2, maxLength: 5 },
  );
  return fc
    .tuple(fc.tuple(nsLabelsArb, nsLabelsArb, nsLabelsArb), pods, fc.array(policy, { minLength: 1, maxLength: 5 }))
    .chain(([nsl, podDrafts, policyDrafts]) => {
      const podList: Pod[] = podDrafts.map((d, i) => ({ namespace: d.namespace, labels: d.labels, ip: `10.0.${d.subnet}.${(world % 200) + i + 1}` }));
      const end = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...podList) }, { weight: 1, arbitrary: fc.constantFrom<string>(...EXTERNAL) });
      const connection = fc
        .tuple(end, end, fc.constantFrom(...PORTS, 5432, 8500), fc.constantFrom<Protocol>('TCP', 'TCP', 'UDP', 'SCTP'), fc.constantFrom('', '', ...PORT_NAMES))
        .filter(([from, to]) => typeof from !== 'string' || typeof to !== 'string')
        .map(([from, to, p, proto, portName]) => ({ from, to, port: p, protocol: proto, portName }));
      return fc.array(connection, { minLength: TRAFFIC_PER_WORLD, maxLength: TRAFFIC_PER_WORLD }).map((connections) => ({
        namespaces: Object.fromEntries(names.map((n, i) => [n, nsl[i] ?? {}])),
        pods: podList,
        policies: policyDrafts.map((d, i) => ({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: `p${i}`, namespace: d.namespace },
          spec: d.spec,
        })),
        connections,
      }));
    });
}

function generatedCases(): Case[] {
  const out: Case[] = [];
  for (let world = 0; world < WORLDS; world++) {
    const [drawn] = fc.sample(worldArb(world), { seed: SEED * 10007 + world, numRuns: 1 });
    if (drawn === undefined) continue;
    drawn.connections.forEach((connection, i) => {
      out.push({ name: `world ${world} connection ${i}`, namespaces: drawn.namespaces, policies: drawn.policies, connection });
    });
  }
  return out;
}

function describeCase(c: Case): string {
  return JSON.stringify({ namespaces: c.namespaces, policies: c.policies.map((p) => ({ ns: p.metadata?.namespace, name: p.metadata?.name, spec: p['spec'] })), connection: c.connection });
}

// ---------------------------------------------------------------------------------------

describe('NetworkPolicy verdicts agree with cyclonus v0.5.6', function () {
  // The first run builds cyclonus (minutes on a busy machine); later runs take seconds.
  this.timeout(30 * 60 * 1000);

  before(async function () {
    if (existsSync(BINARY)) return;
    try {
      await run(join(ROOT, 'tools', 'cyclonus', 'build.sh'), [], { maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      console.log(`      skipped: tools/cyclonus/build.sh could not build cyclonus: ${detail}`);
      this.skip();
    }
  });

  // Each hand-written case gets its own namespaces, so one cyclonus run answers them all.
  const hand: Case[] = handWritten.map((c, i) => {
    const rename = (ns: string): string => `h${i}-${ns}`;
    const pod = (end: Pod | string): Pod | string => (typeof end === 'string' ? end : { ...end, namespace: rename(end.namespace) });
    return {
      ...c,
      namespaces: Object.fromEntries(Object.entries(NS).map(([n, l]) => [rename(n), { ...l }])),
      policies: c.policies.map((p) => {
        const spec = JSON.parse(JSON.stringify(p['spec']).replaceAll(`"${NAMESPACE_NAME_LABEL}":"ops"`, `"${NAMESPACE_NAME_LABEL}":"${rename('ops')}"`)) as unknown;
        return { ...p, metadata: { ...p.metadata, namespace: rename(String(p.metadata?.namespace)) }, spec };
      }),
      connection: { ...c.connection, from: pod(c.connection.from), to: pod(c.connection.to) },
    };
  });
  let handCyclonus: boolean[] = [];
  let handBulwark: boolean[] = [];

  describe('hand-written cases, one per rule of the API reference', () => {
    before(async () => {
      handCyclonus = await askCyclonus(hand);
      handBulwark = askBulwark(hand);
      const agreeing = hand.filter((_, i) => handCyclonus[i] === handBulwark[i]).length;
      console.log(`      hand-written: ${agreeing}/${hand.length} agree with cyclonus; ${hand.length - agreeing} differ, each pinned below`);
    });
    hand.forEach((c, i) => {
      it(c.name, () => {
        assert.equal(handBulwark[i], c.expected, 'Bulwark differs from the API reference');
        if (c.cyclonusDiffers === undefined) assert.equal(handCyclonus[i], c.expected, 'cyclonus differs');
        else assert.equal(handCyclonus[i], !(c.expected ?? false), `expected cyclonus to differ here (${c.cyclonusDiffers})`);
      });
    });
  });

  it(`${WORLDS * TRAFFIC_PER_WORLD} generated (policies, source, destination, port) cases agree`, async () => {
    const cases = generatedCases();
    for (const c of cases) {
      for (const p of c.policies) {
        const compiled = compileNetworkPolicy(p);
        assert.ok(isValidPolicy(compiled), `generator made an invalid policy: ${JSON.stringify(compiled.diagnostics)}`);
      }
    }
    const theirs = await askCyclonus(cases);
    const ours = askBulwark(cases);
    const differ = cases.filter((_, i) => theirs[i] !== ours[i]);
    const allowed = ours.filter(Boolean).length;
    console.log(
      `      generated: ${cases.length - differ.length}/${cases.length} agree with cyclonus (${allowed} allowed, ${cases.length - allowed} denied, ` +
        `${ours.isolated ?? 0} with a pod isolated at either end; seed ${SEED})`,
    );
    assert.equal(differ.length, 0, `first difference: ${differ[0] !== undefined ? describeCase(differ[0]) : ''}`);
  });
});
