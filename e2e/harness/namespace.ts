// A fresh namespace per test (or per suite), so tests never see each other's
// objects and can run against a shared or external cluster. Namespaces are
// labelled `bulwark.dev/e2e=true`; a leftover one is easy to find and remove
// (`kubectl delete ns -l bulwark.dev/e2e=true`).
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiException, CoreV1Api } from '@kubernetes/client-node';

import { getTestCluster } from './cluster.js';

export interface NamespaceOptions {
  /** Name prefix; a random suffix makes it unique (default `e2e`). */
  readonly prefix?: string;
  /** Extra labels, e.g. Pod Security Admission levels. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Wait until the ServiceAccount controller has created the `default`
   * ServiceAccount: the API server refuses pods in a namespace until then.
   * Default true.
   */
  readonly waitForDefaultServiceAccount?: boolean;
  /** One namespace per test ('each', default) or one for the whole describe block ('all'). */
  readonly scope?: 'each' | 'all';
}

/** Handle whose `name` is the current namespace while a test runs. */
export interface NamespaceHandle {
  readonly name: string;
}

export class NamespaceError extends Error {
  override readonly name = 'NamespaceError';
}

/** A DNS-1123 label: prefix, dash, 8 random hex characters. */
export function uniqueNamespaceName(prefix = 'e2e'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `${clean || 'e2e'}-${randomBytes(4).toString('hex')}`;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/** Creates a namespace (and optionally waits for its default ServiceAccount); returns its name. */
export async function createTestNamespace(options: NamespaceOptions = {}): Promise<string> {
  const core = getTestCluster().kubeConfig().makeApiClient(CoreV1Api);
  const name = uniqueNamespaceName(options.prefix);
  await core.createNamespace({
    body: { metadata: { name, labels: { 'bulwark.dev/e2e': 'true', ...(options.labels ?? {}) } } },
  });
  if (options.waitForDefaultServiceAccount ?? true) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
        break;
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        if (Date.now() > deadline) {
          throw new NamespaceError(
            `ServiceAccount ${name}/default did not appear within 30 s; is kube-controller-manager running?`,
          );
        }
        await sleep(50);
      }
    }
  }
  return name;
}

/**
 * Deletes a namespace without waiting for the namespace controller to empty
 * it: the next test has its own namespace, and waiting would add seconds per
 * test.
 */
export async function deleteTestNamespace(name: string): Promise<void> {
  const core = getTestCluster().kubeConfig().makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name, propagationPolicy: 'Background' });
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}

/**
 * Registers mocha hooks that create a namespace before each test (or before
 * the describe block, with scope 'all') and delete it afterwards. Call it in a
 * describe body:
 *
 *   const ns = withNamespace({ labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
 *   it('...', async () => { await create(ns.name, ...) });
 */
export function withNamespace(options: NamespaceOptions = {}): NamespaceHandle {
  let name: string | undefined;
  const setup = async function (this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    name = await createTestNamespace(options);
  };
  const teardown = async function (this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const done = name;
    name = undefined;
    if (done !== undefined) await deleteTestNamespace(done);
  };
  if ((options.scope ?? 'each') === 'all') {
    before(setup);
    after(teardown);
  } else {
    beforeEach(setup);
    afterEach(teardown);
  }
  return {
    get name(): string {
      if (name === undefined) {
        throw new NamespaceError(
          'withNamespace(): the namespace exists only while a test (or its hooks) runs',
        );
      }
      return name;
    },
  };
}
