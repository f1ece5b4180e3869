// kubectl for e2e tests: what users type is part of what we test (`kubectl
// get bulwark`, `kubectl explain`, server-side apply of deploy/), so tests run
// the real binary rather than imitate it with the client library.
import { execFile } from 'node:child_process';

/** What a kubectl run printed and how it ended. */
export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; 0 on success. */
  readonly code: number;
}

export interface KubectlOptions {
  /** Text passed on stdin (for `-f -`). */
  readonly input?: string;
  /** Fail the test (throw) on a non-zero exit; default true. */
  readonly check?: boolean;
  readonly timeoutMs?: number;
}

/** Thrown when kubectl exits non-zero and the caller asked for a check. */
export class KubectlError extends Error {
  override readonly name = 'KubectlError';
  readonly result: KubectlResult;

  constructor(args: readonly string[], result: KubectlResult) {
    super(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.result = result;
  }
}

/** Runs `kubectl --kubeconfig KUBECONFIG ARGS...`. */
export function runKubectl(
  kubectl: string,
  kubeconfigPath: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const fullArgs = ['--kubeconfig', kubeconfigPath, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectl,
      fullArgs,
      {
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        // A developer's own KUBECONFIG or kubectl config must not leak in.
        env: { ...process.env, KUBECONFIG: kubeconfigPath },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const result: KubectlResult = { stdout, stderr, code };
        if (code !== 0 && (options.check ?? true)) {
          reject(new KubectlError(args, result));
        } else {
          resolve(result);
        }
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    }
  });
}
