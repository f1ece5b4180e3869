// The controller's runtime plumbing against a real API server: the typed client (writes,
// guarded updates, server-side apply, errors, watches that outlive the library's 30 s
// cutoff), the reflector (paged lists, adds/updates/deletes, server-ended watches, 410
// after an API-server restart, etcd restarts, the stall watchdog) and Lease leader
// election (one leader, takeover after expiry, immediate handover on release, stepping
// down when cut off). Faults that a real server cannot be asked for (a connection that
// goes silent) come from a TCP proxy between client and server; everything else is the
// server's own behaviour.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { KubeConfig } from '@kubernetes/client-node';

import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  KubeClient,
  RESOURCES,
} from '../src/controller/kube-client.js';
import type { ApiVerb, ResourceDescriptor } from '../src/controller/kube-client.js';
import { LeaderElector } from '../src/controller/leader-election.js';
import type { LeaderElectorOptions } from '../src/controller/leader-election.js';
import { objectKey, Reflector } from '../src/controller/reflector.js';
import type { ReflectorEvent, ReflectorOptions } from '../src/controller/reflector.js';
import type { KubeObject } from '../src/engine/objects.js';
import { getTestCluster } from './harness/cluster.js';
import { withNamespace } from './harness/namespace.js';

const CONFIGMAPS: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  namespaced: true,
  kind: 'ConfigMap',
};

function log(line: string): void {
  process.stderr.write(`[controller-runtime] ${line}\n`);
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `: ${String(lastError)}`}`,
      );
    }
    await sleep(50);
  }
}

function adminKubeConfig(server?: string): KubeConfig {
  const admin = getTestCluster().kubeConfig();
  if (server === undefined) return admin;
  const exported = JSON.parse(admin.exportConfig()) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const entry of exported.clusters) entry.cluster['server'] = server;
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(exported));
  return kc;
}

function configMap(namespace: string, name: string, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

async function createConfigMaps(client: KubeClient, namespace: string, count: number): Promise<void> {
  let next = 0;
  // 16 in flight: the local API server takes ~500 creates a second that way (SPEC §9).
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        await client.create(CONFIGMAPS, configMap(namespace, `cm-${String(i).padStart(4, '0')}`));
      }
    }),
  );
}

/** The live names in a namespace, read with a fresh paged list. */
async function liveNames(client: KubeClient, namespace: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.list(CONFIGMAPS, {
      namespace,
      limit: 500,
      ...(token !== undefined ? { continue: token } : {}),
    });
    for (const item of page.items) names.push(`${namespace}/${(item as KubeObject).metadata?.name}`);
    token = page.metadata.continue;
  } while (token !== undefined);
  return names.sort();
}

interface Recorder {
  readonly reflector: Reflector;
  readonly callbacks: string[];
  readonly events: ReflectorEvent[];
  restarts(reason?: string): ReflectorEvent[];
  lists(): number;
  keys(): string[];
}

function recordReflector(
  client: KubeClient,
  namespace: string,
  options: Partial<ReflectorOptions<KubeObject>> = {},
): Recorder {
  const callbacks: string[] = [];
  const events: ReflectorEvent[] = [];
  const reflector = new Reflector({
    client,
    resource: CONFIGMAPS,
    namespace,
    handler: {
      onAdd: (o, initial) => {
        if (!initial) callbacks.push(`add ${objectKey(o)}`);
      },
      onUpdate: (old, o) =>
        callbacks.push(
          `update ${objectKey(o)} ${JSON.stringify(old['data'])} -> ${JSON.stringify(o['data'])}`,
        ),
      onDelete: (o) => callbacks.push(`delete ${objectKey(o)}`),
      onSync: () => callbacks.push('synced'),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'restart')
          log(
            `${namespace}: restart ${e.reason} -> ${e.next} after ${e.delayMs} ms${e.error === undefined ? '' : ` (${String(e.error)})`}`,
          );
      },
    },
    ...options,
  });
  return {
    reflector,
    callbacks,
    events,
    restarts: (reason) =>
      events.filter((e) => e.type === 'restart' && (reason === undefined || e.reason === reason)),
    lists: () => events.filter((e) => e.type === 'listed').length,
    keys: () => [...reflector.store.keys()].sort(),
  };
}

/**
 * A TCP proxy in front of the API server that can turn into a black hole: after
 * `freeze()` it forwards nothing on existing or new connections, as a dead network path
 * that never resets does; `thaw()` resets those connections and lets new ones through.
 */
class FaultyProxy {
  private server: TcpServer | undefined;
  private frozen = false;
  private readonly connections = new Set<{ client: Socket; upstream: Socket; blackHoled: boolean }>();

  async start(target: URL): Promise<string> {
    this.server = createTcpServer((client) => {
      const upstream = tcpConnect(Number(target.port), target.hostname);
      const pair = { client, upstream, blackHoled: this.frozen };
      this.connections.add(pair);
      client.on('data', (chunk) => {
        if (!pair.blackHoled) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!pair.blackHoled) client.write(chunk);
      });
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.connections.delete(pair);
      };
      client.on('close', close);
      upstream.on('close', close);
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  freeze(): void {
    this.frozen = true;
    for (const pair of this.connections) pair.blackHoled = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const pair of this.connections) {
      if (!pair.blackHoled) continue;
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const pair of this.connections) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }
}

describe('KubeClient against the API server', function () {
  this.timeout(120_000);
  const ns = withNamespace({ prefix: 'client' });
  let client: KubeClient;
  let errors: [ApiVerb, string][];

  beforeEach(() => {
    errors = [];
    client = new KubeClient(adminKubeConfig(), { onApiError: (verb, code) => errors.push([verb, code]) });
  });
  afterEach(() => client.close());

  it('creates, reads, replaces with a guard, applies and deletes', async () => {
    const created = await client.create(CONFIGMAPS, configMap(ns.name, 'settings'));
    const fetched = await client.get(CONFIGMAPS, 'settings', { namespace: ns.name });
    assert.equal(fetched.metadata?.uid, created.metadata?.uid);

    const duplicate = await client
      .create(CONFIGMAPS, configMap(ns.name, 'settings'))
      .catch((e: unknown) => e);
    assert.ok(isAlreadyExists(duplicate), String(duplicate));

    const updated = await client.replace(CONFIGMAPS, { ...fetched, data: { k: 'v2' } });
    const stale = await client
      .replace(CONFIGMAPS, { ...fetched, data: { k: 'stale' } })
      .catch((e: unknown) => e);
    assert.ok(isConflict(stale), `a write from the old resourceVersion must conflict: ${String(stale)}`);
    assert.deepEqual((await client.get(CONFIGMAPS, 'settings', { namespace: ns.name }))['data'], { k: 'v2' });

    const applied = await client.apply(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns.name },
      data: { k: 'v3', owned: 'yes' },
    });
    assert.deepEqual(applied['data'], { k: 'v3', owned: 'yes' });
    const managers = (applied.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('bulwark/Apply'), `managedFields: ${managers.join(', ')}`);
    assert.notEqual(applied.metadata?.resourceVersion, updated.metadata?.resourceVersion);

    await client.delete(CONFIGMAPS, 'settings', {
      namespace: ns.name,
      preconditions: { uid: created.metadata?.uid ?? '' },
    });
    const missing = await client.get(CONFIGMAPS, 'settings', { namespace: ns.name }).catch((e: unknown) => e);
    assert.ok(isNotFound(missing));
    assert.ok(missing instanceof ApiError);
    assert.equal(missing.reason, 'NotFound');
    assert.deepEqual(errors, [
      ['create', '409'],
      ['update', '409'],
      ['get', '404'],
    ]);
  });

  it('keeps a quiet watch open past 30 s and receives the server bookmarks', async function () {
    this.timeout(150_000);
    // The controller-manager's root-CA publisher adds kube-root-ca.crt to every new
    // namespace; once it is there, nothing else writes ConfigMaps here. Listed before it
    // came, the watch saw it ADDED (a CI run on a loaded machine).
    await until('kube-root-ca.crt in the namespace', async () =>
      (await client.list(CONFIGMAPS, { namespace: ns.name })).items.some(
        (item) => objectKey(item as KubeObject) === `${ns.name}/kube-root-ca.crt`,
      ),
    );
    const started = Date.now();
    const seen: string[] = [];
    const list = await client.list(CONFIGMAPS, { namespace: ns.name, limit: 1 });
    for await (const event of client.watch(CONFIGMAPS, {
      namespace: ns.name,
      resourceVersion: list.metadata.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 100,
    })) {
      seen.push(`${event.type} after ${Math.round((Date.now() - started) / 1000)} s`);
      if (event.type === 'BOOKMARK') break;
    }
    log(`quiet watch: ${seen.join(', ')}`);
    assert.equal(seen.length, 1);
    assert.match(seen[0] ?? '', /^BOOKMARK after \d+ s$/);
    assert.ok(
      Date.now() - started > 30_000,
      'the first bookmark comes after the library would have cut the watch',
    );
  });
});

describe('Reflector against the API server', function () {
  this.timeout(180_000);
  const ns = withNamespace({ prefix: 'reflector' });
  let client: KubeClient;
  let recorder: Recorder | undefined;

  beforeEach(() => {
    client = new KubeClient(adminKubeConfig());
    recorder = undefined;
  });
  afterEach(async () => {
    await recorder?.reflector.stop();
    client.close();
  });

  it('lists in pages, then sees adds, updates and deletes in order', async () => {
    await createConfigMaps(client, ns.name, 1_100);
    recorder = recordReflector(client, ns.name);
    const started = Date.now();
    recorder.reflector.start();
    assert.equal(await recorder.reflector.waitForSync(), true);
    const listed = recorder.events.find((e) => e.type === 'listed');
    assert.ok(listed?.type === 'listed');
    log(`listed ${listed.objects} ConfigMaps in ${listed.pages} pages in ${Date.now() - started} ms`);
    assert.equal(listed.pages, 3, '1,100 ConfigMaps and kube-root-ca.crt in pages of 500');
    assert.deepEqual(recorder.keys(), await liveNames(client, ns.name));

    const rec = recorder;
    await until('the watch', () => rec.events.some((e) => e.type === 'watching'));
    const fresh = await client.create(CONFIGMAPS, configMap(ns.name, 'fresh', { v: '1' }));
    await client.replace(CONFIGMAPS, { ...fresh, data: { v: '2' } });
    await client.delete(CONFIGMAPS, 'cm-0000', { namespace: ns.name });
    await client.delete(CONFIGMAPS, 'fresh', { namespace: ns.name });
    await until('four callbacks', () => rec.callbacks.length >= 5);
    assert.deepEqual(rec.callbacks, [
      'synced',
      `add ${ns.name}/fresh`,
      `update ${ns.name}/fresh {"v":"1"} -> {"v":"2"}`,
      `delete ${ns.name}/cm-0000`,
      `delete ${ns.name}/fresh`,
    ]);
    assert.deepEqual(recorder.keys(), await liveNames(client, ns.name));
  });

  it('resumes from its resourceVersion each time the server ends the watch', async () => {
    recorder = recordReflector(client, ns.name, { minWatchTimeoutSeconds: 1 });
    const rec = recorder;
    recorder.reflector.start();
    await recorder.reflector.waitForSync();
    await until('three server-ended watches', () => rec.restarts('closed').length >= 3, 30_000);
    await client.create(CONFIGMAPS, configMap(ns.name, 'after-timeouts'));
    await until('the add after the timeouts', () => rec.callbacks.includes(`add ${ns.name}/after-timeouts`));
    assert.equal(recorder.lists(), 1, 'a watch the server ends is resumed, never relisted');
    assert.deepEqual(
      recorder
        .restarts()
        .map((e) => e.type === 'restart' && e.reason)
        .filter((r) => r !== 'closed'),
      [],
    );
  });

  it('aborts a watch whose connection went silent and resumes without relisting', async () => {
    const proxy = new FaultyProxy();
    const viaProxy = new KubeClient(
      adminKubeConfig(
        await proxy.start(new URL(getTestCluster().kubeConfig().getCurrentCluster()?.server ?? '')),
      ),
    );
    try {
      recorder = recordReflector(viaProxy, ns.name, { minWatchTimeoutSeconds: 2, stallMarginMs: 1_000 });
      const rec = recorder;
      recorder.reflector.start();
      await recorder.reflector.waitForSync();
      await until('the watch', () => rec.events.some((e) => e.type === 'watching'));
      const frozenAt = Date.now();
      proxy.freeze();
      await until('the stall watchdog', () => rec.restarts('stall').length > 0, 15_000);
      log(`stall detected ${Date.now() - frozenAt} ms after the connection went silent`);
      assert.ok(
        Date.now() - frozenAt <= 2 * 2_000 + 1_000 + 1_000,
        'within the server timeout (2-4 s) plus the 1 s margin',
      );
      proxy.thaw();
      await client.create(CONFIGMAPS, configMap(ns.name, 'after-stall'));
      await until(
        'the add after the stall',
        () => rec.callbacks.includes(`add ${ns.name}/after-stall`),
        15_000,
      );
      assert.equal(recorder.lists(), 1, 'resumed from the last resourceVersion');
      await recorder.reflector.stop();
      recorder = undefined;
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  it('survives an API-server restart: its resourceVersion is gone (410), so it relists and converges', async function () {
    const local = getTestCluster().local;
    if (local === undefined) {
      console.log(
        '      skipped: restarting a component needs the local control plane (KUBECONFIG names an external cluster)',
      );
      this.skip();
    }
    await createConfigMaps(client, ns.name, 20);
    recorder = recordReflector(client, ns.name);
    const rec = recorder;
    recorder.reflector.start();
    await recorder.reflector.waitForSync();
    await until('the watch', () => rec.events.some((e) => e.type === 'watching'));
    const versionBefore = (await client.list(CONFIGMAPS, { namespace: ns.name, limit: 1 })).metadata
      .resourceVersion;
    // A write elsewhere moves etcd's revision past the reflector's last resourceVersion;
    // the restarted API server's watch cache starts from there, so the old one is gone.
    await client.create(CONFIGMAPS, configMap('default', `bump-${ns.name}`));
    await local?.restartApiServer({ downtimeMs: 1_000 });
    await client.delete(CONFIGMAPS, 'cm-0003', { namespace: ns.name });
    await client.create(CONFIGMAPS, configMap(ns.name, 'after-restart'));
    await until(
      'the cache to match the server',
      async () => JSON.stringify(rec.keys()) === JSON.stringify(await liveNames(client, ns.name)),
      30_000,
    );
    await until('the watch again', () => rec.events.at(-1)?.type === 'watching', 30_000);
    const reasons = recorder.restarts().map((e) => (e.type === 'restart' ? `${e.reason}->${e.next}` : ''));
    log(`API-server restart: ${reasons.join(', ')}; lists ${recorder.lists()}`);
    assert.ok(recorder.restarts('gone').length > 0, `expected a 410 relist, got ${reasons.join(', ')}`);
    assert.ok(recorder.lists() >= 2);
    assert.ok(recorder.callbacks.includes(`delete ${ns.name}/cm-0003`));
    assert.ok(recorder.callbacks.includes(`add ${ns.name}/after-restart`));

    // The same 410, seen by the client itself: a watch from before the restart.
    const outcome: string[] = [];
    try {
      for await (const event of client.watch(CONFIGMAPS, {
        namespace: ns.name,
        resourceVersion: versionBefore,
        timeoutSeconds: 10,
      })) {
        outcome.push(`${event.type} ${String(event.object['code'])} ${String(event.object['reason'])}`);
        break;
      }
    } catch (error) {
      outcome.push(isGone(error) ? 'HTTP 410' : `error ${String(error)}`);
    }
    log(`a watch from resourceVersion ${versionBefore} after the restart got: ${outcome.join(', ')}`);
    assert.ok(outcome[0] === 'ERROR 410 Expired' || outcome[0] === 'HTTP 410', outcome.join(', '));
    await client.delete(CONFIGMAPS, `bump-${ns.name}`, { namespace: 'default' });
  });

  it('survives an etcd restart and converges', async function () {
    const local = getTestCluster().local;
    if (local === undefined) {
      console.log(
        '      skipped: restarting a component needs the local control plane (KUBECONFIG names an external cluster)',
      );
      this.skip();
    }
    await createConfigMaps(client, ns.name, 10);
    recorder = recordReflector(client, ns.name);
    const rec = recorder;
    recorder.reflector.start();
    await recorder.reflector.waitForSync();
    await local?.restartEtcd({ downtimeMs: 1_000 });
    await client.delete(CONFIGMAPS, 'cm-0001', { namespace: ns.name });
    await client.create(CONFIGMAPS, configMap(ns.name, 'after-etcd'));
    await until(
      'the cache to match the server',
      async () => JSON.stringify(rec.keys()) === JSON.stringify(await liveNames(client, ns.name)),
      60_000,
    );
    log(
      `etcd restart: ${
        recorder
          .restarts()
          .map((e) => (e.type === 'restart' ? e.reason : ''))
          .join(', ') || 'no watch restart'
      }; lists ${recorder.lists()}`,
    );
  });
});

describe('Leader election against the API server', function () {
  this.timeout(120_000);
  const ns = withNamespace({ prefix: 'lease' });
  let client: KubeClient;
  const electors: LeaderElector[] = [];

  beforeEach(() => {
    client = new KubeClient(adminKubeConfig());
  });
  afterEach(async () => {
    for (const elector of electors.splice(0)) await elector.stop();
    client.close();
  });

  function elector(
    identity: string,
    log: string[],
    extra: Partial<LeaderElectorOptions> = {},
  ): LeaderElector {
    const started = Date.now();
    const e = new LeaderElector({
      client,
      namespace: ns.name,
      identity,
      onStartedLeading: () => log.push(`${identity} started at ${Date.now() - started}`),
      onStoppedLeading: () => log.push(`${identity} stopped at ${Date.now() - started}`),
      ...extra,
    });
    electors.push(e);
    return e;
  }

  async function holder(): Promise<Record<string, unknown>> {
    const lease = await client.get(RESOURCES.leases, 'bulwark-leader', { namespace: ns.name });
    return lease['spec'] as Record<string, unknown>;
  }

  it('one of two replicas leads; the other takes over once the Lease expires', async () => {
    const events: string[] = [];
    const a = elector('replica-a', events, { releaseOnStop: false });
    const b = elector('replica-b', events);
    a.start();
    await until('a to lead', () => a.isLeader());
    b.start();
    await sleep(5_000);
    assert.deepEqual(
      [a.isLeader(), b.isLeader(), (await holder())['holderIdentity']],
      [true, false, 'replica-a'],
    );
    await a.stop();
    const lastRenew = Date.parse(String((await holder())['renewTime']));
    await until('b to take over', () => b.isLeader(), 30_000);
    const takeoverMs = Date.now() - lastRenew;
    log(`takeover ${takeoverMs} ms after a's last renewal (lease 15 s, retry 2 s)`);
    assert.ok(takeoverMs >= 15_000 - 500, 'never before the Lease expired');
    assert.ok(
      takeoverMs <= 15_000 + 2 * 2_400 + 1_000,
      'within the lease duration and a retry period or two',
    );
    assert.equal((await holder())['holderIdentity'], 'replica-b');
    assert.equal((await holder())['leaseTransitions'], 1);
  });

  it('a released Lease is taken over at once', async () => {
    const events: string[] = [];
    const a = elector('replica-a', events);
    const b = elector('replica-b', events);
    a.start();
    await until('a to lead', () => a.isLeader());
    b.start();
    await sleep(3_000);
    const stoppedAt = Date.now();
    await a.stop();
    assert.deepEqual([(await holder())['holderIdentity'], (await holder())['leaseDurationSeconds']], ['', 1]);
    await until('b to take over', () => b.isLeader(), 10_000);
    const handoverMs = Date.now() - stoppedAt;
    log(`handover ${handoverMs} ms after a released the Lease`);
    assert.ok(handoverMs <= 2_400 + 1_000, 'at the standby’s next try, not after the lease duration');
  });

  it('a leader cut off from the API server steps down before the other takes over', async () => {
    const proxy = new FaultyProxy();
    const viaProxy = new KubeClient(
      adminKubeConfig(
        await proxy.start(new URL(getTestCluster().kubeConfig().getCurrentCluster()?.server ?? '')),
      ),
    );
    try {
      const events: string[] = [];
      const a = elector('replica-a', events, { client: viaProxy });
      const b = elector('replica-b', events);
      a.start();
      await until('a to lead', () => a.isLeader());
      b.start();
      await sleep(2_500);
      proxy.freeze();
      await until('b to take over', () => b.isLeader(), 40_000);
      const stoppedA = Number(/replica-a stopped at (\d+)/.exec(events.join('\n'))?.[1]);
      const startedB = Number(/replica-b started at (\d+)/.exec(events.join('\n'))?.[1]);
      log(`cut off: ${events.join('; ')}`);
      assert.ok(Number.isFinite(stoppedA), 'a stepped down');
      assert.equal(a.isLeader(), false);
      assert.ok(
        stoppedA < startedB,
        `a stepped down (at ${stoppedA} ms) before b started leading (at ${startedB} ms)`,
      );
      proxy.thaw();
    } finally {
      for (const e of electors.splice(0)) await e.stop();
      viaProxy.close();
      await proxy.close();
    }
  });
});
