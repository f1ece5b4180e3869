/**
 * Bulwark scans its own installation (issue 3, item 5): what `kubectl apply -k deploy/`
 * creates must pass `pss-restricted` with no finding at all, since SPEC §1 promises the
 * operator runs under the restricted Pod Security level. Under every profile the remaining
 * findings are printed for the reader, and none may be critical or high.
 *
 * The kustomization only lists files (and may set a namespace), so it is read here rather
 * than rendered by `kubectl kustomize`: each listed file is loaded with js-yaml, each listed
 * directory through its own kustomization, and the kustomization's namespace, if any, is
 * given to namespaced objects that have none.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { allChecks } from '../../src/checks/index.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { Inventory } from '../../src/engine/inventory.js';
import type { KubeObject } from '../../src/engine/objects.js';
import { isRecord } from '../../src/engine/objects.js';
import type { CompiledPolicy } from '../../src/engine/policy.js';
import { compilePolicy } from '../../src/engine/policy.js';
import type { Finding, Profile } from '../../src/engine/types.js';
import { PROFILES } from '../../src/engine/types.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
// A fixed clock: no exception expiry depends on it, but evaluate() takes one.
const NOW = new Date('2026-11-24T00:00:00Z');

// Kinds kustomize's namespace transformer leaves alone because they have no namespace.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'SecurityPolicy',
  'ClusterSecurityReport',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

interface Loaded {
  readonly object: KubeObject;
  readonly source: string;
}

function readKustomization(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'kustomization.yaml');
  const [doc] = loadAll(readFileSync(file, 'utf8'));
  assert.ok(isRecord(doc), `${file} is not a mapping`);
  return doc;
}

/** The objects a kustomization lists, in its order, with `file#document` sources. */
function loadKustomization(dir: string): Loaded[] {
  const kustomization = readKustomization(dir);
  const namespace = typeof kustomization['namespace'] === 'string' ? kustomization['namespace'] : undefined;
  const resources = kustomization['resources'];
  assert.ok(Array.isArray(resources), `${dir}/kustomization.yaml lists no resources`);
  const loaded: Loaded[] = [];
  for (const entry of resources) {
    assert.equal(typeof entry, 'string', `${dir}/kustomization.yaml: resource ${JSON.stringify(entry)}`);
    const target = path.resolve(dir, entry as string);
    if (statSync(target).isDirectory()) {
      loaded.push(...loadKustomization(target));
      continue;
    }
    loadAll(readFileSync(target, 'utf8')).forEach((doc, i) => {
      if (doc === null || doc === undefined) return;
      assert.ok(isRecord(doc), `${target}#${i} is not a mapping`);
      loaded.push({ object: doc as KubeObject, source: `${path.relative(REPO_ROOT, target)}#${i}` });
    });
  }
  if (namespace !== undefined) {
    for (const { object } of loaded) {
      const metadata = (object.metadata ??= {});
      if (!CLUSTER_SCOPED.has(String(object.kind)) && metadata.namespace === undefined) {
        metadata.namespace = namespace;
      }
    }
  }
  return loaded;
}

function compile(profiles: readonly Profile[]): CompiledPolicy {
  const compiled = compilePolicy(
    {
      apiVersion: 'bulwark.dev/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: `deploy-${profiles.length === 1 ? profiles[0] : 'all'}` },
      spec: { profiles: [...profiles] },
    },
    allChecks,
  );
  assert.deepEqual(compiled.diagnostics, [], 'the policy compiles cleanly');
  assert.ok(compiled.policy !== undefined);
  return compiled.policy;
}

function scan(loaded: readonly Loaded[], profiles: readonly Profile[]): Finding[] {
  const sources = new Map(loaded.map(({ object, source }) => [object, source]));
  const inventory = new Inventory(loaded.map(({ object }) => object));
  const evaluation = evaluate(inventory, compile(profiles), {
    now: NOW,
    sourceOf: (obj) => sources.get(obj),
  });
  assert.deepEqual(
    evaluation.diagnostics.filter((d) => d.severity === 'error'),
    [],
    'evaluation reports no errors',
  );
  return evaluation.findings;
}

function describeFinding(f: Finding): string {
  const where = `${f.resource.kind}/${f.resource.namespace === undefined ? '' : `${f.resource.namespace}/`}${f.resource.name}`;
  return `${f.severity.padEnd(8)} ${f.checkId.padEnd(36)} ${where}: ${f.message}`;
}

describe('deploy/ scanned by Bulwark itself', function () {
  const loaded = loadKustomization(DEPLOY_DIR);
  const kinds = (kind: string): number => loaded.filter(({ object }) => object.kind === kind).length;

  it('reads every manifest in deploy/ through the kustomization', function () {
    const listed = new Set(loaded.map(({ source }) => source.replace(/#\d+$/, '')));
    const files = readdirSync(DEPLOY_DIR)
      .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
      .map((name) => path.join('deploy', name));
    assert.deepEqual(
      files.filter((file) => !listed.has(file)),
      [],
      'every manifest is listed in deploy/kustomization.yaml',
    );
    // Guards the scans below against passing because they read nothing.
    assert.equal(kinds('Deployment'), 1);
    assert.ok(kinds('Namespace') >= 1 && kinds('ClusterRole') >= 1 && kinds('NetworkPolicy') >= 1);
    assert.ok(existsSync(path.join(DEPLOY_DIR, 'kustomization.yaml')));
  });

  it('gives every namespaced object a namespace', function () {
    const missing = loaded
      .filter(
        ({ object }) => !CLUSTER_SCOPED.has(String(object.kind)) && object.metadata?.namespace === undefined,
      )
      .map(({ source }) => source);
    assert.deepEqual(missing, []);
  });

  it('has no finding under pss-restricted', function () {
    const findings = scan(loaded, ['pss-restricted']);
    assert.deepEqual(findings.map(describeFinding), []);
  });

  it('has no finding under pss-baseline', function () {
    const findings = scan(loaded, ['pss-baseline']);
    assert.deepEqual(findings.map(describeFinding), []);
  });

  it('has no critical or high finding under every profile, and lists what remains', function () {
    const findings = scan(loaded, PROFILES);
    console.log(`      deploy/ under every profile: ${findings.length} finding(s)`);
    for (const finding of findings) console.log(`        ${describeFinding(finding)}`);
    const serious = findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    assert.deepEqual(serious.map(describeFinding), []);
  });

  it('would report a root container in the Deployment (the scan can fail)', function () {
    // The zero above means something only if the same scan sees a broken pod template.
    const broken = loaded.map(({ object, source }) => {
      if (object.kind !== 'Deployment') return { object, source };
      const copy = structuredClone(object);
      const spec = (copy['spec'] as { template: { spec: { securityContext?: Record<string, unknown> } } })
        .template.spec;
      spec.securityContext = { ...spec.securityContext, runAsNonRoot: false };
      const containers = (spec as { containers: { securityContext?: Record<string, unknown> }[] }).containers;
      for (const c of containers) delete c.securityContext?.['runAsNonRoot'];
      return { object: copy, source };
    });
    const ids = scan(broken, ['pss-restricted']).map((f) => f.checkId);
    assert.ok(ids.includes('pss.run-as-non-root'), `findings: ${ids.join(', ')}`);
  });
});
