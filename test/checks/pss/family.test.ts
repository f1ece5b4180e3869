/**
 * Conventions of the pss family: IDs match file names, metadata is complete, supersession
 * points at baseline checks only (as upstream allows overrides), and the version the engine
 * hands a check comes from the policy pin, then the namespace label, then `latest`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check as runAsUser } from '../../../src/checks/pss/run-as-user.js';
import { pssChecks } from '../../../src/checks/pss/index.js';
import type { KubeObject } from '../../../src/engine/objects.js';
import { upstreamCheckOf } from '../../../src/checks/pss/upstream.js';
import { POD_KINDS } from '../../../src/engine/pod-spec.js';
import { checkError, PASS } from '../../../src/engine/types.js';
import { runPodCheck } from '../../support/check-harness.js';
import { app, forbidden, notYet, podWith, sc } from './fixtures.js';

const SOURCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/checks/pss');
const HELPERS = new Set(['index.ts', 'upstream.ts', 'pod-fields.ts', 'policy-version.ts']);

describe('pss family', () => {
  it('has one file per check, named after its ID, and a table test for each', () => {
    const files = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts') && !HELPERS.has(name));
    assert.deepEqual(
      files.map((name) => `pss.${name.slice(0, -3)}`).sort(),
      pssChecks.map((c) => c.id).sort(),
    );
    const tests = new Set(readdirSync(path.dirname(fileURLToPath(import.meta.url))));
    for (const check of pssChecks)
      assert.ok(tests.has(`${check.id.slice(4)}.test.ts`), `${check.id} has a table test`);
  });

  it('lists its checks sorted by ID', () => {
    const ids = pssChecks.map((check) => check.id);
    assert.deepEqual(ids, [...ids].sort());
  });

  it('gives every check complete metadata', () => {
    for (const check of pssChecks) {
      assert.equal(check.scope, 'pod', check.id);
      assert.equal(check.category, 'pod-security', check.id);
      assert.deepEqual(check.kinds, POD_KINDS, check.id);
      assert.ok(
        check.title.length > 0 && check.description.length > 0 && check.remediation.length > 0,
        check.id,
      );
      assert.ok(
        check.frameworks.some((ref) => ref.framework === 'PSS'),
        `${check.id} names its PSS control`,
      );
    }
  });

  it('lets only restricted checks supersede, and only baseline ones, never at a lower severity', () => {
    const rank = { critical: 4, high: 3, medium: 2, low: 1 };
    for (const check of pssChecks) {
      for (const superseded of check.supersedes ?? []) {
        assert.equal(upstreamCheckOf(check.id)?.level, 'restricted', check.id);
        assert.equal(upstreamCheckOf(superseded)?.level, 'baseline', superseded);
        const target = pssChecks.find((c) => c.id === superseded);
        assert.ok(target && rank[check.severity] >= rank[target.severity], `${check.id} vs ${superseded}`);
      }
    }
  });
});

describe('pss version selection', () => {
  const root = podWith((spec) => (sc(app(spec)).runAsUser = 0));
  const namespace = (version: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce-version': version } },
  });
  const failing = forbidden('runAsUser=0', 'container "app" must not set runAsUser=0');

  it('uses latest without a pin or label', () => {
    assert.deepEqual(runPodCheck(runAsUser, root), failing);
  });

  it("uses the namespace's enforce-version label", () => {
    assert.deepEqual(
      runPodCheck(runAsUser, root, { objects: [namespace('v1.22')] }),
      notYet('runAsUser', 'v1.22', 23),
    );
  });

  it("prefers the policy's pin over the label", () => {
    assert.deepEqual(
      runPodCheck(runAsUser, root, { objects: [namespace('v1.22')], podSecurityVersion: 'v1.30' }),
      failing,
    );
  });

  it('ignores an invalid label', () => {
    assert.deepEqual(runPodCheck(runAsUser, root, { objects: [namespace('1.22')] }), failing);
  });

  it('reports an invalid pinned version as an error', () => {
    assert.deepEqual(
      runPodCheck(runAsUser, root, { podSecurityVersion: 'v1.x' }),
      checkError(
        'InvalidPodSecurityVersion',
        'Pod Security version "v1.x" is neither "latest" nor of the form "v1.N"',
      ),
    );
  });

  it('a compliant pod passes at every version where the check exists', () => {
    const compliant = podWith((spec) => (sc(app(spec)).runAsUser = 1000));
    for (let minor = 23; minor <= 40; minor++) {
      assert.deepEqual(runPodCheck(runAsUser, compliant, { podSecurityVersion: `v1.${minor}` }), PASS);
    }
  });
});
