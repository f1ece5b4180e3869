import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  inClusterCredentials,
  kubeconfigCredentials,
  loadConnection,
  StaticConnection,
} from '../../src/controller/kube-config.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'ctx', context: { cluster: 'c', user: 'u' } },
    ],
    clusters: [
      { name: 'other', cluster: { server: 'https://other:6443' } },
      {
        name: 'c',
        cluster: {
          server: 'https://10.0.0.1:6443/',
          'certificate-authority-data': CA.toString('base64'),
          ...cluster,
        },
      },
    ],
    users: [
      { name: 'other', user: { token: 'wrong' } },
      { name: 'u', user },
    ],
  });
}

async function options(connection: {
  applyToHTTPSOptions(o: RequestOptions): Promise<void>;
}): Promise<RequestOptions & { authorization: unknown }> {
  const out: RequestOptions = { headers: {} };
  await connection.applyToHTTPSOptions(out);
  const headers = out.headers as Record<string, unknown> | undefined;
  return { ...out, authorization: headers?.['Authorization'] };
}

describe('kube-config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-kube-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a token kubeconfig as the library does', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig({ token: 'sa-token' }));
    const ours = loadConnection(path);
    assert.ok(ours instanceof StaticConnection);
    const library = new KubeConfig();
    library.loadFromFile(path);
    assert.equal(ours.getCurrentCluster().server, library.getCurrentCluster()?.server);
    const mine = await options(ours);
    const theirs = await options(library);
    assert.deepEqual(mine.ca, theirs.ca);
    assert.equal(mine.authorization, 'Bearer sa-token');
    assert.equal(mine.authorization, theirs.authorization);
  });

  it('reads client certificates from files relative to the kubeconfig, as the library does', async () => {
    writeFileSync(join(dir, 'client.crt'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    writeFileSync(join(dir, 'ca.crt'), CA);
    const path = join(dir, 'config');
    writeFileSync(
      path,
      kubeconfig(
        { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
        {
          'certificate-authority-data': undefined,
          'certificate-authority': 'ca.crt',
          'tls-server-name': 'api',
        },
      ),
    );
    const library = new KubeConfig();
    library.loadFromFile(path);
    const mine = await options(loadConnection(path));
    const theirs = await options(library);
    for (const field of ['ca', 'cert', 'key', 'servername'] as const)
      assert.deepEqual(mine[field], theirs[field], field);
    assert.equal(mine.authorization, undefined);
  });

  it('leaves exec plugins, auth providers, basic auth, impersonation and proxies to the library', () => {
    for (const [user, cluster] of [
      [{ exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }, {}],
      [{ 'auth-provider': { name: 'oidc' } }, {}],
      [{ username: 'u', password: 'p' }, {}],
      [{ token: 't', as: 'someone' }, {}],
      [{ token: 't' }, { 'proxy-url': 'http://proxy:3128' }],
    ] as const) {
      assert.equal(
        kubeconfigCredentials(kubeconfig(user, cluster), dir),
        undefined,
        JSON.stringify([user, cluster]),
      );
    }
    const path = join(dir, 'config');
    writeFileSync(
      path,
      kubeconfig({ exec: { command: 'true', apiVersion: 'client.authentication.k8s.io/v1' } }),
    );
    assert.ok(loadConnection(path) instanceof KubeConfig);
  });

  it('reads a token file again once a minute, as the kubelet rotates it', async () => {
    writeFileSync(join(dir, 'token'), 'first\n');
    let now = 1_000_000;
    const connection = new StaticConnection(
      { server: 'https://k', tokenFile: join(dir, 'token') },
      () => now,
    );
    assert.equal((await options(connection)).authorization, 'Bearer first');
    writeFileSync(join(dir, 'token'), 'second\n');
    now += 30_000;
    assert.equal((await options(connection)).authorization, 'Bearer first');
    now += 31_000;
    assert.equal((await options(connection)).authorization, 'Bearer second');
  });

  it('in a pod, reads the ServiceAccount mount and the service address', () => {
    writeFileSync(join(dir, 'token'), 'pod-token');
    writeFileSync(join(dir, 'ca.crt'), CA);
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.deepEqual(inClusterCredentials(env, dir), {
      server: 'https://10.96.0.1:443',
      ca: CA,
      tokenFile: join(dir, 'token'),
    });
    assert.equal(
      inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '8080' }, dir)
        ?.server,
      'http://[fd00::1]:8080',
    );
    assert.equal(inClusterCredentials({}, dir), undefined);
    assert.equal(inClusterCredentials(env, join(dir, 'missing')), undefined);
  });

  it('follows the default chain: KUBECONFIG, then ~/.kube/config', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, kubeconfig({ token: 'from-env' }));
    const fromEnv = loadConnection(undefined, { KUBECONFIG: path, HOME: dir });
    assert.equal((await options(fromEnv)).authorization, 'Bearer from-env');
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), kubeconfig({ token: 'from-home' }));
    const fromHome = loadConnection(undefined, { HOME: dir });
    assert.equal((await options(fromHome)).authorization, 'Bearer from-home');
  });
});
