import assert from 'node:assert/strict';
import { ControllerInventory } from '../../src/controller/controller-inventory.js';
import { createCheckContext } from '../../src/engine/context.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { networkIndexOf } from '../../src/engine/network/network-index.js';
import { rbacGraphOf } from '../../src/engine/rbac/graph.js';

describe('ControllerInventory', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [] } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'shop' },
      rules: [],
    },
  ];
  const inventory = new ControllerInventory(objects);

  it('refreshDerived moves the revision on, not the revision of any kind', () => {
    const revision = inventory.revision;
    const ofKinds = inventory.revisionOf(['Pod', 'Role']);
    inventory.refreshDerived();
    assert.equal(inventory.revision, revision + 1);
    assert.equal(inventory.revisionOf(['Pod', 'Role']), ofKinds);
    inventory.upsert({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'shop' } });
    assert.equal(inventory.revision, revision + 2, 'a change still counts');
  });

  it('lets the network index go and keeps the RBAC graph', () => {
    const ctx = createCheckContext({ inventory });
    const index = networkIndexOf(ctx);
    const graph = rbacGraphOf(ctx);
    assert.equal(networkIndexOf(ctx), index, 'the same index until something moves the revision');
    inventory.refreshDerived();
    assert.notEqual(networkIndexOf(ctx), index);
    assert.equal(rbacGraphOf(ctx), graph, 'indexes keyed on kinds survive');
  });
});
