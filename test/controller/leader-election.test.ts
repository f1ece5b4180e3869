import assert from 'node:assert/strict';
import { ApiError, RESOURCES } from '../../src/controller/kube-client.js';
import type { ResourceDescriptor, TargetOptions, WriteOptions } from '../../src/controller/kube-client.js';
import { LeaderElector, leaderIdentity, microTime } from '../../src/controller/leader-election.js';
import type { LeaderElectorOptions, LeaseClient } from '../../src/controller/leader-election.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { FakeClock, settle } from './fake-clock.js';

/** One Lease with resourceVersion checks, shared by the electors of a test, as etcd would. */
class LeaseStore {
  lease: KubeObject | undefined;
  private version = 0;
  writes = 0;

  spec(): Record<string, unknown> {
    return (this.lease?.['spec'] ?? {}) as Record<string, unknown>;
  }

  private stored(object: KubeObject): KubeObject {
    this.writes++;
    this.lease = structuredClone({ ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } });
    return structuredClone(this.lease);
  }

  get(): KubeObject {
    if (this.lease === undefined) throw new ApiError('get', 404, 'NotFound', 'leases "bulwark-leader" not found');
    return structuredClone(this.lease);
  }

  create(object: KubeObject): KubeObject {
    if (this.lease !== undefined) throw new ApiError('create', 409, 'AlreadyExists', 'leases "bulwark-leader" already exists');
    return this.stored(object);
  }

  replace(object: KubeObject): KubeObject {
    if (object.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      throw new ApiError('update', 409, 'Conflict', 'the object has been modified');
    }
    return this.stored(object);
  }
}

type Fault = 'network' | 'hang' | undefined;

/** One replica's view of the API: the shared store, behind a switchable fault. */
function clientFor(store: LeaseStore, faults: { current: Fault }): LeaseClient {
  const call = <T>(run: () => T, options: TargetOptions | WriteOptions): Promise<T> => {
    if (faults.current === 'network') return Promise.reject(new ApiError('get', 0, 'NetworkError', 'connect ECONNREFUSED'));
    if (faults.current === 'hang') {
      return new Promise((_resolve, reject) =>
        options.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }),
      );
    }
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    get: (_r: ResourceDescriptor, _name: string, options: TargetOptions = {}) => call(() => store.get(), options),
    create: (_r: ResourceDescriptor, object: KubeObject, options: WriteOptions = {}) => call(() => store.create(object), options),
    replace: (_r: ResourceDescriptor, object: KubeObject, options: WriteOptions = {}) => call(() => store.replace(object), options),
  };
}

interface Replica {
  readonly elector: LeaderElector;
  readonly faults: { current: Fault };
  readonly log: string[];
}

function replica(clock: FakeClock, store: LeaseStore, identity: string, extra: Partial<LeaderElectorOptions> = {}): Replica {
  const faults: { current: Fault } = { current: undefined };
  const log: string[] = [];
  const start = clock.now();
  const at = (): string => `${((clock.now() - start) / 1000).toFixed(1)}s`;
  const elector = new LeaderElector({
    client: clientFor(store, faults),
    namespace: 'bulwark-system',
    identity,
    clock,
    random: () => 0,
    onStartedLeading: () => log.push(`${at()} started`),
    onStoppedLeading: () => log.push(`${at()} stopped`),
    onError: (error) => log.push(`${at()} error: ${(error as Error).message}`),
    ...extra,
  });
  return { elector, faults, log };
}

describe('LeaderElector', () => {
  it('creates the Lease and leads, renewing every retry period', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    a.elector.start();
    await settle();
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(store.spec(), {
      holderIdentity: 'bulwark-a',
      leaseDurationSeconds: 15,
      acquireTime: microTime(clock.now()),
      renewTime: microTime(clock.now()),
      leaseTransitions: 0,
    });
    assert.deepEqual(store.lease?.metadata, { name: 'bulwark-leader', namespace: 'bulwark-system', resourceVersion: '1' });
    await clock.advance(10_000);
    assert.equal(store.writes, 6, 'one create and a renewal every 2 s');
    assert.equal(store.spec()['renewTime'], microTime(clock.now()));
    assert.deepEqual(a.log, ['0.0s started']);
    await a.elector.stop();
  });

  it('lets only one of two replicas lead', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    const b = replica(clock, store, 'bulwark-b');
    a.elector.start();
    await settle();
    b.elector.start();
    await clock.advance(60_000);
    assert.deepEqual([a.elector.isLeader(), b.elector.isLeader()], [true, false]);
    assert.equal(b.elector.leader, 'bulwark-a');
    assert.deepEqual(b.log, []);
    await b.elector.stop();
    await a.elector.stop();
  });

  it('hands over at once when the leader releases the Lease on shutdown', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    const b = replica(clock, store, 'bulwark-b');
    a.elector.start();
    await settle();
    b.elector.start();
    await clock.advance(5_000);
    await a.elector.stop();
    assert.deepEqual([store.spec()['holderIdentity'], store.spec()['leaseDurationSeconds']], ['', 1]);
    assert.deepEqual(a.log, ['0.0s started', '5.0s stopped']);
    await clock.advance(2_000);
    assert.equal(b.elector.isLeader(), true, 'the standby took over at its next try, not after 15 s');
    assert.deepEqual(b.log, ['6.0s started']);
    assert.equal(store.spec()['leaseTransitions'], 1);
    await b.elector.stop();
  });

  it('without release on stop, the standby waits for the Lease to expire', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a', { releaseOnStop: false });
    const b = replica(clock, store, 'bulwark-b');
    a.elector.start();
    await settle();
    b.elector.start();
    await clock.advance(5_000);
    await a.elector.stop();
    assert.equal(store.spec()['holderIdentity'], 'bulwark-a', 'the Lease was left as it was');
    assert.deepEqual(a.log, ['0.0s started', '5.0s stopped']);
    await clock.advance(30_000);
    assert.deepEqual(b.log, ['20.0s started'], 'last renewal seen at 4 s, 15 s lease, next try at 20 s');
    await b.elector.stop();
  });

  it('steps down when it cannot renew, before a standby may take over', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    const b = replica(clock, store, 'bulwark-b');
    a.elector.start();
    await settle();
    b.elector.start();
    await clock.advance(4_000);
    a.faults.current = 'network';
    await clock.advance(30_000);
    assert.deepEqual(a.log.filter((l) => !l.includes('ECONNREFUSED')), [
      '0.0s started',
      '12.0s error: lease bulwark-system/bulwark-leader: not renewed within 10000 ms; stepping down',
      '12.0s stopped',
    ]);
    assert.deepEqual(b.log, ['20.0s started'], 'b waited the full 15 s from its last observed renewal (at 4 s), plus one retry');
    assert.equal(a.elector.isLeader(), false);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('aborts a renewal that hangs at the renew deadline', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    a.elector.start();
    await settle();
    a.faults.current = 'hang';
    await clock.advance(12_000);
    assert.deepEqual(a.log, [
      '0.0s started',
      '10.0s error: lease bulwark-system/bulwark-leader: not renewed within 10000 ms; stepping down',
      '10.0s stopped',
    ]);
    a.faults.current = undefined;
    await clock.advance(9_999);
    assert.equal(a.elector.isLeader(), false, 'its campaign attempt at 12 s hangs too, until its own deadline at 22 s');
    await clock.advance(2_001);
    assert.equal(a.elector.isLeader(), true, 'then it campaigns again and wins back its own Lease');
    assert.deepEqual(a.log.slice(3), ['24.0s started']);
    await a.elector.stop();
  });

  it('stops answering isLeader() once the renew deadline passed, even if its loop never ran', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    a.elector.start();
    await settle();
    clock.jump(9_999);
    assert.equal(a.elector.isLeader(), true);
    clock.jump(1);
    assert.equal(a.elector.isLeader(), false, 'a stalled process must not write on a lease it may have lost');
    await a.elector.stop();
  });

  it('takes over a Lease whose holder vanished without releasing it', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    store.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'bulwark-leader', namespace: 'bulwark-system' },
      spec: { holderIdentity: 'crashed', leaseDurationSeconds: 15, renewTime: microTime(0), leaseTransitions: 4 },
    });
    const b = replica(clock, store, 'bulwark-b');
    b.elector.start();
    await clock.advance(14_000);
    assert.equal(b.elector.isLeader(), false, 'the lease is judged by when b saw it change, not by its timestamps');
    await clock.advance(2_000);
    assert.equal(b.elector.isLeader(), true);
    assert.deepEqual([store.spec()['holderIdentity'], store.spec()['leaseTransitions']], ['bulwark-b', 5]);
    await b.elector.stop();
  });

  it('reports API errors but not lost races', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = replica(clock, store, 'bulwark-a');
    const b = replica(clock, store, 'bulwark-b');
    a.elector.start();
    b.elector.start();
    await clock.advance(10_000);
    assert.deepEqual([a.log, b.log], [['0.0s started'], []], 'b lost the create race silently');
    b.faults.current = 'network';
    await clock.advance(2_000);
    assert.match(b.log[0] ?? '', /error: connect ECONNREFUSED/);
    await a.elector.stop();
    await b.elector.stop();
  });

  it('refuses timings that could let two leaders overlap', () => {
    assert.throws(
      () => new LeaderElector({ client: clientFor(new LeaseStore(), { current: undefined }), namespace: 'x', identity: 'a', leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
      /leaseDuration > renewDeadline > retryPeriod/,
    );
  });

  it('leaves no timer behind after stop', async () => {
    const clock = new FakeClock();
    const a = replica(clock, new LeaseStore(), 'bulwark-a');
    a.elector.start();
    await clock.advance(3_000);
    await a.elector.stop();
    assert.equal(clock.pending, 0);
  });
});

describe('leader identity and times', () => {
  const cases: { name: string; actual: string; expected: string }[] = [
    { name: 'pod name and suffix', actual: leaderIdentity('bulwark-5c9d-x7', 'ab12cd34'), expected: 'bulwark-5c9d-x7_ab12cd34' },
    { name: 'MicroTime has six fractional digits', actual: microTime(Date.UTC(2026, 10, 24, 12, 0, 0, 123)), expected: '2026-11-24T12:00:00.123000Z' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.actual, c.expected));

  it('falls back to the host name and a random suffix', () => {
    assert.match(leaderIdentity(undefined), /^.+_[0-9a-f]{8}$/);
    assert.notEqual(leaderIdentity('p'), leaderIdentity('p'));
  });

  it('uses the Lease resource', () => assert.equal(RESOURCES.leases.plural, 'leases'));
});
