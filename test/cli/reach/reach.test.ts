/**
 * `bulwark reach` end to end in-process: arguments in, exact stdout, stderr and exit code
 * out, over the fixtures in test/cli/reach/fixtures/. Outputs that run to many lines are
 * golden files under test/cli/reach/golden/, rewritten only with UPDATE_GOLDEN=1.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { reachCommand } from '../../../src/cli/reach/index.js';
import type { ReachDocument } from '../../../src/cli/reach/render.js';
import type { CommandModule } from '../../../src/cli/main.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, 'fixtures');
const GOLDEN = join(HERE, 'golden');

function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file ${name} is missing; run with UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from ${name}; run with UPDATE_GOLDEN=1 to accept the change`);
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function reach(args: readonly string[], stdin?: string): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await reachCommand(args, {
    stdout: { write: (t) => void (stdout += t), isTTY: false },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
    cwd: FIXTURES,
  });
  return { code, stdout, stderr };
}

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  readonly code: number;
  /** A golden file name, or the exact text. */
  readonly stdout: { readonly golden: string } | string;
  readonly stderr: string;
}

const USAGE_HINT = "Run 'bulwark reach --help' for usage.\n";

/** 60 namespaces each running a client, and a server open to clients in every namespace. */
const manyPeers =
  Array.from(
    { length: 60 },
    (_, i) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: ns-${String(i).padStart(2, '0')}, labels: {role: client}}\n` +
      'spec: {containers: [{name: c, image: i}]}\n',
  ).join('---\n') +
  '---\napiVersion: v1\nkind: Pod\nmetadata: {name: server, namespace: ns-00, labels: {role: server}}\nspec: {containers: [{name: c, image: i}]}\n' +
  '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: clients, namespace: ns-00}\n' +
  'spec: {podSelector: {matchLabels: {role: server}}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}]}]}\n';

const cases: readonly Case[] = [
  {
    name: 'a deployment isolated both ways, with named ports, ranges, except blocks and an invalid policy',
    args: ['shop/Deployment/web', 'shop'],
    code: 0,
    stdout: { golden: 'shop-web.txt' },
    stderr: '',
  },
  {
    name: 'the same as json',
    args: ['shop/Deployment/web', 'shop', '--format', 'json'],
    code: 0,
    stdout: { golden: 'shop-web.json' },
    stderr: '',
  },
  {
    name: 'ingress only',
    args: ['shop/deployment/web', 'shop', '--direction', 'ingress'],
    code: 0,
    stdout: { golden: 'shop-web-ingress.txt' },
    stderr: '',
  },
  {
    name: 'egress only, as json',
    args: ['shop/Deployment/web', 'shop', '--direction', 'egress', '--format', 'json'],
    code: 0,
    stdout: { golden: 'shop-web-egress.json' },
    stderr: '',
  },
  {
    name: 'a workload only the default deny selects: nothing allowed',
    args: ['shop/db', 'shop'],
    code: 0,
    stdout: { golden: 'shop-db.txt' },
    stderr: '',
  },
  {
    name: 'a workload no policy selects: open both ways',
    args: ['ops/grafana', 'shop'],
    code: 0,
    stdout:
      'Deployment/grafana in namespace ops (app=grafana)\n\n' +
      'Ingress (who can connect to it):\n' +
      '  not isolated: no NetworkPolicy selects it for ingress, so anyone can connect to it on every port\n\n' +
      'Egress (where it can connect):\n' +
      '  not isolated: no NetworkPolicy selects it for egress, so it can connect anywhere on every port\n',
    stderr: '',
  },
  {
    name: 'policyTypes defaulting, one peer versus two, a named port the pod lacks, an unmatched selector',
    args: ['app/api', 'semantics'],
    code: 0,
    stdout: { golden: 'semantics-api.txt' },
    stderr: '',
  },
  {
    name: 'a hostNetwork pod gets a note',
    args: ['tools/Pod/node-agent', 'semantics', '--direction', 'ingress'],
    code: 0,
    stdout: { golden: 'semantics-node-agent.txt' },
    stderr: '',
  },
  {
    name: 'manifests from stdin',
    args: ['x/Pod/p', '-', '--direction', 'egress'],
    stdin:
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x, labels: {a: b}}\nspec: {containers: [{name: c, image: i}]}\n---\n' +
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: x}\n' +
      'spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}\n',
    code: 0,
    stdout:
      'Pod/p in namespace x (a=b)\n\n' +
      'Egress (where it can connect):\n' +
      '  isolated by x/dns\n' +
      '  PORT    TO\n' +
      '  53/UDP  anyone (every pod and every address)\n' +
      '          (by x/dns spec.egress[0])\n',
    stderr: '',
  },
  {
    name: 'the table shows 50 peers of a port and counts the rest',
    args: ['ns-00/server', '-', '--direction', 'ingress'],
    stdin: manyPeers,
    code: 0,
    stdout: { golden: 'many-peers.txt' },
    stderr: '',
  },
  {
    name: 'a name two kinds share is ambiguous',
    args: ['shop/web', 'shop'],
    code: 2,
    stdout: '',
    stderr: 'bulwark reach: "web" names 2 workloads in namespace shop; say which: shop/CronJob/web, shop/Deployment/web\n',
  },
  {
    name: 'an unknown workload lists close matches',
    args: ['shop/frontnd', 'shop'],
    code: 2,
    stdout: '',
    stderr: 'bulwark reach: no workload "frontnd" in namespace shop; close matches:\n  shop/Deployment/frontend\n',
  },
  {
    name: 'with nothing close, every workload of the namespace is listed',
    args: ['ops/zzzzzzzz', 'shop'],
    code: 2,
    stdout: '',
    stderr: 'bulwark reach: no workload "zzzzzzzz" in namespace ops; close matches:\n  ops/Deployment/grafana\n  ops/Deployment/prometheus\n',
  },
  {
    name: 'a kind that does not hold the name',
    args: ['shop/StatefulSet/web', 'shop'],
    code: 2,
    stdout: '',
    stderr: 'bulwark reach: no workload "StatefulSet/web" in namespace shop; close matches:\n  shop/CronJob/web\n  shop/Deployment/web\n',
  },
  {
    name: 'an unknown namespace suggests a known one',
    args: ['shp/web', 'shop'],
    code: 2,
    stdout: '',
    stderr: 'bulwark reach: namespace "shp" has no workloads or policies in this input (did you mean "shop"?)\n',
  },
  {
    name: 'no workload argument',
    args: [],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: no workload given: name it as NAMESPACE/WORKLOAD, e.g. shop/web\n${USAGE_HINT}`,
  },
  {
    name: 'a workload without namespace',
    args: ['web', 'shop'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: "web" is not NAMESPACE/WORKLOAD or NAMESPACE/Kind/name (e.g. shop/web, shop/Deployment/web)\n${USAGE_HINT}`,
  },
  {
    name: 'too many slashes',
    args: ['shop/apps/Deployment/web', 'shop'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: "shop/apps/Deployment/web" is not NAMESPACE/WORKLOAD or NAMESPACE/Kind/name (e.g. shop/web, shop/Deployment/web)\n${USAGE_HINT}`,
  },
  {
    name: 'no PATH and no --kubeconfig',
    args: ['shop/web'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: no PATH given: name manifest files or folders (or - for stdin), or a cluster with --kubeconfig\n${USAGE_HINT}`,
  },
  {
    name: 'both PATH and --kubeconfig',
    args: ['shop/web', 'shop', '--kubeconfig', 'kc.yaml'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: give manifest PATHs or --kubeconfig, not both\n${USAGE_HINT}`,
  },
  {
    name: 'a bad --format',
    args: ['shop/web', 'shop', '--format', 'yaml'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: --format must be one of table, json (got "yaml")\n${USAGE_HINT}`,
  },
  {
    name: 'a bad --direction, with a suggestion',
    args: ['shop/web', 'shop', '--direction', 'ingres'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: --direction must be one of ingress, egress, both (got "ingres") (did you mean "ingress"?)\n${USAGE_HINT}`,
  },
  {
    name: 'an unknown option, with a suggestion',
    args: ['shop/web', 'shop', '--formt', 'json'],
    code: 2,
    stdout: '',
    stderr: `bulwark reach: unknown option --formt (did you mean "--format"?)\n${USAGE_HINT}`,
  },
  {
    name: 'a missing path is an input error, and the rest is still answered',
    args: ['ops/grafana', 'shop', 'missing.yaml', '--direction', 'ingress'],
    code: 2,
    stdout:
      'Deployment/grafana in namespace ops (app=grafana)\n\n' +
      'Ingress (who can connect to it):\n' +
      '  not isolated: no NetworkPolicy selects it for ingress, so anyone can connect to it on every port\n',
    stderr: 'error: missing.yaml: cannot read: no such file or directory\n',
  },
  {
    name: 'a malformed document is named, and the answer still printed',
    args: ['x/Pod/p', '-', '--direction', 'ingress'],
    stdin:
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c, image: i}]}\n---\n' +
      'kind: NetworkPolicy\nmetadata: [oops\n',
    code: 2,
    stdout:
      'Pod/p in namespace x (no labels)\n\n' +
      'Ingress (who can connect to it):\n' +
      '  not isolated: no NetworkPolicy selects it for ingress, so anyone can connect to it on every port\n',
    stderr: 'error: <stdin>#2: line 8, column 1: deficient indentation\n',
  },
];

describe('bulwark reach', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const out = await reach(c.args, c.stdin);
      if (typeof c.stdout === 'string') assert.equal(out.stdout, c.stdout);
      else assertGolden(c.stdout.golden, out.stdout);
      assert.equal(out.stderr, c.stderr);
      assert.equal(out.code, c.code);
    });
  }

  it('command.ts is a CommandModule, so main.ts loads it as every other command', async () => {
    const module: CommandModule = await import('../../../src/cli/reach/command.js');
    assert.match(module.usage, /^Usage: bulwark reach /);
  });

  it('--help prints the usage and exits 0', async () => {
    const out = await reach(['--help']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^Usage: bulwark reach NAMESPACE\/WORKLOAD \[PATH\.\.\.\] \[options\]\n/);
  });

  it('json is stable: two runs print the same bytes, and every peer carries its text', async () => {
    const first = await reach(['shop/Deployment/web', 'shop', '--format', 'json']);
    const second = await reach(['shop/Deployment/web', 'shop', '--format', 'json']);
    assert.equal(first.stdout, second.stdout);
    const doc = JSON.parse(first.stdout) as ReachDocument;
    assert.equal(doc.kind, 'Reach');
    for (const direction of [doc.ingress, doc.egress]) {
      for (const entry of direction?.entries ?? []) {
        assert.ok(entry.port.text.length > 0);
        for (const peer of entry.peers) assert.ok(peer.text.length > 0);
      }
    }
  });
});
