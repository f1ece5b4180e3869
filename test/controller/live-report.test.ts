import assert from 'node:assert/strict';
import { compactLiveReport, liveBodyHash, previousFindings } from '../../src/controller/live-report.js';
import { buildReportBody, contentHash, findingKey } from '../../src/controller/report-content.js';
import type { KubeObject } from '../../src/engine/objects.js';
import type { Finding } from '../../src/engine/types.js';

function finding(name: string, extra: Partial<Finding> = {}): Finding {
  return {
    checkId: 'pss.privileged',
    title: 'Privileged containers',
    severity: 'high',
    category: 'pod-security',
    frameworks: [{ framework: 'PSS', control: 'baseline' }],
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name, uid: `uid-${name}` },
    status: 'fail',
    reason: 'privileged',
    message: `container "app" of ${name} is privileged`,
    remediation: 'Unset privileged.',
    count: 2,
    ...extra,
  };
}

const body = buildReportBody({
  policy: 'prod',
  scope: 'shop',
  findings: [finding('web', { waiver: { reason: 'accepted', expired: false } }), finding('api')],
  tally: { evaluated: 10, failed: 5 },
  previous: new Map(),
  now: '2026-11-24T10:00:00.000Z',
  changedBy: () => ({ manager: 'kubectl', operation: 'Update', time: '2026-11-24T09:00:00Z' }),
});

/** The report as the API server returns it: keys sorted, server-side metadata added. */
function live(extra: Record<string, unknown> = {}): KubeObject {
  const object = {
    apiVersion: 'bulwark.dev/v1alpha1',
    kind: 'SecurityReport',
    metadata: {
      name: 'prod',
      namespace: 'shop',
      resourceVersion: '42',
      uid: 'r-1',
      managedFields: [{ manager: 'bulwark', operation: 'Apply', fieldsV1: { 'f:findings': {} } }],
    },
    ...JSON.parse(JSON.stringify(body)),
    ...extra,
  };
  return object as KubeObject;
}

describe('compactLiveReport', () => {
  it('hashes the body as contentHash hashes the body that was written', () => {
    const compact = compactLiveReport(live());
    assert.ok(compact);
    assert.equal(liveBodyHash(compact), contentHash(body));
    assert.equal(liveBodyHash(live()), contentHash(body), 'a whole report hashes the same');
  });

  it('a hand edit changes the hash, of the checks as well as the findings', () => {
    const edited = compactLiveReport(live({ score: 100 }));
    assert.ok(edited);
    assert.notEqual(liveBodyHash(edited), contentHash(body));
    const checks = body.checks.map((c) => ({ ...c, remediation: 'Ignore it.' }));
    const reworded = compactLiveReport(live({ checks }));
    assert.ok(reworded);
    assert.notEqual(liveBodyHash(reworded), contentHash(body));
  });

  it('keeps the labels, annotations and finalizers others put on a report, which a replace carries over', () => {
    const report = live();
    Object.assign(report.metadata as Record<string, unknown>, {
      labels: { team: 'platform' },
      annotations: { note: 'audit' },
      finalizers: ['example.com/archive'],
    });
    const compact = compactLiveReport(report);
    assert.deepEqual(compact?.metadata, {
      name: 'prod',
      namespace: 'shop',
      resourceVersion: '42',
      uid: 'r-1',
      labels: { team: 'platform' },
      annotations: { note: 'audit' },
      finalizers: ['example.com/archive'],
    });
  });

  it('keeps metadata for the cache, and of each finding what carries over and what drift counts', () => {
    const compact = compactLiveReport(live());
    assert.ok(compact);
    assert.deepEqual(compact.metadata, {
      name: 'prod',
      namespace: 'shop',
      resourceVersion: '42',
      uid: 'r-1',
    });
    const whole = previousFindings(live());
    const kept = previousFindings(compact);
    assert.deepEqual([...kept.keys()], [...whole.keys()]);
    // Said once on each resource, it comes back on each finding.
    assert.ok(
      body.resources.every((r) => r.changedBy !== undefined && r.findings.every((f) => !f.changedBy)),
    );
    for (const f of whole.values()) {
      assert.deepEqual(f.changedBy, {
        manager: 'kubectl',
        operation: 'Update',
        time: '2026-11-24T09:00:00Z',
      });
    }
    for (const [key, before] of whole) {
      const after = kept.get(key);
      assert.ok(after, key);
      assert.equal(findingKey(after), key);
      for (const field of ['checkId', 'severity', 'count', 'message', 'firstSeen', 'lastChanged'] as const) {
        assert.equal(after[field], before[field], `${key} ${field}`);
      }
      assert.deepEqual(after.changedBy, before.changedBy);
      assert.deepEqual(after.waiver, before.waiver);
    }
    assert.equal(compact['checks'], undefined, "the checks' text is not kept, only hashed");
  });

  it('skips what cannot be cached', () => {
    assert.equal(compactLiveReport({ kind: 'SecurityReport', metadata: {} }), undefined);
    assert.equal(compactLiveReport('x'), undefined);
  });
});
