/**
 * The client's parsing and HTTP plumbing, against a local node:http server that plays the
 * API server's wire format. What a real API server does is covered by
 * e2e/controller-runtime.e2e.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import {
  ApiError,
  apiErrorFromStatus,
  decodeWatchStream,
  isAbortError,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  KubeClient,
  resourcePath,
  RESOURCES,
  WatchDecodeError,
} from '../../src/controller/kube-client.js';
import type { ApiVerb, WatchEvent } from '../../src/controller/kube-client.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  for (const part of parts) yield part;
}

async function collect(stream: AsyncIterable<WatchEvent>): Promise<{ events: string[]; error?: string }> {
  const events: string[] = [];
  try {
    for await (const event of stream) {
      const meta = event.object['metadata'] as { name?: string; resourceVersion?: string } | undefined;
      events.push(`${event.type} ${meta?.name ?? event.object['code'] ?? ''}@${meta?.resourceVersion ?? ''}`);
    }
    return { events };
  } catch (error) {
    return { events, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const added = (name: string, rv: string): string =>
  JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name, resourceVersion: rv } } });

describe('decodeWatchStream', () => {
  const snowman = Buffer.from(`${added('snow☃man', '5')}\n`);
  const cut = snowman.indexOf(Buffer.from('☃')) + 1; // inside the 3-byte character
  const cases: { name: string; input: (string | Buffer)[]; events: string[]; error?: string }[] = [
    { name: 'two events in one chunk', input: [`${added('a', '1')}\n${added('b', '2')}\n`], events: ['ADDED a@1', 'ADDED b@2'] },
    {
      name: 'an event split across three chunks',
      input: [added('a', '1').slice(0, 10), added('a', '1').slice(10, 30), `${added('a', '1').slice(30)}\n`],
      events: ['ADDED a@1'],
    },
    {
      name: 'a multi-byte character split between chunks',
      input: [snowman.subarray(0, cut), snowman.subarray(cut)],
      events: ['ADDED snow☃man@5'],
    },
    { name: 'blank lines are ignored', input: ['\n', `${added('a', '1')}\n\n`, '  \n'], events: ['ADDED a@1'] },
    {
      name: 'a bookmark and an in-stream 410',
      input: [
        '{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"90"}}}\n',
        '{"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired","code":410}}\n',
      ],
      events: ['BOOKMARK @90', 'ERROR 410@'],
    },
    { name: 'a last event without its newline is still complete', input: [added('a', '1')], events: ['ADDED a@1'] },
    {
      name: 'a connection cut inside an event',
      input: [`${added('a', '1')}\n`, added('b', '2').slice(0, 25)],
      events: ['ADDED a@1'],
      error: `WatchDecodeError: watch stream ended inside an event: ${added('b', '2').slice(0, 25)}`,
    },
    {
      name: 'a corrupt line stops the stream instead of being skipped',
      input: ['{"type":"ADDED","object":{\n', `${added('a', '1')}\n`],
      events: [],
      error: 'WatchDecodeError: watch stream: malformed JSON line: {"type":"ADDED","object":{',
    },
    {
      name: 'an unknown event type',
      input: ['{"type":"RENAMED","object":{}}\n'],
      events: [],
      error: 'WatchDecodeError: watch stream: event without a known type: {"type":"RENAMED","object":{}}',
    },
    {
      name: 'an event without an object',
      input: ['{"type":"ADDED","object":null}\n'],
      events: [],
      error: 'WatchDecodeError: watch stream: ADDED event without an object: {"type":"ADDED","object":null}',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const result = await collect(decodeWatchStream(chunks(...c.input)));
      assert.deepEqual(result, c.error === undefined ? { events: c.events } : { events: c.events, error: c.error });
    });
  }

  it('stays linear on a large object delivered in many small chunks', async () => {
    const big = JSON.stringify({ type: 'MODIFIED', object: { kind: 'ClusterRole', metadata: { name: 'big' }, pad: 'x'.repeat(2_000_000) } });
    const parts: string[] = [];
    for (let i = 0; i < big.length; i += 1_024) parts.push(big.slice(i, i + 1_024));
    parts.push('\n');
    const started = performance.now();
    const result = await collect(decodeWatchStream(chunks(...parts)));
    assert.deepEqual(result, { events: ['MODIFIED big@'] });
    assert.ok(performance.now() - started < 2_000, 'a quadratic scan would take far longer');
  });
});

describe('resourcePath', () => {
  const cases: { name: string; path: string; expected: string }[] = [
    { name: 'core, all namespaces', path: resourcePath(RESOURCES.pods), expected: '/api/v1/pods' },
    { name: 'core, one namespace', path: resourcePath(RESOURCES.pods, { namespace: 'shop' }), expected: '/api/v1/namespaces/shop/pods' },
    {
      name: 'named group object',
      path: resourcePath(RESOURCES.roles, { namespace: 'shop', name: 'reader' }),
      expected: '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles/reader',
    },
    {
      name: 'cluster-scoped ignores a namespace',
      path: resourcePath(RESOURCES.clusterRoles, { namespace: 'shop', name: 'view' }),
      expected: '/apis/rbac.authorization.k8s.io/v1/clusterroles/view',
    },
    {
      name: 'status subresource of a custom resource',
      path: resourcePath(RESOURCES.securityPolicies, { name: 'prod', subresource: 'status' }),
      expected: '/apis/bulwark.dev/v1alpha1/securitypolicies/prod/status',
    },
    {
      name: 'names are escaped',
      path: resourcePath(RESOURCES.clusterRoles, { name: 'system:aggregate-to-view' }),
      expected: '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aaggregate-to-view',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.path, c.expected));
});

describe('apiErrorFromStatus', () => {
  const cases: { name: string; httpCode: number; status: unknown; expected: [number, string, string] }[] = [
    {
      name: 'a NotFound Status',
      httpCode: 404,
      status: { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "x" not found' },
      expected: [404, 'NotFound', 'get /x: 404 pods "x" not found'],
    },
    {
      name: 'an in-stream Expired Status takes its own code',
      httpCode: 0,
      status: { reason: 'Expired', code: 410, message: 'too old resource version: 5 (90)' },
      expected: [410, 'Expired', 'get /x: 410 too old resource version: 5 (90)'],
    },
    { name: 'a body that is not a Status', httpCode: 502, status: 'Bad Gateway', expected: [502, 'Bad Gateway', 'get /x: 502 Bad Gateway'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const error = apiErrorFromStatus('get', c.httpCode, c.status, 'get /x');
      assert.deepEqual([error.code, error.reason, error.message], c.expected);
    });
  }

  it('classifies conflicts apart from AlreadyExists', () => {
    const conflict = new ApiError('update', 409, 'Conflict', 'x');
    const exists = new ApiError('create', 409, 'AlreadyExists', 'x');
    assert.deepEqual(
      [isConflict(conflict), isAlreadyExists(conflict), isConflict(exists), isAlreadyExists(exists)],
      [true, false, false, true],
    );
    assert.deepEqual([isNotFound(new ApiError('get', 404, 'NotFound', 'x')), isGone(new ApiError('watch', 410, 'Expired', 'x'))], [true, true]);
  });
});

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A local HTTP server answering each request with `route`, recording what it received. */
async function fakeApiServer(route: Route): Promise<{ server: Server; url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      route(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 't0ken' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  return kc;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('KubeClient over HTTP', () => {
  let fake: Awaited<ReturnType<typeof fakeApiServer>>;
  let route: Route;
  let client: KubeClient;
  let errors: [ApiVerb, string][];

  beforeEach(async () => {
    route = (_req, res) => json(res, 500, {});
    fake = await fakeApiServer((req, res, body) => route(req, res, body));
    errors = [];
    client = new KubeClient(kubeConfigFor(fake.url), {
      requestTimeoutMs: 500,
      onApiError: (verb, code) => errors.push([verb, code]),
    });
  });

  afterEach(async () => {
    client.close();
    fake.server.closeAllConnections();
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
  });

  it('lists a page with its query and credentials', async () => {
    route = (_req, res) =>
      json(res, 200, { kind: 'PodList', metadata: { resourceVersion: '42', continue: 'tok2', remainingItemCount: 3 }, items: [{ metadata: { name: 'a' } }] });
    const page = await client.list(RESOURCES.pods, { namespace: 'shop', limit: 500, continue: 'tok1', labelSelector: 'app=web' });
    assert.deepEqual(page, {
      kind: 'PodList',
      metadata: { resourceVersion: '42', continue: 'tok2', remainingItemCount: 3 },
      items: [{ metadata: { name: 'a' } }],
    });
    const request = fake.requests[0] as Recorded;
    assert.equal(request.url, '/api/v1/namespaces/shop/pods?limit=500&continue=tok1&labelSelector=app%3Dweb');
    assert.equal(request.headers['authorization'], 'Bearer t0ken');
    assert.equal(request.headers['user-agent'], 'bulwark/0.1.0');
  });

  it('turns a Status answer into an ApiError and counts it', async () => {
    route = (_req, res) => json(res, 404, { kind: 'Status', reason: 'NotFound', code: 404, message: 'leases "x" not found' });
    const error = await client.get(RESOURCES.leases, 'x', { namespace: 'bulwark' }).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.deepEqual([error.verb, error.code, error.reason, error.message], [
      'get',
      404,
      'NotFound',
      'get /apis/coordination.k8s.io/v1/namespaces/bulwark/leases/x: 404 leases "x" not found',
    ]);
    assert.deepEqual(errors, [['get', '404']]);
  });

  it('keeps Retry-After of a 429', async () => {
    route = (_req, res) => json(res, 429, { reason: 'TooManyRequests', code: 429 }, { 'Retry-After': '3' });
    const error = (await client.list(RESOURCES.pods).catch((e: unknown) => e)) as ApiError;
    assert.deepEqual([error.code, error.retryAfterSeconds], [429, 3]);
  });

  it('applies server-side as field manager bulwark, forcing by default', async () => {
    route = (_req, res, body) => json(res, 200, JSON.parse(body));
    const report = { apiVersion: 'bulwark.dev/v1alpha1', kind: 'SecurityReport', metadata: { name: 'prod', namespace: 'shop' }, summary: {} };
    assert.deepEqual(await client.apply(RESOURCES.securityReports, report), report);
    await client.applyStatus(RESOURCES.securityPolicies, { apiVersion: 'bulwark.dev/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'prod' } }, { force: false });
    const [apply, status] = fake.requests as [Recorded, Recorded];
    assert.deepEqual([apply.method, apply.url, apply.headers['content-type']], [
      'PATCH',
      '/apis/bulwark.dev/v1alpha1/namespaces/shop/securityreports/prod?fieldManager=bulwark&force=true',
      'application/apply-patch+yaml',
    ]);
    assert.equal(status.url, '/apis/bulwark.dev/v1alpha1/securitypolicies/prod/status?fieldManager=bulwark&force=false');
  });

  it('replaces only with a resourceVersion, and reports conflicts', async () => {
    route = (_req, res) => json(res, 409, { reason: 'Conflict', code: 409, message: 'the object has been modified' });
    const lease = { metadata: { name: 'bulwark-leader', namespace: 'bulwark' }, spec: {} };
    await assert.rejects(client.replace(RESOURCES.leases, lease), /metadata.resourceVersion is required for a guarded update/);
    const error = await client
      .replace(RESOURCES.leases, { ...lease, metadata: { ...lease.metadata, resourceVersion: '9' } })
      .catch((e: unknown) => e);
    assert.ok(isConflict(error));
    const put = fake.requests[0] as Recorded;
    assert.deepEqual([put.method, put.url, JSON.parse(put.body).metadata.resourceVersion], [
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/bulwark/leases/bulwark-leader?fieldManager=bulwark',
      '9',
    ]);
  });

  it('refuses to write a namespaced object without a namespace', async () => {
    await assert.rejects(client.apply(RESOURCES.securityReports, { metadata: { name: 'x' } }), /securityreports\/x: a namespaced object needs metadata.namespace/);
  });

  it('deletes with preconditions in the body', async () => {
    route = (_req, res) => json(res, 200, { kind: 'Status', status: 'Success' });
    await client.delete(RESOURCES.securityReports, 'prod', { namespace: 'gone', preconditions: { uid: 'u-1' } });
    const request = fake.requests[0] as Recorded;
    assert.deepEqual([request.method, request.url, JSON.parse(request.body)], [
      'DELETE',
      '/apis/bulwark.dev/v1alpha1/namespaces/gone/securityreports/prod',
      { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'u-1' } },
    ]);
  });

  it('reports an answer that is not JSON', async () => {
    route = (_req, res) => {
      res.writeHead(200);
      res.end('<html>proxy login</html>');
    };
    const error = (await client.get(RESOURCES.namespaces, 'x').catch((e: unknown) => e)) as ApiError;
    assert.deepEqual([error.reason, error.message], ['InvalidResponse', 'get /api/v1/namespaces/x: the answer is not JSON']);
    assert.deepEqual(errors, [['get', 'invalid']]);
  });

  it('times out a request that gets no answer', async () => {
    route = () => undefined;
    const error = (await client.get(RESOURCES.namespaces, 'x').catch((e: unknown) => e)) as ApiError;
    assert.deepEqual([error.code, error.reason], [0, 'Timeout']);
    assert.deepEqual(errors, [['get', 'timeout']]);
  });

  it('reports a refused connection as a network error', async () => {
    const dead = new KubeClient(kubeConfigFor('http://127.0.0.1:1'), { onApiError: (verb, code) => errors.push([verb, code]) });
    const error = (await dead.get(RESOURCES.namespaces, 'x').catch((e: unknown) => e)) as ApiError;
    assert.deepEqual([error.code, error.reason, error.message.includes('ECONNREFUSED')], [0, 'NetworkError', true]);
    assert.ok(error.cause instanceof Error);
    assert.deepEqual(errors, [['get', 'network']]);
    dead.close();
  });

  it('streams watch events as they arrive, until the server ends the watch', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(added('a', '11').slice(0, 20));
      setTimeout(() => res.write(`${added('a', '11').slice(20)}\n{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}}\n`), 20);
      setTimeout(() => res.end(), 40);
    };
    const result = await collect(
      client.watch(RESOURCES.pods, { resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 300 }),
    );
    assert.deepEqual(result, { events: ['ADDED a@11', 'BOOKMARK @12'] });
    assert.equal((fake.requests[0] as Recorded).url, '/api/v1/pods?watch=true&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=300');
  });

  it('counts an in-stream ERROR event and passes it on', async () => {
    route = (_req, res) => {
      res.writeHead(200);
      res.end('{"type":"ERROR","object":{"kind":"Status","reason":"Expired","code":410,"message":"too old resource version"}}\n');
    };
    const result = await collect(client.watch(RESOURCES.pods, { resourceVersion: '1', timeoutSeconds: 60 }));
    assert.deepEqual(result, { events: ['ERROR 410@'] });
    assert.deepEqual(errors, [['watch', '410']]);
  });

  it('throws a 410 answer to a watch from the first next()', async () => {
    route = (_req, res) => json(res, 410, { kind: 'Status', reason: 'Expired', code: 410, message: 'too old resource version: 1 (500)' });
    const result = await collect(client.watch(RESOURCES.pods, { resourceVersion: '1', timeoutSeconds: 60 }));
    assert.deepEqual(result, { events: [], error: 'ApiError: watch /api/v1/pods: 410 too old resource version: 1 (500)' });
  });

  it('keeps a quiet watch open past the library default of 30 s (here: past the request timeout)', async () => {
    route = (_req, res) => {
      res.writeHead(200);
      setTimeout(() => res.end(`${added('late', '3')}\n`), 900);
    };
    const result = await collect(client.watch(RESOURCES.pods, { timeoutSeconds: 60 }));
    assert.deepEqual(result, { events: ['ADDED late@3'] }, 'the 500 ms request timeout does not apply to watches');
  });

  it('gives up on a watch connection silent past its inactivity limit', async () => {
    route = (_req, res) => res.writeHead(200).flushHeaders();
    const result = await collect(client.watch(RESOURCES.pods, { timeoutSeconds: 60, inactivityTimeoutMs: 100 }));
    assert.match(result.error ?? '', /^ApiError: watch \/api\/v1\/pods: no answer within the time limit$/);
    assert.deepEqual(errors, [['watch', 'timeout']]);
  });

  it('stops a watch promptly when its signal aborts, without counting an error', async () => {
    route = (_req, res) => {
      res.writeHead(200);
      res.write(`${added('a', '1')}\n`);
    };
    const controller = new AbortController();
    const events: string[] = [];
    const started = performance.now();
    const failure = await (async () => {
      for await (const event of client.watch(RESOURCES.pods, { timeoutSeconds: 60, signal: controller.signal })) {
        events.push(event.type);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    assert.ok(isAbortError(failure), String(failure));
    assert.deepEqual(events, ['ADDED']);
    assert.ok(performance.now() - started < 1_000);
    assert.deepEqual(errors, []);
  });

  it('keeps the path prefix of the server URL', async () => {
    route = (_req, res) => json(res, 200, { metadata: { name: 'x' } });
    const prefixed = new KubeClient(kubeConfigFor(`${fake.url}/k8s/clusters/c-1/`));
    await prefixed.get(RESOURCES.namespaces, 'x');
    assert.equal((fake.requests[0] as Recorded).url, '/k8s/clusters/c-1/api/v1/namespaces/x');
    prefixed.close();
  });

  it('refuses a list answer without items', async () => {
    route = (_req, res) => json(res, 200, { metadata: {} });
    await assert.rejects(client.list(RESOURCES.pods), (e: unknown) => e instanceof ApiError && e.reason === 'InvalidResponse');
  });

  it('exposes WatchDecodeError for callers that tell stream corruption apart', () => {
    assert.equal(new WatchDecodeError('x').name, 'WatchDecodeError');
  });
});
