// `bulwark reach` against the real API server: the answer read from a live cluster equals
// the answer read from the manifests that were applied to it, and the API server refuses
// exactly the NetworkPolicy that reach reports as ignored. (The verdict itself is compared
// with an independent model, cyclonus, in test/oracles/cyclonus.test.ts; that needs no
// cluster.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { reachCommand } from '../src/cli/reach/index.js';
import { getTestCluster, repoRoot } from './harness/cluster.js';
import { deleteTestNamespace, uniqueNamespaceName } from './harness/namespace.js';

const FIXTURE = join(repoRoot, 'test', 'cli', 'reach', 'fixtures', 'shop');

async function reach(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await reachCommand(args, {
    stdout: { write: (t) => void (stdout += t), isTTY: false },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
  });
  return { code, stdout, stderr };
}

/** The shop fixture with its two namespaces renamed, so runs never collide. */
function renamed(file: string, shop: string, ops: string): string {
  return readFileSync(join(FIXTURE, file), 'utf8')
    .replaceAll('namespace: shop', `namespace: ${shop}`)
    .replaceAll('namespace: ops', `namespace: ${ops}`);
}

describe('bulwark reach on a live cluster', function () {
  this.timeout(5 * 60_000);
  const shop = uniqueNamespaceName('reach-shop');
  const ops = uniqueNamespaceName('reach-ops');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-reach-e2e-'));

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([deleteTestNamespace(shop), deleteTestNamespace(ops)]);
  });

  it('answers from the cluster as from the manifests, and the refused policy is the ignored one', async () => {
    const cluster = getTestCluster();
    // Namespaces as the fixture labels them (plus the harness' own label, which no policy reads).
    const namespaces =
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${shop}, labels: {team: shop, bulwark.dev/e2e: "true"}}\n---\n` +
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ops}, labels: {team: ops, monitoring: "true", bulwark.dev/e2e: "true"}}\n`;
    writeFileSync(join(dir, 'namespaces.yaml'), namespaces);
    writeFileSync(join(dir, 'workloads.yaml'), renamed('workloads.yaml', shop, ops));
    writeFileSync(join(dir, 'policies.yaml'), renamed('policies.yaml', shop, ops));

    await cluster.kubectl(['apply', '-f', join(dir, 'namespaces.yaml')]);
    await cluster.kubectl(['apply', '-f', join(dir, 'workloads.yaml')]);
    const applied = await cluster.kubectl(['apply', '-f', join(dir, 'policies.yaml')], { check: false });
    assert.notEqual(applied.code, 0, 'the API server should refuse the broken policy');
    assert.match(applied.stderr, /NetworkPolicy "broken" is invalid: spec\.ingress\[0\]\.ports\[0\]\.port/);

    // Wait for the Deployment's ReplicaSet, so the live answer groups it under the Deployment.
    for (let i = 0; i < 120; i++) {
      const rs = await cluster.kubectl(['get', 'replicasets', '-n', shop, '-o', 'name'], { check: false });
      if (rs.stdout.includes('replicaset.apps/web-')) break;
      await sleep(500);
    }

    const offline = await reach([`${shop}/Deployment/web`, dir]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, new RegExp(`${shop}/broken: spec\\.ingress\\[0\\]\\.ports\\[0\\]\\.port`));

    const live = await reach([`${shop}/Deployment/web`, '--kubeconfig', cluster.kubeconfigPath]);
    assert.equal(live.code, 0, live.stderr);
    const withoutIgnored = offline.stdout.slice(0, offline.stdout.indexOf('\nIgnored NetworkPolicies'));
    assert.equal(live.stdout, withoutIgnored);

    const json = JSON.parse((await reach([`${shop}/Deployment/web`, '--kubeconfig', cluster.kubeconfigPath, '--format', 'json'])).stdout) as {
      workload: { members: string[] };
    };
    // The Deployment and what the controller-manager made of it are one workload.
    assert.ok(json.workload.members.includes('Deployment/web'));
    assert.ok(json.workload.members.some((m) => m.startsWith('ReplicaSet/web-')));
  });
});
