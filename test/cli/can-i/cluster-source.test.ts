import { strict as assert } from 'node:assert';
import type { ResourceDescriptor } from '../../../src/controller/kube-client.js';
import type { ListingClient } from '../../../src/cli/cluster-source.js';
import { listResources, loadBootstrapPolicy, RBAC_RESOURCES } from '../../../src/cli/cluster-source.js';

/** Two pages of ClusterRoles, one Role; Secrets forbidden. */
function fakeClient(calls: string[]): ListingClient {
  return {
    async list(resource: ResourceDescriptor, options) {
      calls.push(`${resource.plural}:${options.continue ?? ''}:${options.limit ?? ''}`);
      if (resource.plural === 'secrets') throw new Error('forbidden');
      if (resource.plural === 'clusterroles') {
        return options.continue === undefined
          ? { items: [{ metadata: { name: 'a' } }], metadata: { continue: 'next' } }
          : { items: [{ metadata: { name: 'b' } }, 'junk'], metadata: {} };
      }
      if (resource.plural === 'roles') return { items: [{ metadata: { name: 'r', namespace: 'x' } }], metadata: { continue: '' } };
      return { items: [], metadata: {} };
    },
  };
}

describe('cluster-source', () => {
  it('lists in pages of 500, sets kind and apiVersion, and makes an optional failure a warning', async () => {
    const calls: string[] = [];
    const read = await listResources(fakeClient(calls), RBAC_RESOURCES);
    assert.deepEqual(read.objects.map((o) => `${o.apiVersion} ${o.kind} ${String(o.metadata?.name)}`), [
      'rbac.authorization.k8s.io/v1 ClusterRole a',
      'rbac.authorization.k8s.io/v1 ClusterRole b',
      'rbac.authorization.k8s.io/v1 Role r',
    ]);
    assert.deepEqual(calls.slice(0, 3), ['clusterroles::500', 'clusterroles:next:500', 'clusterrolebindings::500']);
    assert.deepEqual(read.messages, [
      'warning: cannot list secrets (forbidden); escalation paths through Secrets holding ServiceAccount tokens are not found',
    ]);
    assert.equal(read.failed, false);
  });

  it('fails when a required kind cannot be listed', async () => {
    const client: ListingClient = { list: () => Promise.reject(new Error('connection refused')) };
    const read = await listResources(client, RBAC_RESOURCES);
    assert.equal(read.failed, true);
    assert.deepEqual(read.messages, ['error: cannot list clusterroles: connection refused']);
  });

  it('the bootstrap policy holds cluster-admin and the kube-system roles', async () => {
    const objects = await loadBootstrapPolicy();
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${String(o.metadata?.name)}`));
    assert.ok(names.has('ClusterRole//cluster-admin'));
    assert.ok(names.has('ClusterRoleBinding//system:discovery'));
    assert.ok(names.has('Role/kube-system/extension-apiserver-authentication-reader'));
    assert.ok(objects.every((o) => o.metadata?.['uid'] === undefined && o.metadata?.['resourceVersion'] === undefined));
  });
});
