// Installing Bulwark's CRDs (crds/) into the test cluster, the way users do:
// server-side apply of the kustomization, then wait until the API server
// serves them. Idempotent, so every suite that needs them can call it.
import { join } from 'node:path';

import { getTestCluster, repoRoot } from './cluster.js';
import type { TestCluster } from './cluster.js';

export const crdsDir: string = join(repoRoot, 'crds');
export const deployDir: string = join(repoRoot, 'deploy');

/** The names of the CRDs in crds/. */
export const bulwarkCrdNames: readonly string[] = [
  'securitypolicies.bulwark.dev',
  'securityreports.bulwark.dev',
  'clustersecurityreports.bulwark.dev',
];

const installed = new WeakSet<TestCluster>();

/** Server-side applies crds/ and waits until every CRD is Established. */
export async function installCrds(cluster: TestCluster = getTestCluster()): Promise<void> {
  if (installed.has(cluster)) return;
  await cluster.kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=bulwark-e2e',
    '-k',
    crdsDir,
  ]);
  await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...bulwarkCrdNames.map((name) => `crd/${name}`),
  ]);
  // kubectl caches discovery; a cache from before the CRDs existed would hide
  // them from `kubectl get bulwark` and short names.
  await cluster.invalidateKubectlCache();
  installed.add(cluster);
}
