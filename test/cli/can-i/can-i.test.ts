import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support.js';
import { requestFromSpec } from '../../../src/cli/can-i/command.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: RegExp;
}

const cases: readonly Case[] = [
  { name: 'a RoleBinding to a Role allows in its namespace', args: ['get', 'pods', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'the same RoleBinding does not reach another namespace', args: ['get', 'pods', '--as', 'alice', '-n', 'other', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'a cluster-wide request ignores RoleBindings', args: ['get', 'pods', '--as', 'alice', '-A', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'a verb the rule does not list', args: ['delete', 'pods', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'a subresource listed in the rule', args: ['get', 'pods/log', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'a subresource not listed', args: ['get', 'pods/exec', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'resourceNames: the named secret', args: ['get', 'secrets', 'db-password', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'resourceNames: another secret', args: ['get', 'secrets', 'api-key', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'resourceNames: no name asks for all', args: ['get', 'secrets', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: '--name gives the name', args: ['get', 'secrets', '--name', 'db-password', '--as', 'alice', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  {
    name: 'a ServiceAccount user matches its ServiceAccount subject',
    args: ['get', 'pods', '--as', 'system:serviceaccount:shop:web', '-n', 'shop', 'rbac.yaml'],
    code: 0,
    stdout: 'yes\n',
  },
  { name: 'a group through --as-group, verb *', args: ['patch', 'deployments', '--as', 'carol', '--as-group', 'devs', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'resource.group as kubectl spells it', args: ['patch', 'deployments.apps/scale', '--as', 'carol', '--as-group', 'devs', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'a wrong group', args: ['patch', 'deployments.extensions', '--as', 'carol', '--as-group', 'devs', '-n', 'shop', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'a non-resource URL', args: ['get', '/healthz', '--as', 'carol', '--as-group', 'ops', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'a non-resource URL under a trailing *', args: ['get', '/metrics/cpu', '--as', 'carol', '--as-group', 'ops', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'a non-resource URL outside the prefix', args: ['get', '/metrics', '--as', 'carol', '--as-group', 'ops', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'aggregated rules resolved from selectors', args: ['list', 'widgets.example.com', '--as', 'carol', '--as-group', 'ops', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'a dangling roleRef grants nothing', args: ['get', 'pods', '--as', 'bob', '-A', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: 'system:masters may do anything', args: ['delete', 'nodes', '--as', 'root', '--as-group', 'system:masters', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  { name: 'without the bootstrap policy nobody may read /version', args: ['get', '/version', '--as', 'bob', 'rbac.yaml'], code: 1, stdout: 'no\n' },
  { name: '--include-defaults adds system:public-info-viewer', args: ['get', '/version', '--as', 'bob', '--include-defaults', 'rbac.yaml'], code: 0, stdout: 'yes\n' },
  {
    name: '-v names the binding, role and rule',
    args: ['get', 'secrets', 'db-password', '--as', 'system:serviceaccount:shop:web', '-n', 'shop', '-v', 'rbac.yaml'],
    code: 0,
    stdout:
      'yes\n  request: system:serviceaccount:shop:web (groups system:serviceaccounts, system:serviceaccounts:shop, system:authenticated) get secrets "db-password" in namespace shop\n' +
      '  granted by RoleBinding shop/web-reads → Role shop/pod-reader (rule 1: get secrets named db-password) to ServiceAccount shop/web\n',
  },
  {
    name: '-v on aggregated rules names the source role',
    args: ['list', 'widgets.example.com', '--as', 'carol', '--as-group', 'ops', '-A', '-v', 'rbac.yaml'],
    code: 0,
    stdout:
      'yes\n  request: carol (groups ops, system:authenticated) list widgets.example.com cluster-wide\n' +
      '  granted by ClusterRoleBinding ops-view → ClusterRole viewer (rule 0: get,list widgets in example.com, aggregated from ClusterRole widget-viewer) to Group ops\n',
  },
  {
    name: '-v on a denial',
    args: ['get', 'pods', '--as', 'bob', '-n', 'shop', '-v', 'rbac.yaml'],
    code: 1,
    stdout: 'no\n  request: bob (groups system:authenticated) get pods in namespace shop\n  no binding that applies to this user or its groups has a rule allowing it\n',
  },
  {
    name: '--from answers each line in order, malformed lines with evaluationError',
    args: ['--from', '-', 'rbac.yaml'],
    stdin:
      '{"user":"alice","resourceAttributes":{"verb":"get","resource":"pods","namespace":"shop"}}\n' +
      '{"user":"x","groups":["ops"],"nonResourceAttributes":{"verb":"get","path":"/healthz"}}\n' +
      '\n{"user":"system:serviceaccount:shop:web","resourceAttributes":{"verb":"get","resource":"pods","namespace":"shop"}}\n' +
      '[1]\n',
    code: 2,
    stdout:
      '{"allowed":true,"reason":"RBAC: allowed by RoleBinding \\"web-reads/shop\\" of Role \\"pod-reader\\" to User \\"alice\\""}\n' +
      '{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding \\"ops-health\\" of ClusterRole \\"health\\" to Group \\"ops\\""}\n' +
      '{"allowed":true,"reason":"RBAC: allowed by RoleBinding \\"web-reads/shop\\" of Role \\"pod-reader\\" to ServiceAccount \\"web/shop\\""}\n' +
      '{"allowed":false,"reason":"","evaluationError":"line 5: not a JSON object"}\n',
    stderr: /1 line\(s\) of - could not be read/,
  },
  {
    name: '--from takes groups as given (a SubjectAccessReview adds none)',
    args: ['--from', '-', 'rbac.yaml'],
    stdin: '{"user":"bob","resourceAttributes":{"verb":"get","resource":"pods","namespace":"shop"}}\n',
    code: 0,
    stdout: '{"allowed":false,"reason":""}\n',
  },
  { name: 'no --as', args: ['get', 'pods', 'rbac.yaml'], code: 2, stderr: /--as USER is required/ },
  { name: 'no PATH', args: ['get', 'pods', '--as', 'alice'], code: 2, stderr: /no PATH given/ },
  { name: 'no RESOURCE', args: ['get'], code: 2, stderr: /give VERB and RESOURCE/ },
  { name: '-n with -A', args: ['get', 'pods', '--as', 'a', '-n', 'x', '-A', 'rbac.yaml'], code: 2, stderr: /-n NS or -A/ },
  { name: 'a NAME for a URL', args: ['get', '/healthz', 'x', '--as', 'a', 'rbac.yaml'], code: 2, stderr: /takes no NAME/ },
  { name: '--as with --from', args: ['--from', 'q.jsonl', '--as', 'a', 'rbac.yaml'], code: 2, stderr: /--as does not go with --from/ },
  { name: 'a missing manifest fails the run', args: ['get', 'pods', '--as', 'alice', '-n', 'shop', 'rbac.yaml', 'missing.yaml'], code: 2 },
];

describe('bulwark can-i', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const result = await runCli(['can-i', ...c.args], { cwd: FIXTURES, ...(c.stdin !== undefined ? { stdin: c.stdin } : {}) });
      if (c.stdout !== undefined) assert.equal(result.stdout, c.stdout);
      if (c.stderr !== undefined) assert.match(result.stderr, c.stderr);
      assert.equal(result.code, c.code, result.stderr);
    });
  }

  it('--format json carries the decision and its grants', async () => {
    const result = await runCli(['can-i', 'get', 'pods', '--as', 'alice', '-n', 'shop', '--format', 'json', 'rbac.yaml'], { cwd: FIXTURES });
    const doc = JSON.parse(result.stdout) as { allowed: boolean; grants: { binding: { name: string }; rule: string }[] };
    assert.equal(doc.allowed, true);
    assert.deepEqual(doc.grants.map((g) => [g.binding.name, g.rule]), [['web-reads', 'get,list pods,pods/log']]);
  });
});

describe('requestFromSpec', () => {
  const table: readonly { name: string; input: unknown; expected: unknown }[] = [
    { name: 'not an object', input: 3, expected: 'not a JSON object' },
    { name: 'neither attributes', input: { user: 'a' }, expected: 'has neither resourceAttributes nor nonResourceAttributes' },
    { name: 'both attributes', input: { user: 'a', resourceAttributes: {}, nonResourceAttributes: {} }, expected: 'has both resourceAttributes and nonResourceAttributes' },
    {
      name: 'a whole review uses its spec; mistyped fields are empty',
      input: { kind: 'SubjectAccessReview', spec: { user: 7, groups: ['g', 1], resourceAttributes: { verb: 'get', resource: 'pods', group: null } } },
      expected: { user: '', groups: ['g'], verb: 'get', apiGroup: '', resource: 'pods', subresource: '', name: '', namespace: '' },
    },
    { name: 'non-resource', input: { user: 'a', nonResourceAttributes: { verb: 'get', path: '/x' } }, expected: { user: 'a', groups: [], verb: 'get', path: '/x' } },
  ];
  for (const row of table) {
    it(row.name, () => assert.deepEqual(requestFromSpec(row.input), row.expected));
  }
});
