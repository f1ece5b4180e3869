import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support.js';

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
    name: 'RoleBindings of the namespace asked',
    args: ['get', 'pods', '-n', 'shop', 'rbac.yaml'],
    code: 0,
    stdout:
      'SUBJECT                  WHERE  THROUGH\n' +
      'User alice               shop   RoleBinding shop/web-reads → Role shop/pod-reader\n' +
      'ServiceAccount shop/web  shop   RoleBinding shop/web-reads → Role shop/pod-reader\n',
  },
  { name: 'nobody in another namespace', args: ['get', 'pods', '-n', 'other', 'rbac.yaml'], code: 0, stdout: 'No subject may do this.\n' },
  {
    name: '-A adds every namespace',
    args: ['create', 'pods', '-A', 'rbac.yaml'],
    code: 0,
    stdout: 'SUBJECT     WHERE  THROUGH\nGroup devs  shop   RoleBinding shop/devs-deploy → ClusterRole deployer\n',
  },
  {
    name: 'aggregated rules count, cluster-wide',
    args: ['list', 'widgets.example.com', '--cluster', 'rbac.yaml'],
    code: 0,
    stdout: 'SUBJECT    WHERE           THROUGH\nGroup ops  (cluster-wide)  ClusterRoleBinding ops-view → ClusterRole viewer\n',
  },
  {
    name: 'non-resource URLs',
    args: ['get', '/healthz', 'rbac.yaml'],
    code: 0,
    stdout: 'SUBJECT    WHERE           THROUGH\nGroup ops  (cluster-wide)  ClusterRoleBinding ops-health → ClusterRole health\n',
  },
  { name: 'a name outside resourceNames', args: ['get', 'secrets', 'other', '-n', 'shop', 'rbac.yaml'], code: 0, stdout: 'No subject may do this.\n' },
  { name: 'two scopes at once', args: ['get', 'pods', '-n', 'shop', '-A', 'rbac.yaml'], code: 2, stderr: /at most one of/ },
  { name: 'no RESOURCE', args: ['get'], code: 2, stderr: /give VERB and RESOURCE/ },
  { name: 'no PATH', args: ['get', 'pods'], code: 2, stderr: /no PATH given/ },
];

describe('bulwark who-can', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const result = await runCli(['who-can', ...c.args], { cwd: FIXTURES });
      if (c.stdout !== undefined) assert.equal(result.stdout, c.stdout);
      if (c.stderr !== undefined) assert.match(result.stderr, c.stderr);
      assert.equal(result.code, c.code, result.stderr);
    });
  }

  it('--format json lists subjects with their grants', async () => {
    const result = await runCli(['who-can', 'get', 'secrets', 'db-password', '-n', 'shop', '--format', 'json', 'rbac.yaml'], { cwd: FIXTURES });
    const doc = JSON.parse(result.stdout) as { subjects: { subject: { kind: string; name: string }; namespace: string; grants: { rule: string }[] }[] };
    assert.deepEqual(
      doc.subjects.map((s) => [s.subject.kind, s.subject.name, s.namespace, s.grants.map((g) => g.rule)]),
      [
        ['User', 'alice', 'shop', ['get secrets named db-password']],
        ['ServiceAccount', 'web', 'shop', ['get secrets named db-password']],
      ],
    );
  });
});
