/**
 * Refreshes data/rbac-bootstrap/<version>.yaml: the API server's bootstrap RBAC policy
 * (every ClusterRole and ClusterRoleBinding, and the Roles and RoleBindings of kube-system
 * and kube-public labelled `kubernetes.io/bootstrapping=rbac-defaults`), captured from a
 * freshly started local control plane of the pinned version, so `bulwark can-i
 * --include-defaults` over manifests answers as a new cluster of that version would.
 *
 * Run: `node --import tsx tools/rbac-bootstrap/capture.ts` (after tools/controlplane/bump.sh
 * moves the pinned version). It waits until the aggregation controller has filled the
 * aggregated ClusterRoles (admin, edit, view...) so their rules are in the capture; the
 * aggregationRule is kept too, so the engine resolves them either way.
 *
 * Server-set metadata (uid, resourceVersion, creationTimestamp, managedFields, the
 * autoupdate annotation's neighbours) is stripped: the file must not change between runs.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { startLocalCluster } from '../../src/localcluster/index.js';

const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping=rbac-defaults';
const KEPT_METADATA = ['name', 'namespace', 'labels', 'annotations'] as const;

type Json = Record<string, unknown>;

function strip(item: Json, resource: Kind): Json {
  const metadata = (item['metadata'] ?? {}) as Json;
  const kept: Json = {};
  for (const key of KEPT_METADATA) if (metadata[key] !== undefined) kept[key] = metadata[key];
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = item;
  void _m;
  void _a;
  void _k;
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: resource.kind, metadata: kept, ...rest };
}

interface Kind {
  readonly plural: string;
  readonly kind: string;
}
const CLUSTER_ROLES: Kind = { plural: 'clusterroles', kind: 'ClusterRole' };
const CLUSTER_ROLE_BINDINGS: Kind = { plural: 'clusterrolebindings', kind: 'ClusterRoleBinding' };
const ROLES: Kind = { plural: 'roles', kind: 'Role' };
const ROLE_BINDINGS: Kind = { plural: 'rolebindings', kind: 'RoleBinding' };

// kubectl rather than the Kubernetes client: it pages for us and runs on any Node version.
async function listAll(kubectl: string, kubeconfig: string, kind: Kind, labelSelector?: string): Promise<Json[]> {
  const args = ['--kubeconfig', kubeconfig, 'get', `${kind.plural}.rbac.authorization.k8s.io`, '-o', 'json', '--chunk-size=500'];
  if (labelSelector !== undefined) args.push('-A', '-l', labelSelector);
  const { stdout } = await promisify(execFile)(kubectl, args, { maxBuffer: 256 * 1024 * 1024 });
  return ((JSON.parse(stdout) as { items?: Json[] }).items ?? []);
}

function key(o: Json): string {
  const m = o['metadata'] as Json;
  return `${String(o['kind'])}/${String(m['namespace'] ?? '')}/${String(m['name'])}`;
}

// The controller fills aggregated roles within a second or two of start; give it 30.
async function waitForAggregation(kubectl: string, kubeconfig: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const roles = await listAll(kubectl, kubeconfig, CLUSTER_ROLES);
    const empty = roles.filter((r) => r['aggregationRule'] !== undefined && !(Array.isArray(r['rules']) && r['rules'].length > 0));
    if (empty.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('aggregated ClusterRoles were not filled within 30 s');
}

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const cluster = await startLocalCluster({ log: (line) => process.stderr.write(`${line}\n`) });
  try {
    const { stdout } = await promisify(execFile)(cluster.binaries.kubeApiServer, ['--version']);
    const full = /v\d+\.\d+\.\d+/.exec(stdout)?.[0];
    if (full === undefined) throw new Error(`cannot read the version from "${stdout.trim()}"`);
    const minor = full.replace(/\.\d+$/, '');
    const kubectl = cluster.binaries.kubectl;
    if (kubectl === undefined) throw new Error('no kubectl: run tools/controlplane/build.sh');
    const kubeconfig = cluster.kubeconfigPath;
    {
      await waitForAggregation(kubectl, kubeconfig);
      const objects: Json[] = [];
      for (const resource of [CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS]) {
        for (const item of await listAll(kubectl, kubeconfig, resource)) objects.push(strip(item, resource));
      }
      for (const resource of [ROLES, ROLE_BINDINGS]) {
        for (const item of await listAll(kubectl, kubeconfig, resource, BOOTSTRAP_LABEL)) {
          const ns = (item['metadata'] as Json)['namespace'];
          if (ns === 'kube-system' || ns === 'kube-public') objects.push(strip(item, resource));
        }
      }
      objects.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const header = `# The RBAC bootstrap policy of Kubernetes ${full} (${objects.length} objects), as a fresh API server\n# creates it. Generated by tools/rbac-bootstrap/capture.ts; do not edit.\n`;
      const body = objects.map((o) => dump(o, { noRefs: true, lineWidth: -1, sortKeys: false })).join('---\n');
      const file = join(root, 'data', 'rbac-bootstrap', `${minor}.yaml`);
      await writeFile(file, `${header}${body}`);
      process.stdout.write(`wrote ${file}: ${objects.length} objects of ${full}\n`);
    }
  } finally {
    await cluster.stop();
  }
}

await main();
