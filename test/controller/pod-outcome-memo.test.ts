import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifestSet } from '../../bench/generate.js';
import { allChecks } from '../../src/checks/index.js';
import { PodOutcomeMemo } from '../../src/controller/pod-outcome-memo.js';
import type { Evaluation } from '../../src/engine/evaluate.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { podSubjectOf } from '../../src/engine/pod-spec.js';
import type { CompiledPolicy } from '../../src/engine/policy.js';
import { defaultPolicy } from '../../src/engine/policy.js';
import { loadManifests } from '../../src/manifests/load.js';

const now = new Date('2026-11-24T00:00:00Z');

function serviceAccount(name: string, automount: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: 'old' },
    automountServiceAccountToken: automount,
  };
}

function oldNamespace(version: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'old', labels: { 'pod-security.kubernetes.io/enforce-version': version } },
  };
}

/** Two replicas (the same spec) that read their namespace's Pod Security version and their ServiceAccount. */
function replica(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'old' },
    spec: {
      serviceAccountName: 'app',
      containers: [
        {
          name: 'app',
          image: 'app:1',
          // Judged by the Pod Security rules of the namespace's pinned version.
          securityContext: { capabilities: { add: ['NET_ADMIN'] }, procMount: 'Unmasked' },
        },
      ],
    },
  };
}

describe('PodOutcomeMemo', () => {
  let inventory = new Inventory();
  let dir = '';
  const policy = defaultPolicy(allChecks);

  before(async function () {
    this.timeout(60_000);
    dir = await mkdtemp(join(tmpdir(), 'bulwark-memo-'));
    const set = await generateManifestSet(join(dir, 'set'), { workloads: 150, namespaces: 3 });
    const loaded = await loadManifests([set.dir]);
    inventory = new Inventory([
      ...loaded.objects.map((o) => o.object),
      oldNamespace('v1.20'),
      serviceAccount('app', false),
      replica('a'),
      replica('b'),
    ]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function podBearing(namespace: string): number {
    return [...inventory.objectsIn(namespace)].filter((obj) => podSubjectOf(obj) !== undefined).length;
  }

  /** Evaluates one namespace through the memo, counting rows reused and rows computed. */
  function throughMemo(
    memo: PodOutcomeMemo,
    namespace: string,
    compiled: CompiledPolicy = policy,
  ): { evaluation: Evaluation; reused: number; computed: number } {
    const session = memo.open(compiled.name, compiled, namespace, inventory);
    let reused = 0;
    let computed = 0;
    const evaluation = evaluate(inventory, compiled, {
      now,
      scope: { kind: 'namespace', namespace },
      podOutcomes: {
        checkIds: session.checkIds,
        rowOf: (obj) => {
          const row = session.rowOf(obj);
          if (row !== undefined) reused++;
          return row;
        },
        remember: (obj, row) => {
          computed++;
          session.remember?.(obj, row);
        },
      },
    });
    session.commit();
    return { evaluation, reused, computed };
  }

  function plain(namespace: string, compiled: CompiledPolicy = policy): Evaluation {
    return evaluate(inventory, compiled, { now, scope: { kind: 'namespace', namespace } });
  }

  /** Every namespace evaluated through the memo, checked against a plain evaluation. */
  function pass(memo: PodOutcomeMemo): { reused: number; computed: number } {
    let reused = 0;
    let computed = 0;
    for (const namespace of inventory.namespaces()) {
      const got = throughMemo(memo, namespace);
      assert.deepEqual(got.evaluation, plain(namespace), `namespace ${namespace}`);
      reused += got.reused;
      computed += got.computed;
    }
    return { reused, computed };
  }

  function allPodBearing(): number {
    return inventory.namespaces().reduce((n, ns) => n + podBearing(ns), 0);
  }

  it('runs the pod checks once, then reuses their outcomes while nothing they read changes', () => {
    const memo = new PodOutcomeMemo();
    const pods = allPodBearing();
    assert.ok(pods > 150, `${pods} pod-bearing objects`);
    assert.deepEqual(pass(memo), { reused: 0, computed: pods });
    assert.deepEqual(pass(memo), { reused: pods, computed: 0 });
    assert.equal(memo.size, pods);
  });

  it('runs them again for a pod that was replaced, and only for it', () => {
    const memo = new PodOutcomeMemo();
    pass(memo);
    const before = inventory.get('Pod', 'old', 'a') as KubeObject;
    inventory.upsert({
      ...before,
      spec: { ...(before.spec as object), hostNetwork: true },
    } as KubeObject);
    const after = throughMemo(memo, 'old');
    assert.deepEqual(after.evaluation, plain('old'));
    assert.ok(after.evaluation.findings.some((f) => f.checkId === 'pss.host-namespaces'));
    assert.deepEqual({ reused: after.reused, computed: after.computed }, { reused: 1, computed: 1 });
    inventory.upsert(before);
  });

  it('runs them again everywhere after a ServiceAccount or Namespace changes', () => {
    const memo = new PodOutcomeMemo();
    const pods = allPodBearing();
    pass(memo);
    // The replicas' ServiceAccount now mounts its token: workload.automount-token fails.
    inventory.upsert(serviceAccount('app', true));
    assert.deepEqual(pass(memo), { reused: 0, computed: pods });
    assert.ok(plain('old').findings.some((f) => f.checkId === 'workload.automount-token'));
    // Another Pod Security version judges the replicas by other rules.
    inventory.upsert(oldNamespace('latest'));
    assert.deepEqual(pass(memo), { reused: 0, computed: pods });
    inventory.upsert(oldNamespace('v1.20'));
    inventory.upsert(serviceAccount('app', false));
    assert.deepEqual(pass(memo), { reused: 0, computed: pods });
    assert.deepEqual(pass(memo), { reused: pods, computed: 0 });
  });

  it('keeps no outcomes of another compiled policy, nor of pods gone', () => {
    const memo = new PodOutcomeMemo();
    pass(memo);
    const recompiled: CompiledPolicy = { ...policy };
    const got = throughMemo(memo, 'old', recompiled);
    assert.deepEqual(got.evaluation, plain('old', recompiled));
    assert.equal(got.reused, 0);
    const pod = inventory.get('Pod', 'old', 'b') as KubeObject;
    inventory.delete('Pod', 'old', 'b');
    const sizeBefore = memo.size;
    throughMemo(memo, 'old');
    assert.equal(memo.size, sizeBefore - 1);
    inventory.upsert(pod);
  });

  it('shares one row between replicas with the same outcomes', () => {
    const memo = new PodOutcomeMemo();
    throughMemo(memo, 'old');
    const session = memo.open(policy.name, policy, 'old', inventory);
    const a = session.rowOf(inventory.get('Pod', 'old', 'a') as KubeObject);
    const b = session.rowOf(inventory.get('Pod', 'old', 'b') as KubeObject);
    assert.ok(a !== undefined && a.some((outcome) => outcome.status === 'fail'));
    assert.equal(a, b);
  });

  it('forgets a namespace, and everything of a policy', () => {
    const memo = new PodOutcomeMemo();
    pass(memo);
    memo.forget(policy.name, 'old');
    assert.equal(memo.size, allPodBearing() - podBearing('old'));
    assert.equal(throughMemo(memo, 'old').reused, 0);
    memo.forgetPolicy(policy.name);
    assert.equal(memo.size, 0);
  });
});
