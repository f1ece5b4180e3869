import assert from 'node:assert/strict';
import { parseScopeKey, scopesForEvent } from '../../src/controller/event-scopes.js';
import type { ObjectEnvelope } from '../../src/engine/objects.js';

const meta = (name: string, namespace?: string): ObjectEnvelope => ({
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const pod = (spec: Record<string, unknown>): ObjectEnvelope => ({ ...meta('p', 'shop'), spec }) as ObjectEnvelope;

describe('scopesForEvent', () => {
  const rows: { name: string; kind: string; old?: ObjectEnvelope; new?: ObjectEnvelope; keys: string[] }[] = [
    {
      name: 'a new pod changes its namespace and the cluster scope',
      kind: 'Pod',
      new: meta('p', 'shop'),
      keys: ['cluster', 'ns/shop'],
    },
    {
      name: 'a deleted pod changes its namespace and the cluster scope',
      kind: 'Pod',
      old: meta('p', 'shop'),
      keys: ['cluster', 'ns/shop'],
    },
    {
      name: 'an updated pod changes its namespace only (its ServiceAccount cannot change)',
      kind: 'Pod',
      old: pod({ serviceAccountName: 'web', containers: [{ image: 'web:1' }] }),
      new: pod({ serviceAccountName: 'web', containers: [{ image: 'web:latest' }] }),
      keys: ['ns/shop'],
    },
    {
      name: 'an updated pod whose ServiceAccount differs changes the cluster scope too',
      kind: 'Pod',
      old: pod({}),
      new: pod({ serviceAccount: 'web' }),
      keys: ['cluster', 'ns/shop'],
    },
    {
      name: 'a NetworkPolicy changes its namespace only',
      kind: 'NetworkPolicy',
      new: meta('n', 'shop'),
      keys: ['ns/shop'],
    },
    {
      name: 'a RoleBinding changes its namespace and the cluster scope',
      kind: 'RoleBinding',
      old: meta('b', 'shop'),
      keys: ['cluster', 'ns/shop'],
    },
    {
      name: 'a ClusterRole changes the cluster scope',
      kind: 'ClusterRole',
      new: meta('admin'),
      keys: ['cluster'],
    },
    {
      name: 'a namespace changes itself and the cluster scope',
      kind: 'Namespace',
      new: meta('shop'),
      keys: ['cluster', 'ns/shop'],
    },
    {
      name: 'a policy changes that policy',
      kind: 'SecurityPolicy',
      old: meta('prod'),
      new: meta('prod'),
      keys: ['policy/prod'],
    },
    { name: 'an object without metadata changes nothing', kind: 'NetworkPolicy', new: {}, keys: [] },
  ];
  for (const row of rows)
    it(row.name, () => assert.deepEqual(scopesForEvent(row.kind, row.old, row.new), row.keys));
});

describe('parseScopeKey', () => {
  it('round-trips every key form and rejects others', () => {
    assert.deepEqual(parseScopeKey('ns/a/b'), { kind: 'namespace', namespace: 'a/b' });
    assert.deepEqual(parseScopeKey('cluster'), { kind: 'cluster' });
    assert.deepEqual(parseScopeKey('policy/p'), { kind: 'policy', name: 'p' });
    assert.throws(() => parseScopeKey('pod/x'), /not a scope key/);
  });
});
