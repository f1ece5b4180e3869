// The RBAC live oracle (issue 6 item 6, issue 3 item 4): the API server's own RBAC
// authorizer, asked through SubjectAccessReview, is the ground truth for `bulwark can-i`.
//
// A seeded fast-check run generates an RBAC graph (ClusterRoles with aggregation labels and
// selectors, resourceNames, wildcards, subresources, nonResourceURLs; Roles; bindings to
// users, groups, ServiceAccounts of several namespaces, the ServiceAccount groups, and role
// references that dangle), applies it, waits until the aggregation controller has filled
// the aggregated roles, and asks ≥ 10,000 questions, half drawn from the graph's own rules
// so that "yes" is common. The engine must agree on every one:
//  - live: over everything read back with list calls, the server's bootstrap roles included;
//  - dump: over the same objects written as a manifest file, every aggregated ClusterRole
//    with its rules stripped so the engine resolves aggregation itself, answered by
//    `bulwark can-i --from` in-process (the CLI path users run).
// Escalation: for the paths `bulwark access --paths` finds, the first step succeeds as an
// impersonated server-side dry run (create a pod or a pod controller running as the target
// ServiceAccount, create a token, bind a role, create an escalated role, read a token
// Secret); for subjects without a path, creating pods, tokens and bindings is forbidden.
// `impersonate` steps cannot be dry-run while impersonating, so they are checked with a
// SubjectAccessReview for the impersonate verb instead.
//
// Runs under the e2e harness (`npx mocha --config .mocharc.e2e.json e2e/rbac-oracle.e2e.ts`);
// where the harness cannot load, it starts its own local control plane.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import fc from 'fast-check';
import { dump } from 'js-yaml';

import { run as canIRun } from '../src/cli/can-i/command.js';
import { loadBootstrapPolicy } from '../src/cli/cluster-source.js';
import type { CliIo } from '../src/cli/io.js';
import { Inventory } from '../src/engine/inventory.js';
import type { KubeObject } from '../src/engine/objects.js';
import type { ResourceRequest } from '../src/engine/rbac/authorize.js';
import { authorize } from '../src/engine/rbac/authorize.js';
import type { EscalationPath } from '../src/engine/rbac/escalation.js';
import { escalationPaths } from '../src/engine/rbac/escalation.js';
import type { RbacGraph } from '../src/engine/rbac/graph.js';
import { buildRbacGraph } from '../src/engine/rbac/graph.js';
import type { Subject } from '../src/engine/rbac/subjects.js';
import { identityOf } from '../src/engine/rbac/subjects.js';
import type { LocalCluster } from '../src/localcluster/index.js';
import { mapLimited } from './support/pss-live.js';

const SEED = Number(process.env['BULWARK_RBAC_SEED'] ?? 20261124);
const QUESTIONS = Number(process.env['BULWARK_RBAC_QUESTIONS'] ?? 10_000);
const IN_FLIGHT = 24;
const RUN = `o${(SEED % 100000).toString(36)}`;
const LABEL = 'bulwark.dev/e2e';
const LABEL_VALUE = `rbac-oracle-${RUN}`;
const AGG = `oracle-${RUN}.example.com/agg`;
const NAMESPACES = ['a', 'b', 'c'].map((n) => `rbac-${RUN}-${n}`);
const USERS = ['ann', 'ben', 'cat', 'dan'].map((u) => `oracle-${u}`);
const GROUPS = ['ops', 'dev', 'qa'].map((g) => `oracle-${g}`);
const SA_NAMES = ['web', 'ci'];
const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'bind',
  'escalate',
  'impersonate',
];
const API_GROUPS = ['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'example.com'];
const RESOURCES = [
  'pods',
  'pods/log',
  'pods/exec',
  'secrets',
  'configmaps',
  'serviceaccounts',
  'serviceaccounts/token',
  'deployments',
  'deployments/scale',
  'jobs',
  'roles',
  'rolebindings',
  'clusterroles',
  'users',
  'groups',
  'widgets',
  'widgets/status',
];
const NAMES = ['one', 'two', 'web'];
const URLS = ['/healthz', '/metrics', '/logs/*', '/api/*', '/version'];

type Json = Record<string, unknown>;
interface Rule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const meta = (name: string, namespace?: string, labels: Record<string, string> = {}): Json => ({
  name,
  ...(namespace !== undefined ? { namespace } : {}),
  labels: { [LABEL]: LABEL_VALUE, ...labels },
});

// ---------------------------------------------------------------------------------------
// Generation

const sub = <T>(values: readonly T[]): fc.Arbitrary<T[]> =>
  fc.subarray([...values], { minLength: 1, maxLength: 3 });
const maybeWild = (values: readonly string[]): fc.Arbitrary<string[]> =>
  fc.oneof({ weight: 6, arbitrary: sub(values) }, { weight: 1, arbitrary: fc.constant<string[]>(['*']) });

const resourceRule: fc.Arbitrary<Rule> = fc
  .record({
    verbs: maybeWild(VERBS),
    apiGroups: maybeWild(API_GROUPS),
    resources: fc.oneof(
      { weight: 8, arbitrary: sub(RESOURCES) },
      { weight: 1, arbitrary: fc.constant<string[]>(['*']) },
      { weight: 1, arbitrary: fc.constant<string[]>(['*/scale']) },
    ),
    names: fc.option(sub(NAMES), { freq: 4 }),
  })
  .map(({ names, ...rule }) => (names === null ? rule : { ...rule, resourceNames: names }));
const urlRule: fc.Arbitrary<Rule> = fc.record({
  verbs: maybeWild(['get', 'post', 'put']),
  nonResourceURLs: maybeWild(URLS),
});

interface Plan {
  readonly objects: Json[];
}

const subjectArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...USERS).map((name) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name })),
  fc.constantFrom(...GROUPS).map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
  fc
    .tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...SA_NAMES, 'ghost'))
    .map(([namespace, name]) => ({ kind: 'ServiceAccount', name, namespace })),
  fc
    .constantFrom(...NAMESPACES)
    .map((ns) => ({
      kind: 'Group',
      apiGroup: 'rbac.authorization.k8s.io',
      name: `system:serviceaccounts:${ns}`,
    })),
  fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...SA_NAMES)).map(([ns, name]) => ({
    kind: 'User',
    apiGroup: 'rbac.authorization.k8s.io',
    name: `system:serviceaccount:${ns}:${name}`,
  })),
);

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    clusterRoles: fc.array(
      fc.record({
        rules: fc.array(fc.oneof({ weight: 4, arbitrary: resourceRule }, { weight: 1, arbitrary: urlRule }), {
          minLength: 1,
          maxLength: 4,
        }),
        agg: fc.subarray(['x', 'y', 'z']),
      }),
      { minLength: 6, maxLength: 10 },
    ),
    roles: fc.array(fc.array(resourceRule, { minLength: 1, maxLength: 3 }), { minLength: 6, maxLength: 9 }),
    clusterBindings: fc.array(
      fc.record({ role: fc.nat(13), subjects: fc.array(subjectArb, { minLength: 1, maxLength: 3 }) }),
      { minLength: 4, maxLength: 7 },
    ),
    roleBindings: fc.array(
      fc.record({
        ns: fc.nat(2),
        kind: fc.boolean(),
        role: fc.nat(12),
        subjects: fc.array(subjectArb, { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 8, maxLength: 14 },
    ),
  })
  .map((g) => {
    const objects: Json[] = [];
    for (const ns of NAMESPACES) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns) });
    for (const ns of NAMESPACES)
      for (const name of SA_NAMES)
        objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns) });
    const crName = (i: number): string => `oracle-${RUN}-cr${i}`;
    g.clusterRoles.forEach((cr, i) => {
      const labels = Object.fromEntries(cr.agg.map((a) => [`${AGG}-${a}`, 'true']));
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta(crName(i), undefined, labels),
        rules: cr.rules,
      });
    });
    // Aggregated roles: one selector, two selectors, and one that also carries a label another selects.
    const aggregated = [
      {
        name: crName(90),
        selectors: [{ matchLabels: { [`${AGG}-x`]: 'true' } }],
        labels: { [`${AGG}-z`]: 'true' },
      },
      {
        name: crName(91),
        selectors: [
          { matchLabels: { [`${AGG}-y`]: 'true' } },
          { matchExpressions: [{ key: `${AGG}-z`, operator: 'Exists' }] },
        ],
        labels: {},
      },
      { name: crName(92), selectors: [{ matchLabels: { [`${AGG}-none`]: 'true' } }], labels: {} },
    ];
    for (const a of aggregated) {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta(a.name, undefined, a.labels),
        aggregationRule: { clusterRoleSelectors: a.selectors },
      });
    }
    const clusterRoleNames = [
      ...g.clusterRoles.map((_, i) => crName(i)),
      ...aggregated.map((a) => a.name),
      `oracle-${RUN}-missing`,
    ];
    g.roles.forEach((rules, i) => {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta(`role${i}`, NAMESPACES[i % NAMESPACES.length]),
        rules,
      });
    });
    g.clusterBindings.forEach((b, i) => {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: meta(`oracle-${RUN}-crb${i}`),
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: clusterRoleNames[b.role % clusterRoleNames.length],
        },
        subjects: b.subjects,
      });
    });
    g.roleBindings.forEach((b, i) => {
      const ns = NAMESPACES[b.ns] as string;
      const roleRef = b.kind
        ? {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: clusterRoleNames[b.role % clusterRoleNames.length],
          }
        : { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role${b.role % 10}` }; // role7..9 may not exist here: dangling
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta(`rb${i}`, ns),
        roleRef,
        subjects: b.subjects,
      });
    });
    return { objects };
  });

// ---------------------------------------------------------------------------------------
// The API server over HTTPS, as the admin (system:masters), optionally impersonating.

interface Api {
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string | string[]>,
  ): Promise<{ status: number; body: Json }>;
  close(): void;
}

async function apiFor(local: LocalCluster): Promise<Api> {
  const agent = new Agent({
    ca: await readFile(local.caPath),
    cert: await readFile(local.adminCertificate.certPath),
    key: await readFile(local.adminCertificate.keyPath),
    keepAlive: true,
    maxSockets: IN_FLIGHT,
  });
  const url = new URL(local.server);
  return {
    call: (method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method,
            path,
            headers: {
              accept: 'application/json',
              ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const raw = Buffer.concat(chunks).toString('utf8');
              let parsed: Json = {};
              try {
                parsed = JSON.parse(raw) as Json;
              } catch {
                parsed = { raw };
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
          },
        );
        req.on('error', reject);
        if (text !== undefined) req.write(text);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

const LISTS: readonly (readonly [path: string, kind: string, apiVersion: string])[] = [
  ['/apis/rbac.authorization.k8s.io/v1/clusterroles', 'ClusterRole', 'rbac.authorization.k8s.io/v1'],
  [
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    'ClusterRoleBinding',
    'rbac.authorization.k8s.io/v1',
  ],
  ['/apis/rbac.authorization.k8s.io/v1/roles', 'Role', 'rbac.authorization.k8s.io/v1'],
  ['/apis/rbac.authorization.k8s.io/v1/rolebindings', 'RoleBinding', 'rbac.authorization.k8s.io/v1'],
  ['/api/v1/serviceaccounts', 'ServiceAccount', 'v1'],
  ['/api/v1/secrets', 'Secret', 'v1'],
];

async function readBack(api: Api): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const [path, kind, apiVersion] of LISTS) {
    let next = '';
    do {
      const res = await api.call(
        'GET',
        `${path}?limit=500${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`,
      );
      assert.equal(res.status, 200, `list ${path}: ${JSON.stringify(res.body)}`);
      for (const item of (res.body['items'] as Json[] | undefined) ?? [])
        out.push({ ...item, kind, apiVersion } as KubeObject);
      next = String((res.body['metadata'] as Json | undefined)?.['continue'] ?? '');
    } while (next !== '');
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Questions

function mulberry(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Question {
  readonly user: string;
  readonly groups: string[];
  readonly resourceAttributes?: {
    verb: string;
    group: string;
    resource: string;
    subresource: string;
    name: string;
    namespace: string;
  };
  readonly nonResourceAttributes?: { verb: string; path: string };
}

function questionsFor(objects: readonly Json[], count: number, seed: number): Question[] {
  const rnd = mulberry(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)] as T;
  const bindings = objects.filter((o) => o['kind'] === 'RoleBinding' || o['kind'] === 'ClusterRoleBinding');
  const rulesByRole = new Map<string, Rule[]>();
  for (const o of objects) {
    const m = o['metadata'] as Json;
    if (o['kind'] === 'ClusterRole')
      rulesByRole.set(`ClusterRole:${String(m['name'])}`, (o['rules'] as Rule[] | undefined) ?? []);
    if (o['kind'] === 'Role')
      rulesByRole.set(
        `Role:${String(m['namespace'])}/${String(m['name'])}`,
        (o['rules'] as Rule[] | undefined) ?? [],
      );
  }
  const allRules = [...rulesByRole.values()].flat();
  const identityFor = (subject: Json): { user: string; groups: string[] } => {
    const name = String(subject['name']);
    if (subject['kind'] === 'ServiceAccount') {
      const ns = String(subject['namespace']);
      return {
        user: `system:serviceaccount:${ns}:${name}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      };
    }
    if (subject['kind'] === 'Group')
      return { user: pick(USERS), groups: rnd() < 0.5 ? [name] : [name, 'system:authenticated'] };
    return {
      user: name,
      groups:
        rnd() < 0.5 ? ['system:authenticated'] : rnd() < 0.5 ? [] : [pick(GROUPS), 'system:authenticated'],
    };
  };
  const concrete = (values: readonly string[] | undefined, pool: readonly string[]): string => {
    const v = pick(values !== undefined && values.length > 0 ? values : pool);
    return v === '*' ? pick(pool) : v;
  };
  const out: Question[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      // Close to the graph: a subject of a binding, a request shaped by a rule of its role.
      const binding = pick(bindings);
      const subjects = (binding['subjects'] as Json[] | undefined) ?? [];
      const identity = identityFor(pick(subjects));
      const bm = binding['metadata'] as Json;
      const ref = binding['roleRef'] as Json;
      const roleKey =
        ref['kind'] === 'Role'
          ? `Role:${String(bm['namespace'])}/${String(ref['name'])}`
          : `ClusterRole:${String(ref['name'])}`;
      const rules = rulesByRole.get(roleKey) ?? [];
      const rule = rules.length > 0 && rnd() < 0.85 ? pick(rules) : pick(allRules);
      if (rule.nonResourceURLs !== undefined) {
        const url = concrete(rule.nonResourceURLs, URLS).replace('*', rnd() < 0.5 ? 'x' : '');
        out.push({
          ...identity,
          nonResourceAttributes: { verb: concrete(rule.verbs, ['get', 'post', 'put']), path: url },
        });
        continue;
      }
      const combined = concrete(rule.resources, RESOURCES).replace(
        '*/',
        `${pick(['deployments', 'widgets'])}/`,
      );
      const [resource = '', subresource = ''] = combined.split('/');
      const namespace =
        bm['namespace'] !== undefined && rnd() < 0.8
          ? String(bm['namespace'])
          : rnd() < 0.5
            ? ''
            : pick(NAMESPACES);
      const name =
        rule.resourceNames !== undefined && rnd() < 0.7
          ? pick(rule.resourceNames)
          : rnd() < 0.5
            ? ''
            : pick(NAMES);
      out.push({
        ...identity,
        resourceAttributes: {
          verb: concrete(rule.verbs, VERBS),
          group: concrete(rule.apiGroups, API_GROUPS),
          resource,
          subresource,
          name,
          namespace,
        },
      });
    } else {
      const identity =
        rnd() < 0.3
          ? identityFor({ kind: 'ServiceAccount', namespace: pick(NAMESPACES), name: pick(SA_NAMES) })
          : {
              user: pick([...USERS, 'oracle-nobody']),
              groups: rnd() < 0.5 ? [pick(GROUPS), 'system:authenticated'] : ['system:authenticated'],
            };
      if (rnd() < 0.08) {
        out.push({
          ...identity,
          nonResourceAttributes: {
            verb: pick(['get', 'post']),
            path: pick([...URLS, '/logs/kube', '/apis', '/readyz']),
          },
        });
        continue;
      }
      const [resource = '', subresource = ''] = pick(RESOURCES).split('/');
      out.push({
        ...identity,
        resourceAttributes: {
          verb: pick(VERBS),
          group: pick(API_GROUPS),
          resource,
          subresource,
          name: rnd() < 0.5 ? '' : pick(NAMES),
          namespace: rnd() < 0.25 ? '' : pick(NAMESPACES),
        },
      });
    }
  }
  return out;
}

function requestOf(
  q: Question,
): ResourceRequest | { user: string; groups: string[]; verb: string; path: string } {
  if (q.nonResourceAttributes !== undefined)
    return { user: q.user, groups: q.groups, ...q.nonResourceAttributes };
  const a = q.resourceAttributes as NonNullable<Question['resourceAttributes']>;
  return {
    user: q.user,
    groups: q.groups,
    verb: a.verb,
    apiGroup: a.group,
    resource: a.resource,
    subresource: a.subresource,
    name: a.name,
    namespace: a.namespace,
  };
}

// ---------------------------------------------------------------------------------------
// Escalation first steps, as impersonated dry runs

function impersonation(subject: Subject): Record<string, string | string[]> {
  if (subject.kind === 'ServiceAccount')
    return { 'Impersonate-User': `system:serviceaccount:${subject.namespace ?? ''}:${subject.name}` };
  if (subject.kind === 'User') return { 'Impersonate-User': subject.name };
  return { 'Impersonate-User': 'oracle-member', 'Impersonate-Group': subject.name };
}

const POD_SPEC = (sa: string): Json => ({
  serviceAccountName: sa,
  containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
});
const TEMPLATE = (sa: string): Json => ({ metadata: { labels: { app: 'x' } }, spec: POD_SPEC(sa) });
const WORKLOADS: readonly (readonly [
  group: string,
  resource: string,
  path: string,
  body: (sa: string) => Json,
])[] = [
  [
    '',
    'pods',
    'api/v1',
    (sa) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'esc' }, spec: POD_SPEC(sa) }),
  ],
  [
    'apps',
    'deployments',
    'apis/apps/v1',
    (sa) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'esc' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: TEMPLATE(sa) },
    }),
  ],
  [
    'apps',
    'replicasets',
    'apis/apps/v1',
    (sa) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'esc' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: TEMPLATE(sa) },
    }),
  ],
  [
    'apps',
    'statefulsets',
    'apis/apps/v1',
    (sa) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'esc' },
      spec: { serviceName: 'x', selector: { matchLabels: { app: 'x' } }, template: TEMPLATE(sa) },
    }),
  ],
  [
    'apps',
    'daemonsets',
    'apis/apps/v1',
    (sa) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'esc' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: TEMPLATE(sa) },
    }),
  ],
  [
    'batch',
    'jobs',
    'apis/batch/v1',
    (sa) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'esc' },
      spec: { template: { spec: { ...POD_SPEC(sa), restartPolicy: 'Never' } } },
    }),
  ],
  [
    'batch',
    'cronjobs',
    'apis/batch/v1',
    (sa) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'esc' },
      spec: {
        schedule: '@daily',
        jobTemplate: { spec: { template: { spec: { ...POD_SPEC(sa), restartPolicy: 'Never' } } } },
      },
    }),
  ],
  [
    '',
    'replicationcontrollers',
    'api/v1',
    (sa) => ({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'esc' },
      spec: { selector: { app: 'x' }, template: TEMPLATE(sa) },
    }),
  ],
];

/** An RBAC denial, as opposed to any other refusal (validation, a missing object). */
function isRbacDenial(res: { status: number; body: Json }): boolean {
  return res.status === 403 && / cannot /.test(String(res.body['message'] ?? ''));
}

interface Attempt {
  readonly what: string;
  readonly res: { status: number; body: Json };
}

async function firstStep(
  api: Api,
  graph: RbacGraph,
  subject: Subject,
  path: EscalationPath,
): Promise<Attempt> {
  const step = path.steps[0];
  assert.ok(step !== undefined);
  const headers = impersonation(subject);
  const ns = step.namespace;
  const target = step.target;
  const identity = identityOf(subject);
  switch (step.kind) {
    case 'create-pods': {
      const sa = target.kind === 'subject' ? target.subject.name : 'default';
      const workload =
        WORKLOADS.find(
          ([group, resource]) =>
            authorize(graph, { ...identity, verb: 'create', apiGroup: group, resource, namespace: ns })
              .allowed,
        ) ?? WORKLOADS[0];
      const [, resource, base, body] = workload as (typeof WORKLOADS)[number];
      return {
        what: `create ${resource} in ${ns} as ${sa}`,
        res: await api.call('POST', `/${base}/namespaces/${ns}/${resource}?dryRun=All`, body(sa), headers),
      };
    }
    case 'create-token': {
      const sa = target.kind === 'subject' ? target.subject.name : '';
      return {
        what: `create serviceaccounts/${sa}/token in ${ns}`,
        res: await api.call(
          'POST',
          `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token?dryRun=All`,
          { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['oracle'] } },
          headers,
        ),
      };
    }
    case 'read-token-secret': {
      const secret = /secret[s]? "?([a-z0-9.-]+)"?/.exec(step.action)?.[1] ?? '';
      return {
        what: `get secret ${secret} in ${ns}`,
        res: await api.call('GET', `/api/v1/namespaces/${ns}/secrets/${secret}`, undefined, headers),
      };
    }
    case 'bind': {
      const role =
        target.kind === 'role' ? target.role : { kind: 'ClusterRole' as const, name: 'cluster-admin' };
      const subjects = [
        subject.kind === 'ServiceAccount'
          ? { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace }
          : { kind: subject.kind, apiGroup: 'rbac.authorization.k8s.io', name: subject.name },
      ];
      const body = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: ns === '' ? 'ClusterRoleBinding' : 'RoleBinding',
        metadata: { name: `esc-${RUN}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: role.kind, name: role.name },
        subjects,
      };
      const path =
        ns === ''
          ? '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'
          : `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`;
      return {
        what: `bind ${role.kind} ${role.name} ${ns === '' ? 'cluster-wide' : `in ${ns}`}`,
        res: await api.call('POST', `${path}?dryRun=All`, body, headers),
      };
    }
    case 'escalate': {
      const body = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: ns === '' ? 'ClusterRole' : 'Role',
        metadata: { name: `esc-${RUN}` },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      };
      const path =
        ns === ''
          ? '/apis/rbac.authorization.k8s.io/v1/clusterroles'
          : `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`;
      return {
        what: `create an escalated ${body.kind} ${ns === '' ? 'cluster-wide' : `in ${ns}`}`,
        res: await api.call('POST', `${path}?dryRun=All`, body, headers),
      };
    }
    case 'impersonate': {
      const t = target.kind === 'subject' ? target.subject : subject;
      const resource =
        t.kind === 'Group' ? 'groups' : t.kind === 'ServiceAccount' ? 'serviceaccounts' : 'users';
      const spec = {
        user: identity.user === '' ? 'oracle-member' : identity.user,
        groups: identity.groups,
        resourceAttributes: {
          verb: 'impersonate',
          resource,
          name: t.name,
          namespace: t.kind === 'ServiceAccount' ? (t.namespace ?? '') : '',
        },
      };
      const res = await api.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec,
      });
      const allowed = (res.body['status'] as Json | undefined)?.['allowed'] === true;
      return {
        what: `impersonate ${t.kind} ${t.name} (SubjectAccessReview)`,
        res: {
          status: allowed ? 200 : 403,
          body: { message: allowed ? '' : 'SubjectAccessReview: cannot impersonate' },
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------

interface Held {
  readonly local: LocalCluster;
  readonly kubectl: string;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

async function clusterForSuite(): Promise<Held | undefined> {
  try {
    const harness = await import('./harness/cluster.js');
    const cluster = harness.getTestCluster();
    if (cluster.local === undefined) return undefined;
    const kubectl = cluster.local.binaries.kubectl;
    if (kubectl === undefined) return undefined;
    return { local: cluster.local, kubectl, kubeconfig: cluster.kubeconfigPath, stop: async () => {} };
  } catch {
    // The harness did not load or start a cluster (e.g. its Kubernetes client needs a newer Node): start our own.
    const { startLocalCluster } = await import('../src/localcluster/index.js');
    const local = await startLocalCluster({});
    const kubectl = local.binaries.kubectl;
    if (kubectl === undefined) {
      await local.stop();
      return undefined;
    }
    return { local, kubectl, kubeconfig: local.kubeconfigPath, stop: () => local.stop() };
  }
}

describe('RBAC live oracle: the engine against SubjectAccessReview', function () {
  this.timeout(15 * 60_000);
  let held: Held | undefined;
  let api: Api;
  let dir: string;
  let generated: Json[];
  let live: KubeObject[];
  let liveGraph: RbacGraph;
  let questions: Question[];
  let serverAnswers: boolean[];

  before(async function () {
    held = await clusterForSuite();
    if (held === undefined) {
      console.log(
        '      skipped: the RBAC oracle needs the local control plane and its kubectl (none is running here)',
      );
      this.skip();
    }
    api = await apiFor(held.local);
    dir = await mkdtemp(join(tmpdir(), 'bulwark-rbac-oracle-'));
    [generated] = fc.sample(planArb, { seed: SEED, numRuns: 1 }).map((p) => p.objects) as [Json[]];
    const file = join(dir, 'graph.yaml');
    await writeFile(file, generated.map((o) => dump(o, { noRefs: true })).join('---\n'));
    await promisify(execFile)(held.kubectl, ['--kubeconfig', held.kubeconfig, 'apply', '-f', file], {
      maxBuffer: 64 << 20,
    });

    // The aggregation controller fills aggregated roles shortly after; poll until the
    // live rules are what the engine resolves from the selectors (or give up after 60 s).
    const expected = buildRbacGraph(new Inventory(generated as KubeObject[]));
    for (let attempt = 0; ; attempt++) {
      live = await readBack(api);
      liveGraph = buildRbacGraph(new Inventory(live));
      const pending = [90, 91].filter((i) => {
        const key = `ClusterRole:oracle-${RUN}-cr${i}`;
        return (liveGraph.roles.get(key)?.rules.length ?? 0) !== (expected.roles.get(key)?.rules.length ?? 0);
      });
      if (pending.length === 0) break;
      if (attempt > 120)
        assert.fail(`aggregated ClusterRoles cr${pending.join(', cr')} were not filled in 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    questions = questionsFor(generated, QUESTIONS, SEED + 1);
    serverAnswers = await mapLimited(questions, IN_FLIGHT, async (q) => {
      const res = await api.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: q,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return (res.body['status'] as Json | undefined)?.['allowed'] === true;
    });
  });

  after(async function () {
    this.timeout(120_000);
    if (held === undefined) return;
    try {
      for (const kind of ['clusterrolebindings', 'clusterroles']) {
        await promisify(execFile)(held.kubectl, [
          '--kubeconfig',
          held.kubeconfig,
          'delete',
          kind,
          '-l',
          `${LABEL}=${LABEL_VALUE}`,
          '--wait=false',
        ]);
      }
      await promisify(execFile)(held.kubectl, [
        '--kubeconfig',
        held.kubeconfig,
        'delete',
        'namespace',
        ...NAMESPACES,
        '--wait=false',
      ]);
    } finally {
      api.close();
      await rm(dir, { recursive: true, force: true });
      await held.stop();
    }
  });

  it(`agrees on ${QUESTIONS} questions over the objects read back from the cluster`, () => {
    let yes = 0;
    const disagreements: string[] = [];
    questions.forEach((q, i) => {
      const server = serverAnswers[i] as boolean;
      if (server) yes++;
      const ours = authorize(liveGraph, requestOf(q), { firstOnly: true }).allowed;
      if (ours !== server) disagreements.push(`${JSON.stringify(q)}: server ${server}, engine ${ours}`);
    });
    console.log(
      `      RBAC live oracle: ${questions.length - disagreements.length}/${questions.length} agree (${yes} yes)`,
    );
    assert.ok(
      yes >= questions.length / 10,
      `only ${yes} yes answers: the questions are not close enough to the graph`,
    );
    assert.deepEqual(disagreements.slice(0, 10), []);
  });

  it('agrees over a dump scanned as manifests, aggregated rules stripped (bulwark can-i --from)', async () => {
    const stripped = live.map((o) => {
      const copy: Json = {
        ...o,
        metadata: {
          name: o.metadata?.name,
          ...(o.metadata?.namespace !== undefined ? { namespace: o.metadata.namespace } : {}),
          labels: o.metadata?.labels ?? {},
        },
      };
      if (copy['aggregationRule'] !== undefined) delete copy['rules'];
      return copy;
    });
    const aggregated = stripped.filter((o) => o['aggregationRule'] !== undefined).length;
    const dumpFile = join(dir, 'dump.yaml');
    await writeFile(dumpFile, stripped.map((o) => dump(o, { noRefs: true })).join('---\n'));
    const questionFile = join(dir, 'questions.jsonl');
    await writeFile(questionFile, questions.map((q) => JSON.stringify(q)).join('\n'));
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (t) => void (stdout += t), isTTY: false },
      stderr: { write: (t) => void (stderr += t), isTTY: false },
      cwd: dir,
      env: {},
      now: () => new Date(),
      writeOutput: () => Promise.reject(new Error('no files')),
    };
    const started = performance.now();
    const code = await canIRun(['--from', questionFile, dumpFile], io);
    const ms = performance.now() - started;
    assert.equal(code, 0, stderr);
    const answers = stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { allowed: boolean }).allowed);
    assert.equal(answers.length, questions.length);
    const disagreements = answers.flatMap((a, i) =>
      a === serverAnswers[i]
        ? []
        : [`${JSON.stringify(questions[i])}: server ${String(serverAnswers[i])}, dump ${a}`],
    );
    console.log(
      `      RBAC dump oracle: ${answers.length - disagreements.length}/${answers.length} agree (${stripped.length} objects, ${aggregated} aggregated roles stripped; can-i --from ran in ${ms.toFixed(0)} ms)`,
    );
    assert.deepEqual(disagreements.slice(0, 10), []);
  });

  it('the captured bootstrap policy (--include-defaults) is what the server holds', async () => {
    const keyOf = (o: KubeObject): string =>
      `${String(o.kind)}/${o.metadata?.namespace ?? ''}/${String(o.metadata?.name)}`;
    // Keys sorted: kubectl (which captured the file) sorts them, the API server writes them in field order.
    const canonical = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(canonical)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([k, v]) => [k, canonical(v)]),
            )
          : value;
    const content = (o: KubeObject): string =>
      JSON.stringify(
        canonical([
          o['rules'] ?? null,
          o['roleRef'] ?? null,
          o['subjects'] ?? null,
          o['aggregationRule'] ?? null,
        ]),
      );
    const captured = new Map((await loadBootstrapPolicy()).map((o) => [keyOf(o), content(o)]));
    const server = live.filter(
      (o) =>
        o.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults' &&
        (o.metadata.namespace === undefined ||
          o.metadata.namespace === 'kube-system' ||
          o.metadata.namespace === 'kube-public'),
    );
    const differ = server.filter((o) => captured.get(keyOf(o)) !== content(o)).map(keyOf);
    console.log(
      `      RBAC bootstrap policy: ${server.length - differ.length}/${server.length} server objects as captured (${captured.size} captured)`,
    );
    assert.deepEqual(differ, []);
  });

  it('escalation: the first step of every path found succeeds as an impersonated dry run; subjects without one are forbidden', async () => {
    const subjects: Subject[] = [
      ...USERS.map((name) => ({ kind: 'User' as const, name })),
      ...GROUPS.map((name) => ({ kind: 'Group' as const, name })),
      ...NAMESPACES.flatMap((namespace) =>
        SA_NAMES.map((name) => ({ kind: 'ServiceAccount' as const, namespace, name })),
      ),
    ];
    let steps = 0;
    let denied = 0;
    const failures: string[] = [];
    const without: Subject[] = [];
    for (const subject of subjects) {
      const paths = escalationPaths(liveGraph, subject, { maxPaths: 10 });
      if (paths.length === 0) without.push(subject);
      const seen = new Set<string>();
      for (const path of paths) {
        const attempt = await firstStep(api, liveGraph, subject, path);
        if (seen.has(attempt.what)) continue;
        seen.add(attempt.what);
        steps++;
        if (isRbacDenial(attempt.res))
          failures.push(
            `${subject.kind} ${subject.name}: ${attempt.what}: ${String(attempt.res.body['message'])}`,
          );
      }
    }
    for (const subject of without) {
      const headers = impersonation(subject);
      for (const ns of NAMESPACES) {
        const tries: Attempt[] = [
          {
            what: `create pods in ${ns}`,
            res: await api.call(
              'POST',
              `/api/v1/namespaces/${ns}/pods?dryRun=All`,
              (WORKLOADS[0] as (typeof WORKLOADS)[number])[3]('web'),
              headers,
            ),
          },
          {
            what: `create a token for ${ns}/web`,
            res: await api.call(
              'POST',
              `/api/v1/namespaces/${ns}/serviceaccounts/web/token?dryRun=All`,
              {
                apiVersion: 'authentication.k8s.io/v1',
                kind: 'TokenRequest',
                spec: { audiences: ['oracle'] },
              },
              headers,
            ),
          },
          {
            what: `bind admin in ${ns}`,
            res: await api.call(
              'POST',
              `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings?dryRun=All`,
              {
                apiVersion: 'rbac.authorization.k8s.io/v1',
                kind: 'RoleBinding',
                metadata: { name: `esc-${RUN}` },
                roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
                subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'oracle-member' }],
              },
              headers,
            ),
          },
        ];
        for (const t of tries) {
          denied++;
          if (!isRbacDenial(t.res))
            failures.push(
              `${subject.kind} ${subject.name} has no path, yet may ${t.what} (HTTP ${t.res.status})`,
            );
        }
      }
    }
    console.log(
      `      RBAC escalation oracle: ${steps} first steps succeeded, ${denied} attempts by ${without.length} subjects without a path forbidden; ${failures.length} disagreements`,
    );
    assert.ok(steps > 0, 'the generated graph has no escalation path: nothing was checked');
    assert.deepEqual(failures, []);
  });
});
