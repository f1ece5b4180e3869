/**
 * `bulwark can-i VERB RESOURCE[/SUBRESOURCE] [NAME] --as USER [PATH...|--kubeconfig FILE]`:
 * yes or no, exactly as the API server's RBAC authorizer answers (engine/rbac/authorize.ts),
 * over manifests or the RBAC objects of a live cluster. `--from FILE` answers many
 * SubjectAccessReview specs in one run, one JSON line each, for bulk audits and for the
 * e2e oracle that compares us with the API server.
 *
 * Exit codes: 0 yes (or `--from` answered every line); 1 no; 2 usage error or unreadable
 * input. Manifest diagnostics go to stderr and, as in `bulwark scan`, a broken input file
 * fails the run even when the answer is printed: a binding in it might have changed it.
 */
import { createReadStream } from 'node:fs';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Inventory } from '../../engine/inventory.js';
import type { AccessRequest, Decision } from '../../engine/rbac/authorize.js';
import { authorize, isNonResourceRequest, parseResourceSpec } from '../../engine/rbac/authorize.js';
import type { RbacGraph } from '../../engine/rbac/graph.js';
import { buildRbacGraph, describeRef } from '../../engine/rbac/graph.js';
import type { Grant } from '../../engine/rbac/permissions.js';
import { describeRule } from '../../engine/rbac/rules.js';
import { describeSubject, impersonatedIdentity } from '../../engine/rbac/subjects.js';
import { booleanOption, choice, parseCommandArgs, stringOption } from '../args.js';
import type { LoadedObjects } from '../cluster-source.js';
import { checkSource, loadObjects, RBAC_RESOURCES } from '../cluster-source.js';
import type { CliDeps, CliIo } from '../io.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from '../io.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const EXIT_NO = 1;

export const usage = `Usage: bulwark can-i VERB RESOURCE[/SUBRESOURCE] [NAME] --as USER [options] [PATH...]
       bulwark can-i VERB /NON-RESOURCE-URL --as USER [options] [PATH...]
       bulwark can-i --from FILE [PATH...]

Answers whether USER may do VERB on RESOURCE exactly as the API server's RBAC authorizer
would: verbs, API groups, resources and subresources with their wildcards, resourceNames,
non-resource URLs with a trailing *, RoleBindings to ClusterRoles in their namespace,
ServiceAccount subjects and aggregated ClusterRoles (resolved from their selectors when the
manifests do not carry the filled-in rules). Members of system:masters may do anything, as
on the API server.

RESOURCE is a plural (pods, deployments), kubectl's resource.group (widgets.example.com),
with /SUBRESOURCE (pods/exec). Built-in resources find their group by themselves.

Identity: --as acts as 'kubectl auth can-i --as' does, by the API server's impersonation
rules: every user but system:anonymous is also in system:authenticated; a ServiceAccount
user (system:serviceaccount:NS:NAME) given no --as-group is also in system:serviceaccounts
and system:serviceaccounts:NS. Groups given with --as-group replace those two.

Reads manifests (files, folders, - for stdin) or, with --kubeconfig, the RBAC objects of a
live cluster (which include its built-in roles; for manifests add --include-defaults).
A third positional is NAME unless it is an existing file or folder (or -); use --name for
a NAME that is also a path.

Options:
  --as USER               the user to ask for (required unless --from)
  --as-group GROUP        a group of the user; repeatable
  -n, --namespace NS      the namespace of the request (default: default)
  -A, --all-namespaces    ask cluster-wide (namespace ''), as kubectl -A does
  --name NAME             the object's name
  --kubeconfig FILE       read the cluster of FILE's current context instead of manifests
  --include-defaults      over manifests: add the bootstrap roles and bindings of Kubernetes
                          v1.36 (cluster-admin, system:discovery, ...)
  --from FILE             one SubjectAccessReview spec as JSON per line (- for stdin); one
                          answer per line: {"allowed":true|false,"reason":"..."}; the spec's
                          groups are taken as given, as the API server takes them
  -v, --verbose           show the bindings and rules that grant it
  --format FORMAT         text (default) or json
  -h, --help              show this help

Exit codes: 0 yes (with --from: every line answered); 1 no; 2 usage error or unreadable input.

Examples:
  bulwark can-i create pods --as alice -n shop manifests/
  bulwark can-i get secrets/db-password --as system:serviceaccount:shop:web -n shop -v manifests/
  bulwark can-i get /healthz --as bob --include-defaults manifests/
  bulwark can-i list widgets.example.com --as alice --as-group devs --kubeconfig ~/.kube/config
  bulwark can-i --from questions.jsonl --kubeconfig ~/.kube/config
`;

export interface CanIOptions {
  readonly request: AccessRequest | undefined;
  readonly from: string | undefined;
  readonly paths: readonly string[];
  readonly kubeconfig?: string;
  readonly includeDefaults: boolean;
  readonly verbose: boolean;
  readonly format: Format;
}

/**
 * kubectl's can-i takes VERB TYPE [NAME]; we also take PATHs, so a third positional is the
 * NAME only when it is not something to read. A NAME equal to a path needs --name.
 */
export function splitNameAndPaths(rest: readonly string[], cwd: string, kubeconfig: string | undefined): { name: string; paths: string[] } {
  const [first, ...others] = rest;
  if (first === undefined) return { name: '', paths: [] };
  const isPath = first === '-' || existsSync(isAbsolute(first) ? first : join(cwd, first));
  if (kubeconfig !== undefined || !isPath) return { name: first, paths: others };
  return { name: '', paths: [...rest] };
}

/** Cluster-scoped built-ins: a request for them carries no namespace on the API server. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'namespaces',
  'nodes',
  'persistentvolumes',
  'componentstatuses',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'customresourcedefinitions',
  'apiservices',
  'tokenreviews',
  'selfsubjectreviews',
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'subjectaccessreviews',
  'certificatesigningrequests',
  'ingressclasses',
  'runtimeclasses',
  'clusterrolebindings',
  'clusterroles',
  'priorityclasses',
  'csidrivers',
  'csinodes',
  'storageclasses',
  'volumeattachments',
]);

export function parseCanIArgs(args: readonly string[], cwd: string): CanIOptions | 'help' {
  const parsed = parseCommandArgs(args, {
    as: { type: 'string' },
    'as-group': { type: 'string', multiple: true },
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    name: { type: 'string' },
    kubeconfig: { type: 'string' },
    'include-defaults': { type: 'boolean' },
    from: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (booleanOption(parsed, 'help')) return 'help';
  const kubeconfig = stringOption(parsed, 'kubeconfig');
  const from = stringOption(parsed, 'from');
  const common = {
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    includeDefaults: booleanOption(parsed, 'include-defaults'),
    verbose: booleanOption(parsed, 'verbose'),
    format: choice('format', stringOption(parsed, 'format') ?? 'text', FORMATS),
  };
  if (from !== undefined) {
    for (const option of ['as', 'as-group', 'namespace', 'name']) {
      if (parsed.values[option] !== undefined) throw new UsageError(`--${option} does not go with --from: each line says who asks`);
    }
    checkSource(parsed.positionals, kubeconfig);
    return { request: undefined, from, paths: parsed.positionals, ...common };
  }
  const [verb, spec, ...rest] = parsed.positionals;
  if (verb === undefined || spec === undefined) throw new UsageError('give VERB and RESOURCE, e.g. can-i create pods --as alice PATH');
  const user = stringOption(parsed, 'as');
  if (user === undefined || user === '') throw new UsageError('--as USER is required: say who asks (e.g. --as alice, --as system:serviceaccount:shop:web)');
  const groupValues = parsed.values['as-group'];
  const groups = Array.isArray(groupValues) ? groupValues.filter((g): g is string => typeof g === 'string') : [];
  const identity = impersonatedIdentity(user, groups);
  const split = splitNameAndPaths(rest, cwd, kubeconfig);
  const nameOption = stringOption(parsed, 'name');
  if (nameOption !== undefined && split.name !== '') throw new UsageError(`NAME given twice: "${split.name}" and --name ${nameOption}`);
  const name = nameOption ?? split.name;
  checkSource(split.paths, kubeconfig);
  if (spec.startsWith('/')) {
    if (name !== '') throw new UsageError(`a non-resource URL (${spec}) takes no NAME`);
    return { request: { ...identity, verb, path: spec }, from: undefined, paths: split.paths, ...common };
  }
  const { resource, apiGroup, subresource } = parseResourceSpec(spec);
  if (resource === '') throw new UsageError(`"${spec}" names no resource`);
  const allNamespaces = booleanOption(parsed, 'all-namespaces');
  const namespaceOption = stringOption(parsed, 'namespace');
  if (allNamespaces && namespaceOption !== undefined) throw new UsageError('give -n NS or -A, not both');
  const namespace = allNamespaces || (apiGroup === parseResourceSpec(resource).apiGroup && CLUSTER_SCOPED.has(resource)) ? '' : (namespaceOption ?? 'default');
  return {
    request: { ...identity, verb, apiGroup, resource, subresource, name, namespace },
    from: undefined,
    paths: split.paths,
    ...common,
  };
}

export interface GrantJson {
  readonly binding: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly role: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly subject: { readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly ruleIndex: number;
  readonly rule: string;
  readonly aggregatedFrom?: string;
}

export function grantJson(grant: Grant): GrantJson {
  return {
    binding: { ...grant.binding },
    role: { ...grant.role },
    subject: { ...grant.subject },
    ruleIndex: grant.ruleIndex,
    rule: describeRule(grant.rule),
    ...(grant.aggregatedFrom !== undefined ? { aggregatedFrom: grant.aggregatedFrom } : {}),
  };
}

/** `ClusterRoleBinding ops → ClusterRole admin (rule 2: get,list pods) to Group ops`. */
export function describeGrant(grant: Grant): string {
  const from = grant.aggregatedFrom !== undefined ? `, aggregated from ClusterRole ${grant.aggregatedFrom}` : '';
  return `${describeRef(grant.binding)} → ${describeRef(grant.role)} (rule ${grant.ruleIndex}: ${describeRule(grant.rule)}${from}) to ${describeSubject(grant.subject)}`;
}

function describeRequest(request: AccessRequest): string {
  const who = `${request.user}${(request.groups ?? []).length > 0 ? ` (groups ${(request.groups ?? []).join(', ')})` : ''}`;
  if (isNonResourceRequest(request)) return `${who} ${request.verb} ${request.path}`;
  const group = request.apiGroup === undefined || request.apiGroup === '' ? '' : `.${request.apiGroup}`;
  const sub = request.subresource === undefined || request.subresource === '' ? '' : `/${request.subresource}`;
  const name = request.name === undefined || request.name === '' ? '' : ` "${request.name}"`;
  const where = request.namespace === undefined || request.namespace === '' ? 'cluster-wide' : `in namespace ${request.namespace}`;
  return `${who} ${request.verb} ${request.resource}${group}${sub}${name} ${where}`;
}

export function renderDecision(request: AccessRequest, decision: Decision, options: { verbose: boolean; format: Format }): string {
  if (options.format === 'json') {
    return `${JSON.stringify({ request, allowed: decision.allowed, reason: decision.reason, grants: decision.grants.map(grantJson) }, null, 2)}\n`;
  }
  const answer = decision.allowed ? 'yes' : 'no';
  if (!options.verbose) return `${answer}\n`;
  const lines = [answer, `  request: ${describeRequest(request)}`];
  if (decision.allowed && decision.grants.length === 0) lines.push(`  ${decision.reason}`);
  for (const grant of decision.grants) lines.push(`  granted by ${describeGrant(grant)}`);
  if (!decision.allowed) lines.push('  no binding that applies to this user or its groups has a rule allowing it');
  return `${lines.join('\n')}\n`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** One SubjectAccessReview spec (or a whole review, whose `spec` is used) as a request; a string says what is wrong. */
export function requestFromSpec(value: unknown): AccessRequest | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  let spec = value as Record<string, unknown>;
  if (spec['kind'] === 'SubjectAccessReview' && typeof spec['spec'] === 'object' && spec['spec'] !== null) {
    spec = spec['spec'] as Record<string, unknown>;
  }
  const identity = { user: text(spec['user']), groups: strings(spec['groups']) };
  const resource = spec['resourceAttributes'];
  const nonResource = spec['nonResourceAttributes'];
  if (resource !== undefined && nonResource !== undefined) return 'has both resourceAttributes and nonResourceAttributes';
  if (nonResource !== null && typeof nonResource === 'object') {
    const attrs = nonResource as Record<string, unknown>;
    return { ...identity, verb: text(attrs['verb']), path: text(attrs['path']) };
  }
  if (resource !== null && typeof resource === 'object') {
    const attrs = resource as Record<string, unknown>;
    return {
      ...identity,
      verb: text(attrs['verb']),
      apiGroup: text(attrs['group']),
      resource: text(attrs['resource']),
      subresource: text(attrs['subresource']),
      name: text(attrs['name']),
      namespace: text(attrs['namespace']),
    };
  }
  return 'has neither resourceAttributes nor nonResourceAttributes';
}

/** Answers each line of `input` in order; returns the number of lines that could not be read. */
export async function answerLines(graph: RbacGraph, input: Readable, write: (line: string) => void): Promise<number> {
  let bad = 0;
  let lineNo = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let request: AccessRequest | string;
    try {
      request = requestFromSpec(JSON.parse(line));
    } catch (error) {
      request = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    if (typeof request === 'string') {
      bad++;
      // Same shape as a SubjectAccessReview status that could not be evaluated.
      write(`${JSON.stringify({ allowed: false, reason: '', evaluationError: `line ${lineNo}: ${request}` })}\n`);
      continue;
    }
    const decision = authorize(graph, request, { firstOnly: true });
    write(`${JSON.stringify({ allowed: decision.allowed, reason: decision.reason })}\n`);
  }
  return bad;
}

export async function loadRbacGraph(
  options: { readonly paths: readonly string[]; readonly kubeconfig?: string; readonly includeDefaults: boolean },
  io: CliIo,
  command: string,
): Promise<{ graph: RbacGraph; loaded: LoadedObjects }> {
  const loaded = await loadObjects(options, io, { command, resources: RBAC_RESOURCES });
  for (const message of loaded.messages) io.stderr.write(`${message}\n`);
  return { graph: buildRbacGraph(new Inventory(loaded.objects)), loaded };
}

export async function run(args: readonly string[], io: CliIo, deps?: CliDeps): Promise<number> {
  void deps;
  const options = parseCanIArgs(args, io.cwd);
  if (options === 'help') {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  const { graph, loaded } = await loadRbacGraph(options, io, 'can-i');
  if (options.kubeconfig !== undefined && loaded.failed) return EXIT_ERROR;
  if (options.from !== undefined) {
    let input: Readable;
    if (options.from === '-') {
      if (io.stdin === undefined || options.paths.includes('-')) throw new UsageError('--from - needs stdin, and stdin cannot also be a PATH');
      input = io.stdin;
    } else {
      const file = isAbsolute(options.from) ? options.from : join(io.cwd, options.from);
      if (!existsSync(file)) throw new UsageError(`--from ${options.from}: no such file`);
      input = createReadStream(file);
    }
    // Buffer the answers: one write per line would dominate the time of a 100,000-line audit.
    let out = '';
    const bad = await answerLines(graph, input, (line) => {
      out += line;
      if (out.length > 65536) {
        io.stdout.write(out);
        out = '';
      }
    });
    io.stdout.write(out);
    if (bad > 0) io.stderr.write(`bulwark can-i: ${bad} line(s) of ${options.from} could not be read; their answers carry evaluationError\n`);
    return loaded.failed || bad > 0 ? EXIT_ERROR : EXIT_OK;
  }
  const request = options.request;
  if (request === undefined) return EXIT_ERROR;
  const decision = authorize(graph, request, { firstOnly: !options.verbose && options.format === 'text' });
  io.stdout.write(renderDecision(request, decision, options));
  if (loaded.failed) return EXIT_ERROR;
  return decision.allowed ? EXIT_OK : EXIT_NO;
}
