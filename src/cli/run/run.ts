/**
 * `bulwark run`: the controller, as the container starts it. SIGTERM and SIGINT stop it
 * gracefully (no new work, in-flight writes finish, the Lease is released) within the
 * pod's termination grace period.
 */
import { parseArgs } from 'node:util';
import { Controller } from '../../controller/controller.js';
import { KubeClient } from '../../controller/kube-client.js';
import { loadConnection } from '../../controller/kube-config.js';
import { createLogger } from '../../logging/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import type { RunOptions } from './options.js';
import { OptionError, resolveRunOptions, RUN_FLAGS, runHelp } from './options.js';

export interface RunIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function parseRunArgs(argv: readonly string[], env: RunIo['env']): RunOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(RUN_FLAGS.map((f) => [f.name, { type: 'string' as const }])),
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help === true) return 'help';
  const flags: Record<string, string | undefined> = {};
  for (const flag of RUN_FLAGS) {
    const value = (values as Record<string, string | boolean | undefined>)[flag.name];
    if (typeof value === 'string') flags[flag.name] = value;
  }
  return resolveRunOptions(flags, env);
}

/** Starts the controller and resolves with the exit code once it has stopped. */
export async function runCommand(argv: readonly string[], io: RunIo): Promise<number> {
  let options: RunOptions | 'help';
  try {
    options = parseRunArgs(argv, io.env);
  } catch (error) {
    const message =
      error instanceof OptionError || error instanceof TypeError ? error.message : String(error);
    io.stderr.write(`bulwark run: ${message}\n\n${runHelp()}`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(runHelp());
    return 0;
  }
  const log = createLogger(options.logLevel, io.stderr);
  const metrics = createMetrics();
  let client: KubeClient;
  try {
    client = new KubeClient(loadConnection(options.kubeconfig), {
      onApiError: (verb, code) => metrics.apiErrors.inc({ verb, code }),
    });
  } catch (error) {
    log.error('cannot load kubeconfig', {
      kubeconfig: options.kubeconfig ?? '(default chain)',
      error: String(error),
    });
    return 2;
  }
  const controller = new Controller({ ...options, client, metrics, log });
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('shutting down', { signal });
      void controller.stop().then(resolve, (error: unknown) => {
        log.error('shutdown failed', { error: String(error) });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  log.info('starting', {
    identity: options.identity,
    leaderElect: options.leaderElect,
    metrics: `${options.metricsHost}:${options.metricsPort}`,
  });
  try {
    await controller.start();
  } catch (error) {
    log.error('start failed', { error: error instanceof Error ? error.message : String(error) });
    await controller.stop();
    return 1;
  }
  await stopped;
  log.info('stopped');
  return 0;
}
