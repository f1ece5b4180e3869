import assert from 'node:assert/strict';
import { ApiError, RESOURCES } from '../../src/controller/kube-client.js';
import type { ObjectList } from '../../src/controller/kube-client.js';
import { objectKey, Reflector } from '../../src/controller/reflector.js';
import type { ReflectorEvent, ReflectorOptions } from '../../src/controller/reflector.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { FakeClock, settle } from './fake-clock.js';
import { event, FakeListWatch, gone, page, pod } from './fake-list-watch.js';
import type { ListScript } from './fake-list-watch.js';

/** A reflector on a fake clock and fake API, recording every callback as a line. */
function harness(
  script: ListScript,
  options: Partial<ReflectorOptions<KubeObject>> = {},
): {
  clock: FakeClock;
  api: FakeListWatch;
  reflector: Reflector;
  log: string[];
  events: ReflectorEvent[];
  restarts: () => string[];
} {
  const clock = new FakeClock();
  const api = new FakeListWatch(script);
  const log: string[] = [];
  const events: ReflectorEvent[] = [];
  const name = (o: KubeObject): string => `${objectKey(o)}@${o.metadata?.resourceVersion}`;
  const reflector = new Reflector({
    client: api,
    resource: RESOURCES.pods,
    clock,
    random: () => 0,
    handler: {
      onAdd: (o, initial) => log.push(`add ${name(o)}${initial ? ' (initial)' : ''}`),
      onUpdate: (old, o) => log.push(`update ${name(old)} -> ${o.metadata?.resourceVersion}`),
      onDelete: (o) => log.push(`delete ${name(o)}`),
      onSync: () => log.push('synced'),
      onRelist: (s) => log.push(`relisted ${s.objects} objects: +${s.added} ~${s.updated} -${s.deleted}`),
      onEvent: (e) => events.push(e),
    },
    ...options,
  });
  const restarts = (): string[] =>
    events.flatMap((e) => (e.type === 'restart' ? [`${e.reason} -> ${e.next} after ${e.delayMs} ms`] : []));
  return { clock, api, reflector, log, events, restarts };
}

function keys(reflector: Reflector): string[] {
  return [...reflector.store.keys()].sort();
}

describe('Reflector: list', () => {
  it('lists in pages, trims each object, and syncs only after the last page', async () => {
    let releaseLastPage = (): void => undefined;
    const lastPage = new Promise<ObjectList>((resolve) => (releaseLastPage = () => resolve(page('100', [pod('c', '3')]))));
    const { api, reflector, log } = harness((options) => {
      if (options.continue === undefined) return page('100', [pod('a', '1'), { metadata: { namespace: 'shop' } }], 'p2');
      if (options.continue === 'p2') return page('100', [pod('b', '2')], 'p3');
      return lastPage;
    });
    reflector.start();
    await settle();
    assert.equal(reflector.hasSynced(), false, 'two pages in, not synced');
    assert.equal(reflector.store.size, 0, 'the store is replaced at the end, not filled page by page');
    releaseLastPage();
    await settle();
    assert.equal(reflector.hasSynced(), true);
    assert.deepEqual(
      api.lists.map((l) => [l.limit, l.continue]),
      [
        [500, undefined],
        [500, 'p2'],
        [500, 'p3'],
      ],
    );
    assert.deepEqual(log, ['add shop/a@1 (initial)', 'add shop/b@2 (initial)', 'add shop/c@3 (initial)', 'synced']);
    const a = reflector.store.get('shop/a');
    assert.deepEqual([a?.apiVersion, a?.kind], ['v1', 'Pod'], 'list items get their kind from the resource');
    await reflector.stop();
  });

  it('then watches from the list resourceVersion, with bookmarks and a jittered server timeout', async () => {
    const { api, reflector } = harness(() => page('abc-100', [pod('a', '1')]), { random: () => 0.5 });
    reflector.start();
    await settle();
    const { resourceVersion, allowWatchBookmarks, timeoutSeconds } = api.current.options;
    assert.deepEqual([resourceVersion, allowWatchBookmarks, timeoutSeconds], ['abc-100', true, 450]);
    await reflector.stop();
  });

  it('restarts the list when the continue token expires mid-list', async () => {
    const { api, reflector, log, restarts } = harness((options, call) => {
      if (options.continue === undefined) return page(`${call}00`, [pod(`a${call}`, '1')], 'next');
      return call === 2 ? new ApiError('list', 410, 'Expired', 'The provided continue parameter is too old') : page(`${call}00`, [pod('b', '2')]);
    });
    reflector.start();
    await settle();
    assert.deepEqual(restarts(), ['gone -> list after 0 ms']);
    assert.deepEqual(log, ['add shop/a3@1 (initial)', 'add shop/b@2 (initial)', 'synced'], 'nothing of the abandoned list leaks in');
    assert.equal(api.current.options.resourceVersion, '400');
    await reflector.stop();
  });

  it('backs off on list failures with jittered exponential delays', async () => {
    const { clock, api, reflector, restarts } = harness((_o, call) =>
      call <= 3 ? new ApiError('list', 0, 'NetworkError', 'connect ECONNREFUSED') : page('9', []),
    );
    reflector.start();
    await clock.advance(800 + 1_600);
    assert.equal(api.lists.length, 3);
    assert.equal(reflector.hasSynced(), false);
    await clock.advance(3_200);
    assert.equal(reflector.hasSynced(), true);
    assert.deepEqual(restarts(), ['error -> list after 800 ms', 'error -> list after 1600 ms', 'error -> list after 3200 ms']);
    await reflector.stop();
  });

  it('skips list items it cannot key, and says so', async () => {
    const { reflector, events } = harness(() => page('1', [pod('a', '1'), 'junk', { metadata: {} }]));
    reflector.start();
    await settle();
    assert.deepEqual(keys(reflector), ['shop/a']);
    assert.equal(events.filter((e) => e.type === 'skipped').length, 2);
    await reflector.stop();
  });
});

describe('Reflector: watch', () => {
  it('applies adds, updates and deletes, store first, then the callback', async () => {
    const { api, reflector, log } = harness(() => page('10', [pod('a', '1')]));
    const seenInStore: string[] = [];
    reflector.start();
    await settle();
    log.length = 0;
    api.current.push(event('ADDED', pod('b', '11')), event('MODIFIED', pod('a', '12')), event('DELETED', pod('b', '13')));
    await settle();
    for (const key of ['shop/a', 'shop/b']) seenInStore.push(`${key}:${reflector.store.get(key)?.metadata?.resourceVersion}`);
    assert.deepEqual(log, ['add shop/b@11', 'update shop/a@1 -> 12', 'delete shop/b@11']);
    assert.deepEqual(seenInStore, ['shop/a:12', 'shop/b:undefined']);
    assert.equal(reflector.lastSyncResourceVersion, '13');
    await reflector.stop();
  });

  it('re-watches from the last bookmark when the server ends the watch, without relisting', async () => {
    const { api, reflector, restarts } = harness(() => page('10', [pod('a', '1')]));
    reflector.start();
    await settle();
    api.current.push(event('BOOKMARK', { metadata: { resourceVersion: 'bm-57' } }));
    api.current.end();
    await settle();
    assert.equal(api.lists.length, 1);
    assert.deepEqual(api.watches.map((w) => w.options.resourceVersion), ['10', 'bm-57']);
    assert.deepEqual(restarts(), ['closed -> watch after 0 ms']);
    await reflector.stop();
  });

  it('relists at once on an in-stream 410, and delivers what changed meanwhile', async () => {
    const lists: ObjectList[] = [
      page('10', [pod('kept', '1'), pod('changed', '2'), pod('deleted', '3')]),
      page('90', [pod('kept', '1'), pod('changed', '80'), pod('created', '85')]),
    ];
    const { clock, api, reflector, log, restarts } = harness((_o, call) => lists[call - 1] as ObjectList);
    reflector.start();
    await settle();
    log.length = 0;
    await clock.advance(5_000);
    api.current.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (60)' } });
    await settle();
    assert.deepEqual(restarts(), ['gone -> list after 0 ms']);
    assert.deepEqual(log, ['update shop/changed@2 -> 80', 'add shop/created@85', 'delete shop/deleted@3', 'relisted 3 objects: +1 ~1 -1']);
    assert.deepEqual(keys(reflector), ['shop/changed', 'shop/created', 'shop/kept']);
    assert.equal(api.current.options.resourceVersion, '90');
    await reflector.stop();
  });

  it('treats an Expired Status without a code as 410 too', async () => {
    const { clock, api, reflector, restarts } = harness(() => page('10', []));
    reflector.start();
    await clock.advance(5_000);
    api.current.push({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', message: 'too old' } });
    await settle();
    assert.deepEqual(restarts(), ['gone -> list after 0 ms']);
    await reflector.stop();
  });

  it('relists on a 410 answer to the watch request itself', async () => {
    const { clock, api, reflector, restarts } = harness(() => page('10', []));
    reflector.start();
    await clock.advance(5_000);
    api.watchOpenErrors.push(gone());
    api.current.end();
    await settle();
    assert.deepEqual(restarts(), ['closed -> watch after 0 ms', 'gone -> list after 0 ms']);
    assert.equal(api.lists.length, 2);
    await reflector.stop();
  });

  it('keeps the store readable and consistent while a relist runs', async () => {
    let release = (): void => undefined;
    const { clock, api, reflector } = harness((_o, call) =>
      call === 1 ? page('10', [pod('old', '1')]) : new Promise<ObjectList>((resolve) => (release = () => resolve(page('20', [pod('new', '2')])))),
    );
    reflector.start();
    await clock.advance(5_000);
    api.current.fail(gone());
    await settle();
    assert.deepEqual(keys(reflector), ['shop/old'], 'until the relist completes the old state is served');
    assert.equal(reflector.hasSynced(), true, 'stays synced during a relist');
    release();
    await settle();
    assert.deepEqual(keys(reflector), ['shop/new']);
    await reflector.stop();
  });

  it('backs off after a 410 that comes straight after a fresh list, rather than relisting in a loop', async () => {
    const { api, reflector, restarts } = harness(() => page('10', []));
    reflector.start();
    await settle();
    api.current.fail(gone());
    await settle();
    assert.deepEqual(restarts(), ['gone -> list after 800 ms']);
    await reflector.stop();
  });

  it('re-watches from the last resourceVersion after a connection error, with back-off', async () => {
    const { clock, api, reflector, restarts } = harness(() => page('10', [pod('a', '1')]));
    reflector.start();
    await settle();
    api.current.push(event('MODIFIED', pod('a', '15')));
    api.current.fail(new ApiError('watch', 0, 'NetworkError', 'socket hang up'));
    await settle();
    assert.equal(api.watches.length, 1, 'waits out the back-off');
    await clock.advance(800);
    assert.deepEqual(api.watches.map((w) => w.options.resourceVersion), ['10', '15']);
    assert.equal(api.lists.length, 1, 'no relist: the history is still there');
    assert.deepEqual(restarts(), ['error -> watch after 800 ms']);
    await reflector.stop();
  });

  it('backs off when the server ends watches at once, instead of spinning', async () => {
    const { api, reflector, restarts } = harness(() => page('10', []));
    reflector.start();
    await settle();
    api.current.end();
    await settle();
    assert.deepEqual(restarts(), ['closed -> watch after 800 ms']);
    await reflector.stop();
  });

  it('aborts a watch silent past the server timeout plus margin, then re-watches', async () => {
    const { clock, api, reflector, restarts } = harness(() => page('10', []), { minWatchTimeoutSeconds: 300, stallMarginMs: 30_000 });
    reflector.start();
    await settle();
    await clock.advance(200_000);
    api.current.push(event('BOOKMARK', { metadata: { resourceVersion: '44' } }));
    await clock.advance(329_999);
    assert.deepEqual(restarts(), [], 'the bookmark at 200 s re-armed the watchdog');
    await clock.advance(1);
    assert.equal(api.watches[0]?.closed, true, 'the silent stream was aborted');
    assert.deepEqual(restarts(), ['stall -> watch after 800 ms']);
    await clock.advance(800);
    assert.deepEqual(api.watches.map((w) => w.options.resourceVersion), ['10', '44']);
    await reflector.stop();
  });

  it('resets the back-off after a healthy period', async () => {
    const { clock, api, reflector, restarts } = harness(() => page('10', []));
    reflector.start();
    await settle();
    for (let i = 0; i < 3; i++) {
      await clock.advance(2_000);
      api.current.fail(new Error('reset by peer'));
      await clock.advance(10_000);
    }
    await clock.advance(120_000);
    api.current.fail(new Error('reset by peer'));
    await settle();
    assert.deepEqual(restarts(), [
      'error -> watch after 800 ms',
      'error -> watch after 1600 ms',
      'error -> watch after 3200 ms',
      'error -> watch after 800 ms',
    ]);
    await reflector.stop();
  });

  it('passes namespace and label selector to list and watch', async () => {
    const { api, reflector } = harness(() => page('1', []), { namespace: 'shop', labelSelector: 'app=web' });
    reflector.start();
    await settle();
    assert.deepEqual([api.lists[0]?.namespace, api.lists[0]?.labelSelector], ['shop', 'app=web']);
    assert.deepEqual([api.current.options.namespace, api.current.options.labelSelector], ['shop', 'app=web']);
    await reflector.stop();
  });

  it('reports a throwing handler and keeps going', async () => {
    const clock = new FakeClock();
    const api = new FakeListWatch(() => page('1', [pod('a', '1')]));
    const events: ReflectorEvent[] = [];
    const reflector = new Reflector({
      client: api,
      resource: RESOURCES.pods,
      clock,
      handler: {
        onAdd: () => {
          throw new Error('handler bug');
        },
        onEvent: (e) => events.push(e),
      },
    });
    reflector.start();
    await settle();
    api.current.push(event('ADDED', pod('b', '2')));
    await settle();
    assert.deepEqual(keys(reflector), ['shop/a', 'shop/b']);
    assert.deepEqual(events.filter((e) => e.type === 'handler-error').map((e) => e.type === 'handler-error' && e.callback), ['onAdd', 'onAdd']);
    await reflector.stop();
  });
});

describe('Reflector: stop', () => {
  it('aborts the watch in flight and leaves no timer behind', async () => {
    const { clock, api, reflector } = harness(() => page('1', []));
    reflector.start();
    await settle();
    await reflector.stop();
    assert.equal(api.current.closed, true);
    assert.equal(clock.pending, 0);
  });

  it('interrupts a back-off wait', async () => {
    const { clock, reflector } = harness(() => new Error('down'));
    reflector.start();
    await settle();
    const waiting = reflector.waitForSync();
    await reflector.stop();
    assert.equal(await waiting, false, 'a waiter learns the reflector stopped before syncing');
    assert.equal(clock.pending, 0);
  });

  it('is safe to call before start and twice', async () => {
    const { reflector } = harness(() => page('1', []));
    await reflector.stop();
    await reflector.stop();
    assert.equal(await reflector.waitForSync(), false);
  });
});
