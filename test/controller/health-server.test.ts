import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { startHealthServer } from '../../src/controller/health-server.js';
import type { HealthServer, MetricsSource, Readiness } from '../../src/controller/health-server.js';

describe('health server', () => {
  let server: HealthServer;
  let readiness: Readiness;
  let registry: Registry;
  let metrics: MetricsSource;

  beforeEach(async () => {
    registry = new Registry();
    new Counter({ name: 'bulwark_report_writes_total', help: 'Report writes.', labelNames: ['result'], registers: [registry] }).inc({ result: 'created' });
    metrics = registry;
    readiness = { ready: false, reason: 'waiting for caches: Pod, RoleBinding' };
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: { metrics: () => metrics.metrics(), contentType: registry.contentType },
      readiness: () => readiness,
    });
  });

  afterEach(() => server.close());

  async function get(path: string, method = 'GET'): Promise<[number, string, string | null]> {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return [res.status, await res.text(), res.headers.get('content-type')];
  }

  const cases: { name: string; path: string; method?: string; ready?: boolean; expected: [number, string] }[] = [
    { name: '/healthz answers while the process lives', path: '/healthz', expected: [200, 'ok\n'] },
    { name: '/readyz is 503 with the reason until the caches sync', path: '/readyz', expected: [503, 'waiting for caches: Pod, RoleBinding\n'] },
    { name: '/readyz is 200 once ready', path: '/readyz', ready: true, expected: [200, 'ok\n'] },
    { name: 'a query string does not change the route', path: '/readyz?verbose', ready: true, expected: [200, 'ok\n'] },
    { name: 'an unknown path is 404', path: '/debug/pprof', expected: [404, 'not found\n'] },
    { name: 'a write method is 405', path: '/healthz', method: 'POST', expected: [405, 'method not allowed\n'] },
    { name: 'HEAD has no body', path: '/healthz', method: 'HEAD', expected: [200, ''] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (c.ready === true) readiness = { ready: true };
      const [status, body] = await get(c.path, c.method);
      assert.deepEqual([status, body], c.expected);
    });
  }

  it('/metrics serves the registry in its content type', async () => {
    const [status, body, type] = await get('/metrics');
    assert.equal(status, 200);
    assert.equal(type, registry.contentType);
    assert.match(body, /^bulwark_report_writes_total\{result="created"\} 1$/m);
  });

  it('/metrics is 500 when collection fails, and the server lives on', async () => {
    metrics = { metrics: () => Promise.reject(new Error('collector broke')), contentType: 'text/plain' };
    assert.deepEqual((await get('/metrics')).slice(0, 2), [500, 'collecting metrics failed: collector broke\n']);
    assert.equal((await get('/healthz'))[0], 200);
  });

  it('a throwing readiness check is reported as not ready', async () => {
    const broken = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: registry,
      readiness: () => {
        throw new Error('no elector');
      },
    });
    const res = await fetch(`http://127.0.0.1:${broken.port}/readyz`);
    assert.deepEqual([res.status, await res.text()], [503, 'check failed: no elector\n']);
    await broken.close();
  });

  it('close() does not wait for idle keep-alive connections', async () => {
    await get('/healthz');
    const started = performance.now();
    await server.close();
    assert.ok(performance.now() - started < 1_000);
    server = await startHealthServer({ host: '127.0.0.1', port: 0, metrics: registry, readiness: () => readiness });
  });

  it('fails to start on a port in use', async () => {
    await assert.rejects(
      startHealthServer({ host: '127.0.0.1', port: server.port, metrics: registry, readiness: () => readiness }),
      /EADDRINUSE/,
    );
  });
});
