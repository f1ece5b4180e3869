/**
 * `bulwark reach NAMESPACE/WORKLOAD [PATH...] [--kubeconfig FILE]`: who can connect to a
 * workload and where it can connect, per direction and port, from the NetworkPolicies of
 * manifests or of a live cluster. The answer is engine/network/reach.ts `reachOf`; this
 * module reads the input, finds the workload and prints.
 *
 * Exit codes: 0 with an answer; 2 for a usage error, input that could not be read, or a
 * workload that does not exist (close matches are listed, since a typo is the usual
 * cause). Manifest diagnostics are printed on stderr and, like `bulwark scan`, an
 * unreadable input fails the run even when the answer is printed: a policy in the broken
 * file might have changed it.
 */
import type { KubeObject } from '../../engine/objects.js';
import { Inventory } from '../../engine/inventory.js';
import type { NetworkIndex, Workload } from '../../engine/network/network-index.js';
import { buildNetworkIndex, findWorkload } from '../../engine/network/network-index.js';
import { reachOf } from '../../engine/network/reach.js';
import { suggest } from '../../engine/policy.js';
import { loadManifests } from '../../manifests/load.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from '../io.js';
import type { DirectionChoice } from './render.js';
import { DIRECTION_CHOICES, renderJson, renderTable } from './render.js';

export const REACH_FORMATS = ['table', 'json'] as const;
export type ReachFormat = (typeof REACH_FORMATS)[number];

export const usage = `Usage: bulwark reach NAMESPACE/WORKLOAD [PATH...] [options]

Shows who can connect to a workload and where it can connect, per direction and port,
from NetworkPolicies as the API reference defines them: namespaces, workloads, IP blocks
(with their exceptions) or anyone, with the policy rules that allow each. WORKLOAD is a
name (web) or Kind/name (Deployment/web, statefulset/db); pods are grouped under their
top-level owner.

Reads manifests (files, folders, - for stdin) or, with --kubeconfig, a live cluster.

Options:
  --kubeconfig FILE    read the cluster of FILE's current context instead of manifests
  --format FORMAT      table (default) or json
  --direction DIR      ingress, egress or both (default)
  -h, --help           show this help

Exit codes: 0 answered; 2 usage error, unreadable input or unknown workload.

Examples:
  bulwark reach shop/web manifests/
  bulwark reach shop/Deployment/web --kubeconfig ~/.kube/config --direction ingress
  kustomize build overlays/prod | bulwark reach shop/web - --format json
`;

export interface ReachOptions {
  readonly namespace: string;
  readonly workload: string;
  readonly paths: readonly string[];
  readonly kubeconfig?: string;
  readonly format: ReachFormat;
  readonly direction: DirectionChoice;
}

export function parseReachArgs(args: readonly string[]): ReachOptions | 'help' {
  const parsed = parseCommandArgs(args, {
    kubeconfig: { type: 'string' },
    format: { type: 'string' },
    direction: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) return 'help';
  const [target, ...paths] = parsed.positionals;
  if (target === undefined) throw new UsageError('no workload given: name it as NAMESPACE/WORKLOAD, e.g. shop/web');
  const slash = target.indexOf('/');
  const namespace = slash > 0 ? target.slice(0, slash) : '';
  const workload = slash > 0 ? target.slice(slash + 1) : '';
  if (namespace === '' || workload === '' || workload.endsWith('/') || workload.split('/').length > 2) {
    throw new UsageError(`"${target}" is not NAMESPACE/WORKLOAD or NAMESPACE/Kind/name (e.g. shop/web, shop/Deployment/web)`);
  }
  const kubeconfig = stringOption(parsed, 'kubeconfig');
  if (kubeconfig !== undefined && paths.length > 0) {
    throw new UsageError('give manifest PATHs or --kubeconfig, not both');
  }
  if (kubeconfig === undefined && paths.length === 0) {
    throw new UsageError('no PATH given: name manifest files or folders (or - for stdin), or a cluster with --kubeconfig');
  }
  return {
    namespace,
    workload,
    paths,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    format: choice('format', stringOption(parsed, 'format') ?? 'table', REACH_FORMATS),
    direction: choice('direction', stringOption(parsed, 'direction') ?? 'both', DIRECTION_CHOICES),
  };
}

interface LoadedObjects {
  readonly objects: KubeObject[];
  /** Problems to print; `failed` when one of them makes the answer untrustworthy. */
  readonly messages: string[];
  readonly failed: boolean;
}

async function fromManifests(options: ReachOptions, io: CliIo): Promise<LoadedObjects> {
  const loaded = await loadManifests(options.paths, {
    cwd: io.cwd,
    ...(io.stdin !== undefined ? { stdin: io.stdin } : {}),
  });
  return {
    objects: loaded.objects.map((o) => o.object),
    messages: loaded.diagnostics.map((d) => `${d.severity}: ${d.path}: ${d.message}`),
    failed: loaded.diagnostics.some((d) => d.severity === 'error'),
  };
}

async function fromCluster(kubeconfig: string, io: CliIo): Promise<LoadedObjects> {
  // Loaded on demand: reading manifests must not pay for the Kubernetes client.
  const { KubeClient, loadKubeConfig } = await import('../../controller/kube-client.js');
  const { readClusterObjects } = await import('./cluster.js');
  let client: InstanceType<typeof KubeClient>;
  try {
    client = new KubeClient(loadKubeConfig(kubeconfig === '' ? undefined : kubeconfig), { userAgent: 'bulwark-reach' });
  } catch (error) {
    throw new UsageError(`cannot use kubeconfig ${kubeconfig}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  try {
    const read = await readClusterObjects(client);
    return { objects: read.objects, messages: read.warnings.map((w) => `warning: ${w}`), failed: false };
  } catch (error) {
    io.stderr.write(`bulwark reach: ${client.server}: ${error instanceof Error ? error.message : String(error)}\n`);
    return { objects: [], messages: [], failed: true };
  } finally {
    client.close();
  }
}

/** Names near the one asked for: same name in another kind, a prefix, or a small edit away. */
export function closeMatches(index: NetworkIndex, namespace: string, wanted: string): string[] {
  const bare = wanted.includes('/') ? wanted.slice(wanted.indexOf('/') + 1) : wanted;
  const names = index.workloads(namespace).map((w) => `${w.ref.kind}/${w.ref.name}`);
  const nameOf = (full: string): string => full.slice(full.indexOf('/') + 1);
  // The right name under another kind is the likeliest mistake; say only that when it is.
  const sameName = names.filter((full) => nameOf(full) === bare);
  if (sameName.length > 0) return sameName;
  const close = names.filter((full) => {
    const name = nameOf(full);
    return name.includes(bare) || bare.includes(name) || suggest(bare, [name]) !== '';
  });
  return close.length > 0 ? close : names;
}

function notFound(index: NetworkIndex, options: ReachOptions): string {
  const { namespace, workload } = options;
  if (!index.namespaces.has(namespace)) {
    const known = [...index.namespaces.keys()];
    return `namespace "${namespace}" has no workloads or policies in this input${suggest(namespace, known)}`;
  }
  const ambiguous = !workload.includes('/')
    ? index.workloads(namespace).filter((w) => w.ref.name === workload)
    : [];
  if (ambiguous.length > 1) {
    const kinds = ambiguous.map((w) => `${namespace}/${w.ref.kind}/${w.ref.name}`).join(', ');
    return `"${workload}" names ${ambiguous.length} workloads in namespace ${namespace}; say which: ${kinds}`;
  }
  const matches = closeMatches(index, namespace, workload);
  const listed = matches.length > 20 ? [...matches.slice(0, 20), `... and ${matches.length - 20} more`] : matches;
  return matches.length === 0
    ? `no workload "${workload}" in namespace ${namespace}, which has none`
    : `no workload "${workload}" in namespace ${namespace}; close matches:\n${listed.map((m) => `  ${namespace}/${m}`).join('\n')}`;
}

/** Loads the input and returns the workload's reach, or an exit code after printing why not. */
export async function run(args: readonly string[], io: CliIo, deps?: CliDeps): Promise<number> {
  void deps;
  const options = parseReachArgs(args);
  if (options === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const loaded = options.kubeconfig !== undefined ? await fromCluster(options.kubeconfig, io) : await fromManifests(options, io);
  for (const message of loaded.messages) io.stderr.write(`${message}\n`);
  if (options.kubeconfig !== undefined && loaded.failed) return EXIT_ERROR;

  const index = buildNetworkIndex(new Inventory(loaded.objects));
  const workload: Workload | undefined = findWorkload(index, options.namespace, options.workload);
  if (workload === undefined) {
    io.stderr.write(`bulwark reach: ${notFound(index, options)}\n`);
    return EXIT_ERROR;
  }
  const reach = reachOf(index, workload);
  io.stdout.write(options.format === 'json' ? renderJson(reach, options.direction) : renderTable(reach, options.direction));
  return loaded.failed ? EXIT_ERROR : EXIT_OK;
}
