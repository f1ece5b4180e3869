/**
 * Reading a live cluster for `bulwark reach`, against a fake list client: pages are
 * followed to the end, list items get their kind, a required kind that cannot be listed
 * fails, and an optional one becomes a warning.
 */
import assert from 'node:assert/strict';
import type { ListOptions, ObjectList, ResourceDescriptor } from '../../../src/controller/kube-client.js';
import { ClusterReadError, readClusterObjects } from '../../../src/cli/reach/cluster.js';
import { nameOf } from '../../../src/engine/objects.js';

type Pages = Readonly<Record<string, readonly (readonly string[])[] | Error>>;

/** A client whose `plural` collection is served as the given pages of names. */
function fakeClient(pages: Pages): { list(r: ResourceDescriptor, o: ListOptions): Promise<ObjectList>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    list(resource, options) {
      calls.push(`${resource.plural}?limit=${String(options.limit)}&continue=${options.continue ?? ''}`);
      const served = pages[resource.plural] ?? [[]];
      if (served instanceof Error) return Promise.reject(served);
      const index = options.continue === undefined ? 0 : Number(options.continue);
      const items = (served[index] ?? []).map((name) => ({ metadata: { name, namespace: 'ns' } }));
      const next = index + 1 < served.length ? String(index + 1) : undefined;
      return Promise.resolve({ metadata: { resourceVersion: '1', ...(next !== undefined ? { continue: next } : {}) }, items });
    },
  };
}

interface Case {
  readonly name: string;
  readonly pages: Pages;
  readonly objects?: readonly string[];
  readonly warnings?: readonly string[];
  readonly error?: string;
}

const cases: readonly Case[] = [
  {
    name: 'follows continue tokens to the last page and sets kind and apiVersion',
    pages: { pods: [['a', 'b'], ['c']], networkpolicies: [['deny']], namespaces: [['ns']] },
    objects: ['v1/Namespace/ns', 'networking.k8s.io/v1/NetworkPolicy/deny', 'v1/Pod/a', 'v1/Pod/b', 'v1/Pod/c'],
    warnings: [],
  },
  {
    name: 'an optional kind that cannot be listed is a warning',
    pages: { deployments: new Error('deployments.apps is forbidden') },
    objects: [],
    warnings: [
      'cannot list deployments (deployments.apps is forbidden); their pods are shown as bare pods, not under their Deployment',
    ],
  },
  {
    name: 'a required kind that cannot be listed fails the read',
    pages: { networkpolicies: new Error('connect ECONNREFUSED 127.0.0.1:6443') },
    error: 'cannot list networkpolicies: connect ECONNREFUSED 127.0.0.1:6443',
  },
];

describe('reach: reading a live cluster', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const client = fakeClient(c.pages);
      if (c.error !== undefined) {
        await assert.rejects(readClusterObjects(client), (e: unknown) => e instanceof ClusterReadError && e.message === c.error);
        return;
      }
      const read = await readClusterObjects(client);
      assert.deepEqual(
        read.objects.map((o) => `${String(o.apiVersion)}/${String(o.kind)}/${nameOf(o)}`),
        c.objects,
      );
      assert.deepEqual(read.warnings, c.warnings);
      assert.ok(client.calls.every((call) => call.includes('limit=500')));
    });
  }
});
