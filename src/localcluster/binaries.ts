// Locates (building if needed) the control-plane binaries: kube-apiserver,
// kube-controller-manager, etcd and kubectl. They come from
// tools/controlplane/build.sh, which builds them from pinned Go modules into a
// per-version cache and is a no-op when they are already there; its progress
// goes to our stderr because a cold build takes minutes.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths of the executables a local cluster runs. */
export interface ControlPlaneBinaries {
  readonly binDir: string;
  readonly kubeApiServer: string;
  readonly kubeControllerManager: string;
  readonly etcd: string;
  /** The kubectl built beside the servers if there is one, else the one on PATH, else undefined. */
  readonly kubectl: string | undefined;
}

export interface EnsureBinariesOptions {
  /**
   * A directory that already holds the binaries; skips the build. Defaults to
   * the `BULWARK_CONTROLPLANE_BIN` environment variable.
   */
  readonly binDir?: string;
  /** Build (or find) kubectl too: 'auto' builds it only if the one on PATH is missing or too old. */
  readonly kubectl?: 'auto' | 'always' | 'never';
  /** Where progress of a build goes; defaults to this process's stderr. */
  readonly progress?: 'inherit' | 'ignore';
}

export class ControlPlaneBuildError extends Error {
  override readonly name = 'ControlPlaneBuildError';
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The first executable named `name` on PATH, like `command -v`. */
export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The build script, found by walking up from this module: the source tree has
 * it two levels up (src/localcluster/), the compiled tree three
 * (dist/src/localcluster/).
 */
export async function findBuildScript(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'tools', 'controlplane', 'build.sh');
    if (await isExecutable(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new ControlPlaneBuildError(
    'tools/controlplane/build.sh not found above ' +
      dirname(fileURLToPath(import.meta.url)) +
      '; run from a Bulwark source checkout, or set BULWARK_CONTROLPLANE_BIN to a directory with ' +
      'kube-apiserver, kube-controller-manager and etcd',
  );
}

function runBuildScript(script: string, kubectl: string, progress: 'inherit' | 'ignore'): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], {
      stdio: ['ignore', 'pipe', progress],
      env: { ...process.env, BULWARK_KUBECTL: kubectl },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.once('error', (error) =>
      reject(new ControlPlaneBuildError(`could not run ${script}: ${error.message}`, { cause: error })),
    );
    child.once('close', (code, signal) => {
      if (code === 0) {
        const binDir = stdout.trim().split('\n').pop() ?? '';
        resolvePromise(binDir);
      } else {
        reject(
          new ControlPlaneBuildError(
            `${script} failed (${signal ?? `exit code ${code}`}); its output above says why`,
          ),
        );
      }
    });
  });
}

/** Builds the control plane if needed and returns the paths of its binaries. */
export async function ensureControlPlaneBinaries(
  options: EnsureBinariesOptions = {},
): Promise<ControlPlaneBinaries> {
  const preset = options.binDir ?? process.env['BULWARK_CONTROLPLANE_BIN'];
  const binDir = resolve(
    preset !== undefined && preset !== ''
      ? preset
      : await runBuildScript(
          await findBuildScript(),
          options.kubectl ?? 'auto',
          options.progress ?? 'inherit',
        ),
  );
  const binaries = {
    binDir,
    kubeApiServer: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
    etcd: join(binDir, 'etcd'),
  };
  for (const path of Object.values(binaries)) {
    if (path !== binDir && !(await isExecutable(path))) {
      throw new ControlPlaneBuildError(`${path} is missing or not executable`);
    }
  }
  const builtKubectl = join(binDir, 'kubectl');
  const kubectl = (await isExecutable(builtKubectl)) ? builtKubectl : await findOnPath('kubectl');
  return { ...binaries, kubectl };
}
