import assert from 'node:assert/strict';
import { Inventory, NAMESPACE_SET } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';

function pod(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } };
}

describe('Inventory', () => {
  it('lists namespaces named by Namespace objects and by namespaced objects, sorted', () => {
    const inventory = new Inventory([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } },
      pod('shop', 'web'),
      pod('billing', 'api'),
    ]);
    assert.deepEqual(inventory.namespaces(), ['billing', 'empty', 'shop']);
  });

  it('moves the namespace-set revision only when a namespace gains its first or loses its last object of a kind', () => {
    const inventory = new Inventory([pod('shop', 'web')]);
    const before = inventory.revisionOf([NAMESPACE_SET]);
    inventory.upsert(pod('shop', 'api'));
    inventory.upsert({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', labels: { a: 'b' } },
    });
    assert.equal(inventory.revisionOf([NAMESPACE_SET]), before, 'changes inside a namespace');
    inventory.delete('Pod', 'shop', 'api');
    assert.equal(inventory.revisionOf([NAMESPACE_SET]), before, 'one pod is left');

    inventory.upsert(pod('billing', 'api'));
    const added = inventory.revisionOf([NAMESPACE_SET]);
    assert.notEqual(added, before, 'a new namespace');
    assert.deepEqual(inventory.namespaces(), ['billing', 'shop']);

    inventory.delete('Pod', 'shop', 'web');
    assert.notEqual(inventory.revisionOf([NAMESPACE_SET]), added, 'the last object of shop went');
    assert.deepEqual(inventory.namespaces(), ['billing']);
  });

  it('answers namespaces() from what it holds after every kind of change', () => {
    const inventory = new Inventory();
    const seen: string[][] = [];
    const step = (change: () => void): void => {
      change();
      seen.push([...inventory.namespaces()]);
    };
    step(() => inventory.upsert(pod('a', 'p')));
    step(() => inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'z' } }));
    step(() =>
      inventory.upsert({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's', namespace: 'm' } }),
    );
    step(() => inventory.delete('Namespace', undefined, 'z'));
    step(() => inventory.delete('Pod', 'a', 'p'));
    assert.deepEqual(seen, [['a'], ['a', 'z'], ['a', 'm', 'z'], ['a', 'm'], ['m']]);
  });
});
