import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifestSet } from '../../bench/generate.js';
import { allChecks } from '../../src/checks/index.js';
import { POD_CHECK_READS } from '../../src/engine/check.js';
import { evaluate, evaluatePodChecks, podCheckIds } from '../../src/engine/evaluate.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { podOutcomesFrom } from '../../src/engine/pod-outcomes.js';
import { podSubjectOf } from '../../src/engine/pod-spec.js';
import type { CheckOutcome } from '../../src/engine/types.js';
import { compilePolicy, defaultPolicy } from '../../src/engine/policy.js';
import { loadManifests } from '../../src/manifests/load.js';

const now = new Date('2026-11-24T00:00:00Z');

/** Objects on which the pod checks read their neighbours: a pinned namespace, ServiceAccounts that do and do not mount tokens. */
const NEIGHBOURS: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'old', labels: { 'pod-security.kubernetes.io/enforce-version': 'v1.20' } },
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'quiet', namespace: 'old' },
    automountServiceAccountToken: false,
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'loud', namespace: 'old' },
    automountServiceAccountToken: true,
  },
  ...['quiet', 'loud', 'missing'].map((serviceAccount): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `uses-${serviceAccount}`, namespace: 'old' },
    spec: {
      serviceAccountName: serviceAccount,
      containers: [
        {
          name: 'app',
          image: 'app:1',
          securityContext: { capabilities: { add: ['NET_ADMIN'] }, procMount: 'Unmasked' },
        },
      ],
    },
  })),
];

describe('pod outcomes computed apart', () => {
  let objects: KubeObject[] = [];
  let dir = '';

  before(async function () {
    this.timeout(60_000);
    dir = await mkdtemp(join(tmpdir(), 'bulwark-pod-outcomes-'));
    const set = await generateManifestSet(join(dir, 'set'), { workloads: 400, namespaces: 8 });
    const loaded = await loadManifests([
      set.dir,
      join(import.meta.dirname, '..', '..', 'examples', 'insecure-app'),
    ]);
    objects = [...loaded.objects.map((o) => o.object), ...NEIGHBOURS];
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it(`every pod check reads only ${POD_CHECK_READS.join(' and ')} objects beside the pod`, () => {
    const policy = defaultPolicy(allChecks);
    const full = new Inventory(objects);
    const neighbours = objects.filter((obj) => POD_CHECK_READS.includes(String(obj.kind)));
    let differing = 0;
    for (const obj of objects) {
      const alone = new Inventory([obj, ...neighbours]);
      const apart = evaluatePodChecks([obj], alone, policy);
      const together = evaluatePodChecks([obj], full, policy);
      if (JSON.stringify(apart) !== JSON.stringify(together)) differing++;
    }
    assert.equal(
      differing,
      0,
      `${differing} of ${objects.length} objects have other pod outcomes without the rest of the inventory`,
    );
  });

  it('gives the same evaluation as running the pod checks in it, however the objects are split', () => {
    const policy = defaultPolicy(allChecks);
    const inventory = new Inventory(objects);
    const neighbours = objects.filter((obj) => POD_CHECK_READS.includes(String(obj.kind)));
    const plain = evaluate(inventory, policy, { now });
    assert.ok(
      plain.findings.some((f) => f.checkId.startsWith('pss.')) &&
        plain.findings.some((f) => f.checkId === 'workload.automount-token'),
    );
    for (const parts of [1, 2, 3]) {
      const size = Math.ceil(objects.length / parts);
      const split = Array.from({ length: parts }, (_, i) => objects.slice(i * size, (i + 1) * size));
      const tables = split.map((part) => ({
        objects: part,
        table: evaluatePodChecks(part, new Inventory([...part, ...neighbours]), policy),
      }));
      const apart = evaluate(inventory, policy, {
        now,
        podOutcomes: podOutcomesFrom(podCheckIds(policy), tables),
      });
      assert.deepEqual(apart, plain, `${parts} parts`);
    }
  });

  it('evaluates objects that have no row itself', () => {
    const policy = defaultPolicy(allChecks);
    const inventory = new Inventory(objects);
    const some = objects.slice(0, 100);
    const table = evaluatePodChecks(some, inventory, policy);
    const apart = evaluate(inventory, policy, {
      now,
      podOutcomes: podOutcomesFrom(podCheckIds(policy), [{ objects: some, table }]),
    });
    assert.deepEqual(apart, evaluate(inventory, policy, { now }));
  });

  it('hands each row it ran to remember: the outcomes evaluatePodChecks gives for the object', () => {
    const policy = defaultPolicy(allChecks);
    const inventory = new Inventory(objects);
    const remembered = new Map<KubeObject, readonly CheckOutcome[]>();
    const evaluation = evaluate(inventory, policy, {
      now,
      podOutcomes: {
        checkIds: podCheckIds(policy),
        rowOf: () => undefined,
        remember: (obj, row) => remembered.set(obj, row),
      },
    });
    assert.deepEqual(evaluation, evaluate(inventory, policy, { now }));
    const podBearing = objects.filter((obj) => podSubjectOf(obj) !== undefined);
    assert.equal(remembered.size, podBearing.length);
    const rows = [...remembered.keys()];
    const fromRows = podOutcomesFrom(podCheckIds(policy), [
      { objects: rows, table: evaluatePodChecks(rows, inventory, policy) },
    ]);
    for (const [obj, row] of remembered) {
      const expected = fromRows.rowOf(obj)?.map((outcome) => (outcome.status === 'skip' ? 'skip' : outcome));
      assert.deepEqual(
        row.map((outcome) => (outcome.status === 'skip' ? 'skip' : outcome)),
        expected,
      );
    }
  });

  it('refuses outcomes of other checks than the policy has', () => {
    const all = defaultPolicy(allChecks);
    const compiled = compilePolicy(
      { kind: 'SecurityPolicy', metadata: { name: 'few' }, spec: { profiles: ['pss-baseline'] } },
      allChecks,
    );
    assert.ok(compiled.policy);
    const inventory = new Inventory(objects.slice(0, 10));
    const table = evaluatePodChecks(objects.slice(0, 10), inventory, all);
    assert.throws(
      () => podOutcomesFrom(podCheckIds(compiled.policy!), [{ objects: objects.slice(0, 10), table }]),
      /cannot stand for/,
    );
    const outcomes = podOutcomesFrom(podCheckIds(all), [{ objects: objects.slice(0, 10), table }]);
    assert.throws(
      () => evaluate(inventory, compiled.policy!, { now, podOutcomes: outcomes }),
      /other pod checks/,
    );
  });
});
