/**
 * Whatever the input, the scanner answers: arbitrary objects, mutated manifests, random
 * text and huge or deeply nested documents never crash the loader or a scan (with the real
 * catalogue), and the exit code is always one of 0, 1, 2.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { Readable } from 'node:stream';
import { defaultDeps } from '../../src/cli/main.js';
import { loadManifests } from '../../src/manifests/load.js';
import { runCli } from './support.js';

const KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Namespace',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'NetworkPolicy',
  'Secret',
  'Widget',
];

const TEMPLATE = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        serviceAccountName: 'web',
        hostNetwork: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        initContainers: [{ name: 'init', image: 'busybox:1.36' }],
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            env: [{ name: 'A', value: 'b' }],
            ports: [{ containerPort: 80, hostPort: 0 }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    },
  },
};

/** Every path into a value, so a mutation can replace any one field. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head as string | number] = replaceAt(copy[head as string | number], rest, replacement);
  return copy;
}

const TEMPLATE_PATHS = paths(TEMPLATE).filter((p) => p.length > 0);
const junk = fc.oneof(fc.anything({ maxDepth: 3 }), fc.constantFrom(null, '', 0, -1, [], {}, ['*'], 'ALL', true, 'latest', 1e300));

const arbitraryObject = fc.record({
  apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'networking.k8s.io/v1'), fc.string()),
  kind: fc.constantFrom(...KINDS),
  metadata: fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), namespace: fc.constantFrom('shop', 'default', 'kube-system'), labels: junk, ownerReferences: junk }),
  spec: junk,
  rules: junk,
  subjects: junk,
  roleRef: junk,
  aggregationRule: junk,
  automountServiceAccountToken: junk,
});

async function scanText(text: string): Promise<void> {
  const run = await runCli(['scan', '-', '--format', 'json'], { stdin: text, deps: defaultDeps });
  assert.ok([0, 1, 2].includes(run.code), `exit ${run.code}`);
  assert.doesNotMatch(run.stderr, /internal error/, run.stderr);
  // Whatever happened, the report is complete JSON.
  JSON.parse(run.stdout);
}

describe('the scanner on arbitrary input (property)', function () {
  this.timeout(300_000);

  it('never crashes on arbitrary objects of every kind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryObject, { minLength: 1, maxLength: 6 }), async (objects) => {
        await scanText(objects.map((o) => dump(o, { skipInvalid: true })).join('---\n'));
      }),
      { numRuns: 150 },
    );
  });

  it('never crashes on a manifest with any one field replaced by junk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TEMPLATE_PATHS), junk, fc.constantFrom(...KINDS), async (path, value, kind) => {
        const mutated = replaceAt({ ...TEMPLATE, kind }, path, value);
        const text = JSON.stringify(mutated);
        await scanText(text);
      }),
      { numRuns: 300 },
    );
  });

  it('never crashes on random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (text) => {
        await scanText(text);
      }),
      { numRuns: 150 },
    );
  });

  interface Extreme {
    readonly name: string;
    readonly text: () => string;
    readonly objects: number;
  }
  const extremes: Extreme[] = [
    {
      name: 'a document nested 10,000 levels deep',
      text: () => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      objects: -1,
    },
    {
      name: 'a block mapping nested 3,000 levels deep',
      text: () => `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(2 * (i + 1))}k${i}:`).join('\n')} 1\n`,
      objects: -1,
    },
    {
      name: 'a pod with 20,000 containers',
      text: () =>
        `apiVersion: v1\nkind: Pod\nmetadata: {name: wide, namespace: shop}\nspec:\n  containers:\n${Array.from({ length: 20_000 }, (_, i) => `  - name: c${i}\n    image: nginx:latest\n    securityContext: {privileged: true}\n`).join('')}`,
      objects: 1,
    },
    {
      name: '5,000 documents in one stream',
      text: () => Array.from({ length: 5000 }, (_, i) => `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa-${i}, namespace: shop}\n`).join('---\n'),
      objects: 5000,
    },
    {
      name: 'a 2 MB string value',
      text: () => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: shop}\ndata:\n  blob: "${'x'.repeat(2_000_000)}"\n`,
      objects: 1,
    },
  ];
  for (const extreme of extremes) {
    it(`loads and scans ${extreme.name}`, async () => {
      const text = extreme.text();
      const loaded = await loadManifests(['-'], { stdin: Readable.from([text]) });
      if (extreme.objects >= 0) assert.equal(loaded.objects.length, extreme.objects, JSON.stringify(loaded.diagnostics.slice(0, 3)));
      await scanText(text);
    });
  }
});
