/**
 * `bulwark who-can VERB RESOURCE[/SUBRESOURCE] [NAME] [-n NS | -A] [PATH...|--kubeconfig FILE]`:
 * every subject that a binding names and that may make the request, with the binding and
 * role that allow it (engine/rbac/permissions.ts `whoCan`, an index over rules, so a query
 * over 20,000 objects stays well under a second). Groups are listed as groups: RBAC does
 * not know their members, as kubectl-who-can reports them.
 *
 * Exit codes: 0 answered (also when nobody may); 2 usage error or unreadable input.
 */
import { parseResourceSpec } from '../../engine/rbac/authorize.js';
import { describeRef } from '../../engine/rbac/graph.js';
import type { NonResourceQuery, ResourceQuery, WhoCanEntry } from '../../engine/rbac/permissions.js';
import { whoCan } from '../../engine/rbac/permissions.js';
import { describeSubject } from '../../engine/rbac/subjects.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import { grantJson, loadRbacGraph, splitNameAndPaths } from '../can-i/command.js';
import { checkSource } from '../cluster-source.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from '../io.js';

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const usage = `Usage: bulwark who-can VERB RESOURCE[/SUBRESOURCE] [NAME] [options] [PATH...]
       bulwark who-can VERB /NON-RESOURCE-URL [options] [PATH...]

Lists the subjects (users, groups, ServiceAccounts) that bindings name and that may do VERB
on RESOURCE, each with where it holds (cluster-wide or a namespace) and the bindings and
roles that allow it, by the API server's RBAC rules (see 'bulwark can-i --help').
Groups are shown as groups; system:authenticated and system:serviceaccounts mean everyone
signed in and every ServiceAccount.

Reads manifests (files, folders, - for stdin) or, with --kubeconfig, a live cluster.
A third positional is NAME unless it is an existing file or folder (or -).

Options:
  -n, --namespace NS      the namespace of the request (default: default); cluster-wide
                          grants count too
  -A, --all-namespaces    every namespace, and cluster-wide
  --cluster               only cluster-wide (a request with no namespace)
  --name NAME             the object's name
  --kubeconfig FILE       read the cluster of FILE's current context instead of manifests
  --include-defaults      over manifests: add the bootstrap roles and bindings of Kubernetes v1.36
  --format FORMAT         table (default) or json
  -h, --help              show this help

Exit codes: 0 answered; 2 usage error or unreadable input.

Examples:
  bulwark who-can create pods -n shop manifests/
  bulwark who-can get secrets -A --kubeconfig ~/.kube/config --format json
  bulwark who-can escalate clusterroles --include-defaults manifests/
`;

export interface WhoCanOptions {
  readonly query: ResourceQuery | NonResourceQuery;
  readonly allNamespaces: boolean;
  readonly paths: readonly string[];
  readonly kubeconfig?: string;
  readonly includeDefaults: boolean;
  readonly format: Format;
}

export function parseWhoCanArgs(args: readonly string[], cwd: string): WhoCanOptions | 'help' {
  const parsed = parseCommandArgs(args, {
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    cluster: { type: 'boolean' },
    name: { type: 'string' },
    kubeconfig: { type: 'string' },
    'include-defaults': { type: 'boolean' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) return 'help';
  const kubeconfig = stringOption(parsed, 'kubeconfig');
  const [verb, spec, ...rest] = parsed.positionals;
  if (verb === undefined || spec === undefined) throw new UsageError('give VERB and RESOURCE, e.g. who-can create pods -n shop PATH');
  const split = splitNameAndPaths(rest, cwd, kubeconfig);
  const nameOption = stringOption(parsed, 'name');
  if (nameOption !== undefined && split.name !== '') throw new UsageError(`NAME given twice: "${split.name}" and --name ${nameOption}`);
  const name = nameOption ?? split.name;
  checkSource(split.paths, kubeconfig);
  const allNamespaces = booleanOption(parsed, 'all-namespaces');
  const cluster = booleanOption(parsed, 'cluster');
  const namespaceOption = stringOption(parsed, 'namespace');
  if ([allNamespaces, cluster, namespaceOption !== undefined].filter(Boolean).length > 1) {
    throw new UsageError('give at most one of -n NS, -A and --cluster');
  }
  const common = {
    allNamespaces,
    paths: split.paths,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    includeDefaults: booleanOption(parsed, 'include-defaults'),
    format: choice('format', stringOption(parsed, 'format') ?? 'table', FORMATS),
  };
  if (spec.startsWith('/')) return { query: { verb, path: spec }, ...common };
  const { resource, apiGroup, subresource } = parseResourceSpec(spec);
  if (resource === '') throw new UsageError(`"${spec}" names no resource`);
  const namespace = cluster || allNamespaces ? '' : (namespaceOption ?? 'default');
  return { query: { verb, apiGroup, resource, subresource, name, namespace }, ...common };
}

function where(entry: WhoCanEntry): string {
  return entry.namespace === '' ? '(cluster-wide)' : entry.namespace;
}

export function renderTable(entries: readonly WhoCanEntry[]): string {
  if (entries.length === 0) return 'No subject may do this.\n';
  const rows = entries.map((entry) => {
    const ways = [...new Set(entry.grants.map((g) => `${describeRef(g.binding)} → ${describeRef(g.role)}`))];
    return [describeSubject(entry.subject), where(entry), ways.join('; ')] as const;
  });
  const header = ['SUBJECT', 'WHERE', 'THROUGH'] as const;
  const w0 = Math.max(header[0].length, ...rows.map((r) => r[0].length));
  const w1 = Math.max(header[1].length, ...rows.map((r) => r[1].length));
  const line = (r: readonly [string, string, string]): string => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function renderJson(query: ResourceQuery | NonResourceQuery, entries: readonly WhoCanEntry[]): string {
  return `${JSON.stringify(
    {
      query,
      subjects: entries.map((e) => ({ subject: { ...e.subject }, namespace: e.namespace, grants: e.grants.map(grantJson) })),
    },
    null,
    2,
  )}\n`;
}

export async function run(args: readonly string[], io: CliIo, deps?: CliDeps): Promise<number> {
  void deps;
  const options = parseWhoCanArgs(args, io.cwd);
  if (options === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const { graph, loaded } = await loadRbacGraph(options, io, 'who-can');
  if (options.kubeconfig !== undefined && loaded.failed) return EXIT_ERROR;
  const entries = whoCan(graph, options.query, { allNamespaces: options.allNamespaces });
  io.stdout.write(options.format === 'json' ? renderJson(options.query, entries) : renderTable(entries));
  return loaded.failed ? EXIT_ERROR : EXIT_OK;
}
