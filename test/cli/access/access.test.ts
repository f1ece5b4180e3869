import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support.js';
import { parseSubjectSpec } from '../../../src/cli/access/command.js';
import { UsageError } from '../../../src/cli/io.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'can-i', 'fixtures');

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: RegExp;
}

const cases: readonly Case[] = [
  {
    name: 'a ServiceAccount: its namespace matrix, names-only cells marked N',
    args: ['ServiceAccount:shop/web', 'rbac.yaml'],
    code: 0,
    stdout:
      'ServiceAccount shop/web (groups: system:serviceaccounts, system:serviceaccounts:shop, system:authenticated)\n\n' +
      'Cluster-wide: nothing\n\n' +
      'In namespace shop, in addition (RoleBinding shop/web-reads → Role shop/pod-reader):\n' +
      '  RESOURCE  get    list   watch  create update patch  delete delcol  OTHER\n' +
      '  pods      ✓      ✓      .      .      .      .      .      .\n' +
      '  pods/log  ✓      ✓      .      .      .      .      .      .\n' +
      '  secrets   N      .      .      .      .      .      .      .\n',
  },
  {
    name: 'the user spelling of a ServiceAccount is the same subject',
    args: ['system:serviceaccount:shop:web', '-n', 'nowhere', 'rbac.yaml'],
    code: 0,
    stdout: 'ServiceAccount shop/web (groups: system:serviceaccounts, system:serviceaccounts:shop, system:authenticated)\n\nCluster-wide: nothing\n',
  },
  {
    name: 'a group with cluster-wide URLs and aggregated rules',
    args: ['Group:ops', 'rbac.yaml'],
    code: 0,
    stdout:
      'Group ops (groups: ops, system:authenticated)\n\n' +
      'Cluster-wide and in every namespace (ClusterRoleBinding ops-health → ClusterRole health; ClusterRoleBinding ops-view → ClusterRole viewer):\n' +
      '  RESOURCE             get    list   watch  create update patch  delete delcol  OTHER\n' +
      '  widgets.example.com  ✓      ✓      .      .      .      .      .      .\n' +
      '  URL /healthz: get\n' +
      '  URL /metrics/*: get\n',
  },
  {
    name: '--paths: creating pods in shop reaches the ServiceAccount there',
    args: ['Group:devs', '--paths', 'rbac.yaml'],
    code: 0,
    stdout:
      'Group devs (groups: devs, system:authenticated)\n\n' +
      'Cluster-wide: nothing\n\n' +
      'In namespace shop, in addition (RoleBinding shop/devs-deploy → ClusterRole deployer):\n' +
      '  RESOURCE                get    list   watch  create update patch  delete delcol  OTHER\n' +
      '  deployments.apps        ✓      ✓      ✓      ✓      ✓      ✓      ✓      ✓\n' +
      '  deployments.apps/scale  ✓      ✓      ✓      ✓      ✓      ✓      ✓      ✓\n' +
      '  pods                    .      .      .      ✓      .      .      .      .\n\n' +
      'Escalation paths (1):\n' +
      '  - create pods in shop (RoleBinding shop/devs-deploy → ClusterRole deployer) → ServiceAccount shop/web, gaining get,list pods,pods/log in shop; get secrets named db-password in shop\n',
  },
  {
    name: '--paths with none',
    args: ['User:alice', '--paths', '-n', 'x', 'rbac.yaml'],
    code: 0,
    stdout: 'User alice (groups: system:authenticated)\n\nCluster-wide: nothing\n\nEscalation paths: none found\n',
  },
  { name: 'an unknown kind', args: ['Robot:r2', 'rbac.yaml'], code: 2, stderr: /unknown subject kind "Robot"/ },
  { name: 'no SUBJECT', args: [], code: 2, stderr: /no SUBJECT given/ },
];

describe('bulwark access', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const result = await runCli(['access', ...c.args], { cwd: FIXTURES });
      if (c.stdout !== undefined) assert.equal(result.stdout, c.stdout);
      if (c.stderr !== undefined) assert.match(result.stderr, c.stderr);
      assert.equal(result.code, c.code, result.stderr);
    });
  }

  it('--format json with --paths', async () => {
    const result = await runCli(['access', 'Group:devs', '--paths', '--format', 'json', 'rbac.yaml'], { cwd: FIXTURES });
    const doc = JSON.parse(result.stdout) as {
      namespaces: Record<string, { role: { name: string } }[]>;
      escalationPaths: { steps: { kind: string; target: string }[] }[];
    };
    assert.deepEqual(Object.keys(doc.namespaces), ['shop']);
    assert.deepEqual(doc.escalationPaths.map((p) => p.steps.map((s) => [s.kind, s.target])), [[['create-pods', 'ServiceAccount shop/web']]]);
  });
});

describe('parseSubjectSpec', () => {
  const table: readonly { name: string; input: string; expected: unknown }[] = [
    { name: 'User:', input: 'User:alice', expected: { kind: 'User', name: 'alice' } },
    { name: 'group: in lower case', input: 'group:devs', expected: { kind: 'Group', name: 'devs' } },
    { name: 'ServiceAccount:ns/name', input: 'ServiceAccount:shop/web', expected: { kind: 'ServiceAccount', namespace: 'shop', name: 'web' } },
    { name: 'system:serviceaccount:ns:name', input: 'system:serviceaccount:ci:bot', expected: { kind: 'ServiceAccount', namespace: 'ci', name: 'bot' } },
    { name: 'a system user', input: 'system:kube-scheduler', expected: { kind: 'User', name: 'system:kube-scheduler' } },
    { name: 'a bare name', input: 'alice', expected: { kind: 'User', name: 'alice' } },
    { name: 'ServiceAccount without a namespace', input: 'ServiceAccount:web', expected: 'is not ServiceAccount:NAMESPACE/NAME' },
    { name: 'an empty group', input: 'Group:', expected: 'names no Group' },
  ];
  for (const row of table) {
    it(row.name, () => {
      if (typeof row.expected === 'string') {
        assert.throws(() => parseSubjectSpec(row.input), (e: unknown) => e instanceof UsageError && e.message.includes(row.expected as string));
      } else assert.deepEqual(parseSubjectSpec(row.input), row.expected);
    });
  }
});
