// The cluster every e2e suite runs against, started once per mocha run by the
// root hooks in e2e/setup.ts. Two kinds:
//   local    — the project's own control plane (src/localcluster), built and
//              started on loopback; the default, and what CI uses.
//   external — an existing cluster named by KUBECONFIG (kind, k3s, a dev
//              cluster), for running the same suite against other
//              distributions. BULWARK_E2E_LOCAL=1 forces local even when
//              KUBECONFIG is set.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { KubeConfig } from '@kubernetes/client-node';

import { ensureControlPlaneBinaries, findOnPath, startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { runKubectl } from './kubectl.js';
import type { KubectlOptions, KubectlResult } from './kubectl.js';

/** Root of the repository (for crds/, deploy/). */
export const repoRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type TestClusterKind = 'local' | 'external';

/** What tests get: a kubeconfig with cluster-admin rights, and helpers around it. */
export interface TestCluster {
  readonly kind: TestClusterKind;
  /** Kubeconfig with full rights (system:masters on the local cluster). */
  readonly kubeconfigPath: string;
  /** The running local control plane; undefined for an external cluster. */
  readonly local: LocalCluster | undefined;
  /** A client-node KubeConfig loaded from kubeconfigPath. */
  kubeConfig(): KubeConfig;
  /**
   * A kubeconfig that authenticates (local: client certificate) or
   * impersonates (external: `as`/`as-groups` on the admin credentials) `user`
   * in `groups`.
   */
  kubeconfigFor(user: string, groups?: readonly string[]): Promise<string>;
  /** Runs kubectl against the cluster (as admin unless options.kubeconfig is given). */
  kubectl(
    args: readonly string[],
    options?: KubectlOptions & { kubeconfig?: string },
  ): Promise<KubectlResult>;
  /** Forgets kubectl's cached discovery, e.g. after installing CRDs. */
  invalidateKubectlCache(): Promise<void>;
}

/** Thrown when a test asks for the cluster but the root hooks did not start one. */
export class TestClusterError extends Error {
  override readonly name = 'TestClusterError';
}

let current: TestCluster | undefined;
let cleanup: (() => Promise<void>) | undefined;

/** The cluster started by e2e/setup.ts; throws if it is not running. */
export function getTestCluster(): TestCluster {
  if (current === undefined) {
    throw new TestClusterError(
      'no test cluster: run e2e suites through mocha with the root hooks, e.g. `npm run e2e` ' +
        '(mocha --require e2e/setup.ts ...)',
    );
  }
  return current;
}

function log(line: string): void {
  process.stderr.write(`[e2e] ${line}\n`);
}

/** Which cluster to use, from the environment (see the file comment). */
export function chooseClusterKind(env: NodeJS.ProcessEnv = process.env): TestClusterKind {
  const forced = env['BULWARK_E2E_LOCAL'];
  if (forced === '1' || forced === 'true') return 'local';
  return env['KUBECONFIG'] !== undefined && env['KUBECONFIG'] !== '' ? 'external' : 'local';
}

function makeTestCluster(
  kind: TestClusterKind,
  kubeconfigPath: string,
  local: LocalCluster | undefined,
  kubectlPath: string,
  scratchDir: string,
  kubeconfigFor: (user: string, groups: readonly string[]) => Promise<string>,
): TestCluster {
  // kubectl's discovery cache lives in the run's scratch directory, not in
  // ~/.kube/cache: nothing from an earlier run or another cluster is reused.
  const cacheDir = join(scratchDir, 'kubectl-cache');
  return {
    kind,
    kubeconfigPath,
    local,
    kubeConfig(): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    kubeconfigFor(user: string, groups: readonly string[] = []): Promise<string> {
      return kubeconfigFor(user, groups);
    },
    kubectl(args, options = {}): Promise<KubectlResult> {
      return runKubectl(
        kubectlPath,
        options.kubeconfig ?? kubeconfigPath,
        [`--cache-dir=${cacheDir}`, ...args],
        options,
      );
    },
    async invalidateKubectlCache(): Promise<void> {
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

/**
 * For an external cluster: a copy of its kubeconfig whose current user
 * impersonates `user` in `groups` (needs the `impersonate` verb, which
 * cluster-admin has).
 */
async function impersonatingKubeconfig(
  dir: string,
  source: string,
  user: string,
  groups: readonly string[],
  n: number,
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(source);
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster();
  const authUser = kc.getCurrentUser();
  if (context === null || cluster === null || authUser === null) {
    throw new TestClusterError(`kubeconfig ${source} has no complete current context`);
  }
  const exported = JSON.parse(kc.exportConfig()) as {
    users: { name: string; user: Record<string, unknown> }[];
  };
  for (const u of exported.users) {
    if (u.name === authUser.name) {
      u.user['as'] = user;
      if (groups.length > 0) u.user['as-groups'] = [...groups];
    }
  }
  const path = join(dir, `impersonate-${n}.kubeconfig`);
  await writeFile(path, JSON.stringify(exported), { mode: 0o600 });
  return path;
}

/** Starts (or connects to) the test cluster; called once by the root beforeAll hook. */
export async function startTestCluster(): Promise<TestCluster> {
  if (current !== undefined) return current;
  const kind = chooseClusterKind();
  if (kind === 'external') {
    const kubeconfigPath = process.env['KUBECONFIG'] ?? '';
    if (kubeconfigPath.includes(':')) {
      throw new TestClusterError(
        'KUBECONFIG must name a single file for e2e runs against an existing cluster',
      );
    }
    log(
      `using the existing cluster in KUBECONFIG=${kubeconfigPath} (set BULWARK_E2E_LOCAL=1 for a local control plane)`,
    );
    // kubectl on PATH, or one built from tools/controlplane when there is none.
    const kubectlPath =
      (await findOnPath('kubectl')) ?? (await ensureControlPlaneBinaries({ kubectl: 'always' })).kubectl;
    if (kubectlPath === undefined) throw new TestClusterError('no kubectl available');
    const scratch = await mkdtemp(join(tmpdir(), 'bulwark-e2e-'));
    let n = 0;
    current = makeTestCluster(kind, kubeconfigPath, undefined, kubectlPath, scratch, (user, groups) =>
      impersonatingKubeconfig(scratch, kubeconfigPath, user, groups, ++n),
    );
    cleanup = async (): Promise<void> => {
      await rm(scratch, { recursive: true, force: true });
    };
    return current;
  }

  log('starting the local control plane (the first run builds it: several minutes)');
  const local = await startLocalCluster({
    keepDir: process.env['BULWARK_E2E_KEEP'] === '1',
    log: (line) => log(line),
  });
  const t = local.timings;
  log(
    `local control plane up at ${local.server} in ${t.totalSeconds}s ` +
      `(binaries ${t.binariesSeconds}s, certificates ${t.pkiSeconds}s, etcd ${t.etcdSeconds}s, ` +
      `kube-apiserver ${t.apiServerSeconds}s, controllers ${t.controllerManagerSeconds}s); ` +
      `kubeconfig ${local.kubeconfigPath}`,
  );
  const kubectlPath = local.binaries.kubectl;
  if (kubectlPath === undefined) {
    await local.stop();
    throw new TestClusterError('no kubectl: tools/controlplane/build.sh should have built one');
  }
  current = makeTestCluster(kind, local.kubeconfigPath, local, kubectlPath, local.dir, (user, groups) =>
    local.kubeconfigFor(user, groups),
  );
  cleanup = (): Promise<void> => local.stop();
  return current;
}

/** Stops the local control plane (or forgets the external cluster); the root afterAll hook calls it. */
export async function stopTestCluster(): Promise<void> {
  const done = cleanup;
  current = undefined;
  cleanup = undefined;
  await done?.();
}
