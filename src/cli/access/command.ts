/**
 * `bulwark access SUBJECT [--paths] [PATH...|--kubeconfig FILE]`: a subject's effective
 * permissions as a compact matrix, resources × verbs, cluster-wide and per namespace
 * (engine/rbac/permissions.ts `permissionsOf`), as rakkess shows them but from the RBAC
 * objects rather than by asking the server question after question. `--paths` adds the
 * escalation paths (engine/rbac/escalation.ts): what the subject can become, each step
 * naming the binding and role that enable it.
 *
 * The subject is analysed with the groups the authenticator always gives it
 * (engine/rbac/subjects.ts `identityOf`): a ServiceAccount is in system:serviceaccounts,
 * system:serviceaccounts:NS and system:authenticated; a user in system:authenticated.
 *
 * Exit codes: 0 answered; 2 usage error or unreadable input.
 */
import type { EscalationPath } from '../../engine/rbac/escalation.js';
import { describePath, describeTarget, ESCALATION_PATH_LIMIT, escalationPaths } from '../../engine/rbac/escalation.js';
import { describeRef } from '../../engine/rbac/graph.js';
import type { Grant } from '../../engine/rbac/permissions.js';
import { permissionsOf } from '../../engine/rbac/permissions.js';
import type { Subject } from '../../engine/rbac/subjects.js';
import { describeSubject, identityOf, parseServiceAccountUser } from '../../engine/rbac/subjects.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import { grantJson, loadRbacGraph } from '../can-i/command.js';
import { checkSource } from '../cluster-source.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from '../io.js';

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];
/** The matrix columns; any other verb a rule names is listed after the row. */
export const MATRIX_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

export const usage = `Usage: bulwark access SUBJECT [options] [PATH...]

Shows what SUBJECT may do: a matrix of resources × verbs, cluster-wide (from
ClusterRoleBindings, in force in every namespace) and per namespace (from RoleBindings,
in addition to the cluster-wide rows). SUBJECT is User:alice, Group:devs,
ServiceAccount:NS/NAME or system:serviceaccount:NS:NAME (a bare name is a User).
The subject holds the groups the API server always gives it as well: system:authenticated,
and for a ServiceAccount system:serviceaccounts and system:serviceaccounts:NS.

Cells: ✓ allowed, N only on the named objects (resourceNames), . not allowed. Resource
names are resource.group for groups other than core; * is every resource or group.

Options:
  --paths                 also show escalation paths: what the subject can become (pods
                          running as other ServiceAccounts, tokens, impersonation, bind and
                          escalate), each step naming the objects that enable it
  -n, --namespace NS      show only cluster-wide rows and NS
  --kubeconfig FILE       read the cluster of FILE's current context instead of manifests
  --include-defaults      over manifests: add the bootstrap roles and bindings of Kubernetes v1.36
  --format FORMAT         table (default) or json
  -h, --help              show this help

Exit codes: 0 answered; 2 usage error or unreadable input.

Examples:
  bulwark access ServiceAccount:shop/web manifests/
  bulwark access system:serviceaccount:ci:deployer --paths --kubeconfig ~/.kube/config
  bulwark access Group:devs -n shop --format json manifests/
`;

export interface AccessOptions {
  readonly subject: Subject;
  readonly namespace: string | undefined;
  readonly paths: readonly string[];
  readonly kubeconfig?: string;
  readonly includeDefaults: boolean;
  readonly escalation: boolean;
  readonly format: Format;
}

/** `User:alice`, `Group:devs`, `ServiceAccount:ns/name`, `system:serviceaccount:ns:name`, or a bare user name. */
export function parseSubjectSpec(spec: string): Subject {
  const sa = parseServiceAccountUser(spec);
  if (sa !== undefined) return { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name };
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const rest = colon < 0 ? spec : spec.slice(colon + 1);
  const lower = kind.toLowerCase();
  if (lower === 'user' || lower === 'group') {
    if (rest === '') throw new UsageError(`"${spec}" names no ${kind}`);
    return { kind: lower === 'user' ? 'User' : 'Group', name: rest };
  }
  if (lower === 'serviceaccount' || lower === 'sa') {
    const [namespace = '', name = '', extra] = rest.split('/');
    if (namespace === '' || name === '' || extra !== undefined) throw new UsageError(`"${spec}" is not ServiceAccount:NAMESPACE/NAME`);
    return { kind: 'ServiceAccount', namespace, name };
  }
  if (kind !== '' && !spec.startsWith('system:')) {
    throw new UsageError(`unknown subject kind "${kind}" in "${spec}": use User:, Group: or ServiceAccount:`);
  }
  if (spec === '') throw new UsageError('no SUBJECT given');
  return { kind: 'User', name: spec };
}

export function parseAccessArgs(args: readonly string[]): AccessOptions | 'help' {
  const parsed = parseCommandArgs(args, {
    paths: { type: 'boolean' },
    namespace: { type: 'string', short: 'n' },
    kubeconfig: { type: 'string' },
    'include-defaults': { type: 'boolean' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) return 'help';
  const [spec, ...paths] = parsed.positionals;
  if (spec === undefined) throw new UsageError('no SUBJECT given: e.g. User:alice, Group:devs, ServiceAccount:shop/web');
  const kubeconfig = stringOption(parsed, 'kubeconfig');
  checkSource(paths, kubeconfig);
  return {
    subject: parseSubjectSpec(spec),
    namespace: stringOption(parsed, 'namespace'),
    paths,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    includeDefaults: booleanOption(parsed, 'include-defaults'),
    escalation: booleanOption(parsed, 'paths'),
    format: choice('format', stringOption(parsed, 'format') ?? 'table', FORMATS),
  };
}

type Cell = 'all' | 'named';

interface Row {
  readonly resource: string;
  readonly verbs: Map<string, Cell>;
}

/** kubectl's spelling: `deployments.apps/scale`. */
function resourceLabel(group: string, resource: string): string {
  if (group === '') return resource;
  const slash = resource.indexOf('/');
  return slash < 0 ? `${resource}.${group}` : `${resource.slice(0, slash)}.${group}${resource.slice(slash)}`;
}

const HEADINGS: Readonly<Record<string, string>> = { deletecollection: 'delcol' };

/** Rows of a matrix: one per (group, resource) a rule names, the verbs merged; names-only loses to all. */
export function matrixOf(grants: readonly Grant[]): { rows: Row[]; urls: Map<string, Set<string>> } {
  const rows = new Map<string, Row>();
  const urls = new Map<string, Set<string>>();
  for (const { rule } of grants) {
    const cell: Cell = rule.resourceNames.length > 0 ? 'named' : 'all';
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const label = resourceLabel(group, resource);
        let row = rows.get(label);
        if (row === undefined) rows.set(label, (row = { resource: label, verbs: new Map() }));
        for (const verb of rule.verbs) if (row.verbs.get(verb) !== 'all') row.verbs.set(verb, cell);
      }
    }
    for (const url of rule.nonResourceURLs) {
      let verbs = urls.get(url);
      if (verbs === undefined) urls.set(url, (verbs = new Set()));
      for (const verb of rule.verbs) verbs.add(verb);
    }
  }
  const sorted = [...rows.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  return { rows: sorted, urls };
}

function cellFor(row: Row, verb: string): string {
  const cell = row.verbs.get(verb) ?? row.verbs.get('*');
  return cell === 'all' ? '✓' : cell === 'named' ? 'N' : '.';
}

function renderMatrix(title: string, grants: readonly Grant[]): string[] {
  const { rows, urls } = matrixOf(grants);
  if (rows.length === 0 && urls.size === 0) return [];
  const width = Math.max(8, ...rows.map((r) => r.resource.length));
  const lines = [title, `  ${'RESOURCE'.padEnd(width)}  ${MATRIX_VERBS.map((v) => (HEADINGS[v] ?? v).padEnd(6)).join(' ')}  OTHER`];
  for (const row of rows) {
    const others = [...row.verbs.keys()].filter((v) => v !== '*' && !(MATRIX_VERBS as readonly string[]).includes(v)).sort();
    const cells = MATRIX_VERBS.map((v) => cellFor(row, v).padEnd(6)).join(' ');
    lines.push(`  ${row.resource.padEnd(width)}  ${cells}  ${others.join(',')}`.trimEnd());
  }
  for (const [url, verbs] of [...urls].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`  URL ${url}: ${[...verbs].sort().join(',')}`);
  }
  return lines;
}

function sources(grants: readonly Grant[]): string {
  return [...new Set(grants.map((g) => `${describeRef(g.binding)} → ${describeRef(g.role)}`))].join('; ');
}

function pathJson(path: EscalationPath): object {
  return {
    description: describePath(path),
    steps: path.steps.map((step) => ({
      kind: step.kind,
      action: step.action,
      namespace: step.namespace,
      via: step.via.map(grantJson),
      target: describeTarget(step.target),
    })),
    gains: path.gains,
  };
}

export async function run(args: readonly string[], io: CliIo, deps?: CliDeps): Promise<number> {
  void deps;
  const options = parseAccessArgs(args);
  if (options === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const { graph, loaded } = await loadRbacGraph(options, io, 'access');
  if (options.kubeconfig !== undefined && loaded.failed) return EXIT_ERROR;
  const subject = options.subject;
  if (subject.kind === 'ServiceAccount' && subject.namespace !== undefined && graph.namespaces.length > 0) {
    const known = graph.serviceAccounts.get(subject.namespace)?.has(subject.name) === true;
    if (!known) io.stderr.write(`note: no ServiceAccount object ${subject.namespace}/${subject.name} in this input; bindings to it are shown anyway\n`);
  }
  const permissions = permissionsOf(graph, identityOf(subject));
  const namespaces = [...permissions.namespaces.keys()]
    .filter((ns) => options.namespace === undefined || ns === options.namespace)
    .sort();
  const paths = options.escalation ? escalationPaths(graph, subject, { maxPaths: ESCALATION_PATH_LIMIT }) : [];
  if (options.format === 'json') {
    const doc = {
      subject: { ...subject },
      groups: identityOf(subject).groups,
      cluster: permissions.cluster.map(grantJson),
      namespaces: Object.fromEntries(namespaces.map((ns) => [ns, (permissions.namespaces.get(ns) ?? []).map(grantJson)])),
      ...(options.escalation ? { escalationPaths: paths.map(pathJson) } : {}),
    };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return loaded.failed ? EXIT_ERROR : EXIT_OK;
  }
  const lines = [`${describeSubject(subject)} (groups: ${identityOf(subject).groups.join(', ')})`];
  const cluster = renderMatrix(`\nCluster-wide and in every namespace (${sources(permissions.cluster)}):`, permissions.cluster);
  lines.push(...(cluster.length > 0 ? cluster : ['\nCluster-wide: nothing']));
  for (const ns of namespaces) {
    const grants = permissions.namespaces.get(ns) ?? [];
    lines.push(...renderMatrix(`\nIn namespace ${ns}, in addition (${sources(grants)}):`, grants));
  }
  if (options.escalation) {
    lines.push('', paths.length === 0 ? 'Escalation paths: none found' : `Escalation paths (${paths.length}${paths.length >= ESCALATION_PATH_LIMIT ? ', the shortest' : ''}):`);
    for (const path of paths) lines.push(`  - ${describePath(path)}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return loaded.failed ? EXIT_ERROR : EXIT_OK;
}
