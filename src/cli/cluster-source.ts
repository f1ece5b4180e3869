/**
 * Where the read-only commands (`can-i`, `who-can`, `access`) get their objects: manifests
 * (files, folders, - for stdin) through src/manifests `loadManifests`, or a live cluster
 * through `KubeClient.list`, in pages of 500 as the controller's reflector lists (SPEC §9).
 * `bulwark reach` has its own reader for its kinds (src/cli/reach/cluster.ts); this one is
 * generic over a list of resources, each required or optional.
 *
 * Over manifests, `includeDefaults` adds the API server's bootstrap RBAC policy of the
 * pinned Kubernetes version (data/rbac-bootstrap/, captured by tools/rbac-bootstrap/): a
 * live cluster already holds it, a folder of manifests never does, and without it
 * `system:authenticated`'s discovery rights or `cluster-admin` are missing from the answer.
 */
import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResourceDescriptor } from '../controller/kube-client.js';
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';
import { loadManifests } from '../manifests/load.js';
import { parseYamlDocuments } from '../manifests/yaml-documents.js';
import type { CliIo } from './io.js';
import { UsageError } from './io.js';

const PAGE_SIZE = 500;
/** The Kubernetes minor of the local control plane (tools/controlplane/bump.sh moves both). */
export const BOOTSTRAP_VERSION = 'v1.36';

export interface ListedResource {
  readonly resource: ResourceDescriptor;
  /** Without it the answer would be wrong, so failing to list it fails the command. */
  readonly required: boolean;
  /** What the answer lacks when an optional kind cannot be listed. */
  readonly cost?: string;
}

const rbac = (plural: string, kind: string, namespaced: boolean): ResourceDescriptor => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural,
  namespaced,
  kind,
});

/**
 * What the RBAC commands read. ServiceAccounts and Secrets only feed the escalation paths
 * (which accounts exist, which Secrets hold tokens), so a reader without access to them
 * still gets exact can-i and who-can answers.
 */
export const RBAC_RESOURCES: readonly ListedResource[] = [
  { resource: rbac('clusterroles', 'ClusterRole', false), required: true },
  { resource: rbac('clusterrolebindings', 'ClusterRoleBinding', false), required: true },
  { resource: rbac('roles', 'Role', true), required: true },
  { resource: rbac('rolebindings', 'RoleBinding', true), required: true },
  {
    resource: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' },
    required: false,
    cost: 'escalation paths cannot tell existing ServiceAccounts from named ones',
  },
  {
    resource: { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' },
    required: false,
    cost: 'escalation paths through Secrets holding ServiceAccount tokens are not found',
  },
];

export interface SourceOptions {
  readonly paths: readonly string[];
  readonly kubeconfig?: string;
  /** Over manifests: add the bootstrap policy (ignored for a live cluster, which has it). */
  readonly includeDefaults?: boolean;
}

export interface LoadedObjects {
  readonly objects: KubeObject[];
  /** Problems to print on stderr, already prefixed with their severity. */
  readonly messages: string[];
  /** One of the problems makes the answer untrustworthy. */
  readonly failed: boolean;
}

/** The part of `KubeClient` that listing needs, so tests can pass a fake. */
export interface ListingClient {
  list(
    resource: ResourceDescriptor,
    options: { readonly limit?: number; readonly continue?: string },
  ): Promise<{ readonly items: readonly unknown[]; readonly metadata: { readonly continue?: string } }>;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every object of one resource, page by page; list items carry no kind, so it is set here. */
export async function listAll(client: ListingClient, resource: ResourceDescriptor): Promise<KubeObject[]> {
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  const out: KubeObject[] = [];
  let next: string | undefined;
  do {
    const page = await client.list(resource, { limit: PAGE_SIZE, ...(next !== undefined ? { continue: next } : {}) });
    for (const item of page.items) {
      if (isRecord(item)) out.push({ ...item, apiVersion, kind: resource.kind } as KubeObject);
    }
    next = page.metadata.continue;
  } while (next !== undefined && next !== '');
  return out;
}

/** Lists each resource; a required one that fails fails the read, an optional one becomes a warning. */
export async function listResources(client: ListingClient, resources: readonly ListedResource[]): Promise<LoadedObjects> {
  const objects: KubeObject[] = [];
  const messages: string[] = [];
  for (const { resource, required, cost } of resources) {
    try {
      objects.push(...(await listAll(client, resource)));
    } catch (error) {
      if (required) return { objects, messages: [...messages, `error: cannot list ${resource.plural}: ${reason(error)}`], failed: true };
      messages.push(`warning: cannot list ${resource.plural} (${reason(error)})${cost !== undefined ? `; ${cost}` : ''}`);
    }
  }
  return { objects, messages, failed: false };
}

/** data/rbac-bootstrap/, found by walking up from this module (src/cli under tsx, dist/src/cli when built). */
export function bootstrapDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'data', 'rbac-bootstrap');
    try {
      if (readdirSync(candidate).length > 0) return candidate;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** The bootstrap RBAC objects of a Kubernetes minor version (`v1.36`). */
export async function loadBootstrapPolicy(version: string = BOOTSTRAP_VERSION): Promise<KubeObject[]> {
  const dir = bootstrapDir();
  if (dir === undefined) throw new UsageError('--include-defaults: the bootstrap policy (data/rbac-bootstrap/) is not installed');
  const file = join(dir, `${version}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--include-defaults: cannot read ${file}: ${reason(error)}`, { cause: error });
  }
  const out: KubeObject[] = [];
  for (const doc of parseYamlDocuments(text)) {
    if (isRecord(doc.value)) out.push(doc.value as KubeObject);
  }
  return out;
}

async function fromManifests(options: SourceOptions, io: CliIo): Promise<LoadedObjects> {
  const loaded = await loadManifests(options.paths, {
    cwd: io.cwd,
    ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
  });
  const objects = loaded.objects.map((o) => o.object);
  if (options.includeDefaults === true) objects.push(...(await loadBootstrapPolicy()));
  return {
    objects,
    messages: loaded.diagnostics.map((d) => `${d.severity}: ${d.path}: ${d.message}`),
    failed: loaded.diagnostics.some((d) => d.severity === 'error'),
  };
}

async function fromCluster(kubeconfig: string, resources: readonly ListedResource[], command: string): Promise<LoadedObjects> {
  // Loaded on demand: reading manifests must not pay for the Kubernetes client.
  const { KubeClient, loadKubeConfig } = await import('../controller/kube-client.js');
  let client: InstanceType<typeof KubeClient>;
  try {
    client = new KubeClient(loadKubeConfig(kubeconfig === '' ? undefined : kubeconfig), { userAgent: `bulwark-${command}` });
  } catch (error) {
    throw new UsageError(`cannot use kubeconfig ${kubeconfig}: ${reason(error)}`, { cause: error });
  }
  try {
    const read = await listResources(client, resources);
    return read.failed ? { ...read, messages: read.messages.map((m) => `${m} (${client.server})`) } : read;
  } finally {
    client.close();
  }
}

/** Reads the objects of manifests or of a live cluster; exactly one of `paths` and `kubeconfig`. */
export async function loadObjects(
  options: SourceOptions,
  io: CliIo,
  context: { readonly command: string; readonly resources: readonly ListedResource[] },
): Promise<LoadedObjects> {
  if (options.kubeconfig !== undefined) return fromCluster(options.kubeconfig, context.resources, context.command);
  return fromManifests(options, io);
}

/** The shared PATH / --kubeconfig rule: one or the other. */
export function checkSource(paths: readonly string[], kubeconfig: string | undefined): void {
  if (kubeconfig !== undefined && paths.length > 0) throw new UsageError('give manifest PATHs or --kubeconfig, not both');
  if (kubeconfig === undefined && paths.length === 0) {
    throw new UsageError('no PATH given: name manifest files or folders (or - for stdin), or a cluster with --kubeconfig');
  }
}
