import assert from 'node:assert/strict';
import {
  buildReportBody,
  canonicalJson,
  contentHash,
  findingKey,
  findingsOf,
} from '../../src/controller/report-content.js';
import type { ChangedBy, ReportBody, ReportFinding } from '../../src/controller/report-content.js';
import type { Finding, Severity } from '../../src/engine/types.js';

function finding(name: string, severity: Severity = 'high', extra: Partial<Finding> = {}): Finding {
  return {
    checkId: 'pss.privileged',
    title: 'Privileged containers',
    severity,
    category: 'pod-security',
    frameworks: [{ framework: 'PSS', control: 'baseline' }],
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name },
    status: 'fail',
    reason: 'privileged',
    message: `container "app" of ${name} is privileged`,
    remediation: 'Unset privileged.',
    count: 1,
    ...extra,
  };
}

const T0 = '2026-11-24T10:00:00.000Z';
const T1 = '2026-11-24T11:00:00.000Z';

describe('buildReportBody', () => {
  it('summarises active and waived findings and scores the tally', () => {
    const body = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [
        finding('a', 'critical'),
        finding('b', 'low'),
        finding('c', 'high', { waiver: { reason: 'ok', expired: false } }),
      ],
      tally: { evaluated: 40, failed: 11 },
      previous: new Map(),
      now: T0,
    });
    assert.deepEqual(body.summary, { critical: 1, high: 0, medium: 0, low: 1, waived: 1, total: 2 });
    assert.equal(body.score, 73);
    assert.deepEqual(
      findingsOf(body).map((f) => [f.resource.name, f.firstSeen, f.lastChanged]),
      [
        ['a', T0, T0],
        ['b', T0, T0],
        ['c', T0, T0],
      ],
    );
  });

  it("says each check's text once, in the order its findings first appear, and only for findings kept", () => {
    const other = (name: string, severity: Severity): Finding =>
      finding(name, severity, {
        checkId: 'workload.image-tag',
        title: 'Images are pinned',
        category: 'workload',
        frameworks: [],
        remediation: 'Pin the tag.',
      });
    const build = (findings: Finding[], maxBytes?: number): ReturnType<typeof buildReportBody> =>
      buildReportBody({
        policy: 'p',
        scope: 'shop',
        findings,
        tally: undefined,
        previous: new Map(),
        now: T0,
        ...(maxBytes !== undefined ? { maxBytes } : {}),
      });
    const mixed = [finding('a', 'low'), other('b', 'critical'), finding('c', 'low'), other('d', 'critical')];
    const body = build(mixed);
    assert.deepEqual(body.checks, [
      {
        id: 'workload.image-tag',
        title: 'Images are pinned',
        category: 'workload',
        frameworks: [],
        remediation: 'Pin the tag.',
      },
      {
        id: 'pss.privileged',
        title: 'Privileged containers',
        category: 'pod-security',
        frameworks: [{ framework: 'PSS', control: 'baseline' }],
        remediation: 'Unset privileged.',
      },
    ]);
    assert.deepEqual(
      findingsOf(body).map((f) => [f.checkId, f.resource.name]),
      [
        ['workload.image-tag', 'b'],
        ['workload.image-tag', 'd'],
        ['pss.privileged', 'a'],
        ['pss.privileged', 'c'],
      ],
    );
    for (const f of findingsOf(body)) {
      assert.equal('title' in f || 'remediation' in f || 'frameworks' in f || 'category' in f, false);
    }
    // A budget that holds only the critical findings leaves the other check out too.
    const size = (b: ReturnType<typeof buildReportBody>): number =>
      JSON.stringify(b.resources).length - 1 + JSON.stringify(b.checks).length - 1;
    const capped = build(mixed, size(build([other('b', 'critical'), other('d', 'critical')])));
    assert.deepEqual(
      capped.checks.map((c) => c.id),
      ['workload.image-tag'],
    );
    assert.equal(capped.omitted?.count, 2);
  });

  it('lists each resource once, with its findings under it, the resource with the most severe finding first', () => {
    const tag = (name: string, severity: Severity): Finding =>
      finding(name, severity, { checkId: 'workload.image-tag', message: `${name} runs :latest` });
    const body = buildReportBody({
      policy: 'p',
      scope: 'shop',
      findings: [finding('web', 'low'), finding('api', 'high'), tag('web', 'critical'), tag('api', 'medium')],
      tally: undefined,
      previous: new Map(),
      now: T0,
    });
    const listed = (checkId: string, severity: Severity, message: string): Record<string, unknown> => ({
      checkId,
      severity,
      status: 'Fail',
      count: 1,
      message,
      firstSeen: T0,
      lastChanged: T0,
    });
    const deployment = (name: string, ...findings: Record<string, unknown>[]): Record<string, unknown> => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'shop',
      name,
      findings,
    });
    assert.deepEqual(body.resources, [
      deployment(
        'web',
        listed('workload.image-tag', 'critical', 'web runs :latest'),
        listed('pss.privileged', 'low', 'container "app" of web is privileged'),
      ),
      deployment(
        'api',
        listed('pss.privileged', 'high', 'container "app" of api is privileged'),
        listed('workload.image-tag', 'medium', 'api runs :latest'),
      ),
    ]);
    assert.deepEqual(
      findingsOf(body).map((f) => [f.resource.name, f.severity]),
      [
        ['web', 'critical'],
        ['web', 'low'],
        ['api', 'high'],
        ['api', 'medium'],
      ],
    );
  });

  it('says who changed a resource once, on the resource, unless a finding differs or has none', () => {
    const tag = (name: string): Finding => finding(name, 'medium', { checkId: 'workload.image-tag' });
    const kubectl: ChangedBy = { manager: 'kubectl-edit', operation: 'Update', time: T0 };
    const helm: ChangedBy = { manager: 'helm', operation: 'Update', time: T1 };
    const build = (who: (f: Finding) => ChangedBy | undefined): ReportBody =>
      buildReportBody({
        policy: 'p',
        scope: 'shop',
        findings: [finding('web'), tag('web'), finding('api'), tag('api'), finding('db'), tag('db')],
        tally: undefined,
        previous: new Map(),
        now: T0,
        changedBy: who,
      });
    const body = build((f) =>
      f.resource.name === 'api' && f.checkId === 'workload.image-tag'
        ? helm
        : f.resource.name === 'db' && f.checkId === 'workload.image-tag'
          ? undefined
          : kubectl,
    );
    const said = body.resources.map((r) => [r.name, r.changedBy, r.findings.map((f) => f.changedBy)]);
    assert.deepEqual(said, [
      ['web', kubectl, [undefined, undefined]],
      // Tied: the first finding's is said on the resource, the other keeps its own.
      ['api', kubectl, [undefined, helm]],
      // One finding has none: it must not seem to inherit the other's.
      ['db', undefined, [kubectl, undefined]],
    ]);
    assert.deepEqual(
      findingsOf(body).map((f) => [f.resource.name, f.checkId, f.changedBy?.manager]),
      [
        ['web', 'pss.privileged', 'kubectl-edit'],
        ['web', 'workload.image-tag', 'kubectl-edit'],
        ['api', 'pss.privileged', 'kubectl-edit'],
        ['api', 'workload.image-tag', 'helm'],
        ['db', 'pss.privileged', 'kubectl-edit'],
        ['db', 'workload.image-tag', undefined],
      ],
    );
    assert.ok(findingsOf(body).every((f) => !('changedBy' in f.resource)));
  });

  it('keeps firstSeen and lastChanged for an unchanged finding, so a cluster at rest hashes the same', () => {
    const first = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a')],
      tally: undefined,
      previous: new Map(),
      now: T0,
    });
    const previous = new Map<string, ReportFinding>(findingsOf(first).map((f) => [findingKey(f), f]));
    const again = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a')],
      tally: undefined,
      previous,
      now: T1,
    });
    assert.equal(contentHash(again), contentHash(first));
    const changed = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a', 'high', { count: 3 })],
      tally: undefined,
      previous,
      now: T1,
    });
    assert.deepEqual([findingsOf(changed)[0]?.firstSeen, findingsOf(changed)[0]?.lastChanged], [T0, T1]);
    assert.notEqual(contentHash(changed), contentHash(first));
  });

  it('keeps lastChanged of a waived finding whose live waiver has its keys in another order', () => {
    const waiver = { reason: 'accepted', owner: 'platform', expires: '2027-01-01T00:00:00Z', expired: false };
    const first = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a', 'high', { waiver })],
      tally: undefined,
      previous: new Map(),
      now: T0,
    });
    // As the watch hands the report back: the API server writes object keys sorted.
    const live = findingsOf(JSON.parse(canonicalJson(first)) as ReportBody);
    assert.deepEqual(Object.keys(live[0]?.waiver ?? {}), ['expired', 'expires', 'owner', 'reason']);
    const previous = new Map<string, ReportFinding>(live.map((f) => [findingKey(f), f]));
    const again = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a', 'high', { waiver })],
      tally: undefined,
      previous,
      now: T1,
    });
    assert.equal(findingsOf(again)[0]?.lastChanged, T0);
    assert.equal(contentHash(again), contentHash(first));
    const expired = buildReportBody({
      policy: 'prod',
      scope: 'shop',
      findings: [finding('a', 'high', { waiver: { ...waiver, expired: true } })],
      tally: undefined,
      previous,
      now: T1,
    });
    assert.equal(findingsOf(expired)[0]?.lastChanged, T1, 'an expiry is a change');
  });

  it('records who changed the resource for a new finding only', () => {
    let asked = 0;
    const changedBy = (): { manager: string; time: string } => {
      asked++;
      return { manager: 'kubectl-edit', time: T0 };
    };
    const body = buildReportBody({
      policy: 'p',
      scope: 'shop',
      findings: [finding('a')],
      tally: undefined,
      previous: new Map(),
      now: T0,
      changedBy,
    });
    assert.deepEqual(findingsOf(body)[0]?.changedBy, { manager: 'kubectl-edit', time: T0 });
    const previous = new Map<string, ReportFinding>(findingsOf(body).map((f) => [findingKey(f), f]));
    buildReportBody({
      policy: 'p',
      scope: 'shop',
      findings: [finding('a')],
      tally: undefined,
      previous,
      now: T1,
      changedBy,
    });
    assert.equal(asked, 1);
  });

  it('caps the findings list by bytes, keeping the most severe, and counts what it left out', () => {
    const findings = [
      ...Array.from({ length: 50 }, (_, i) => finding(`low-${String(i).padStart(2, '0')}`, 'low')),
      ...Array.from({ length: 5 }, (_, i) => finding(`crit-${i}`, 'critical')),
    ];
    // Each finding here is on a resource of its own, which it brings into the report.
    const size = (f: Finding): number =>
      JSON.stringify(
        buildReportBody({
          policy: 'p',
          scope: 's',
          findings: [f],
          tally: undefined,
          previous: new Map(),
          now: T0,
        }).resources,
      ).length - 1;
    const check = buildReportBody({
      policy: 'p',
      scope: 's',
      findings: [findings[0]!],
      tally: undefined,
      previous: new Map(),
      now: T0,
    }).checks[0];
    const budget = 5 * size(findings[50]!) + 5 * size(findings[0]!) + JSON.stringify(check).length + 1;
    const body = buildReportBody({
      policy: 'p',
      scope: 's',
      findings,
      tally: undefined,
      previous: new Map(),
      now: T0,
      maxBytes: budget,
    });
    assert.equal(findingsOf(body).length, 10);
    assert.equal(body.checks.length, 1);
    assert.deepEqual(
      findingsOf(body)
        .slice(0, 5)
        .map((f) => f.severity),
      ['critical', 'critical', 'critical', 'critical', 'critical'],
    );
    assert.equal(body.omitted?.count, 45);
    assert.equal(body.summary.low, 50);
  });
});

describe('canonicalJson', () => {
  it('orders keys and drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] }), '{"a":[{"c":"x"}],"b":1}');
  });
});
