/**
 * The controller's HTTP endpoints (SPEC §4): `/metrics` for Prometheus, `/healthz` for the
 * liveness probe (the process answers), `/readyz` for the readiness probe (caches synced;
 * a standby replica is ready too, since it is healthy and ready to take over). Anything else
 * is 404; methods other than GET and HEAD are 405.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/metrics` serves; a prom-client `Registry` fits. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready, e.g. `waiting for caches: Pod, RoleBinding`. */
  readonly reason?: string;
}

export interface HealthServerOptions {
  /** Interface to listen on (default `0.0.0.0`). */
  readonly host?: string;
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  readonly metrics: MetricsSource;
  readonly readiness: () => Readiness;
  /** Liveness; default: always alive while the event loop answers. */
  readonly liveness?: () => Readiness;
}

export interface HealthServer {
  /** Where it listens; `port` is the real one when 0 was asked for. */
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes open connections (scrapers keep theirs alive). */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function probe(res: ServerResponse, check: () => Readiness): void {
  let state: Readiness;
  try {
    state = check();
  } catch (error) {
    state = { ready: false, reason: `check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (state.ready) send(res, 200, 'ok\n');
  else send(res, 503, `${state.reason ?? 'not ready'}\n`);
}

async function serveMetrics(res: ServerResponse, source: MetricsSource): Promise<void> {
  try {
    const text = await source.metrics();
    send(res, 200, text, source.contentType);
  } catch (error) {
    send(res, 500, `collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function handle(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) {
    send(res, 404, 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    void serveMetrics(res, options.metrics);
  } else if (path === '/healthz') {
    probe(res, options.liveness ?? ((): Readiness => ({ ready: true })));
  } else {
    probe(res, options.readiness);
  }
}

/** Starts listening; resolves once the port is bound (rejects if it cannot be). */
export function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '0.0.0.0';
  const server: Server = createServer((req, res) => handle(req, res, options));
  // Probes and scrapes are tiny; a slow client must not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        host,
        port: address.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error === undefined ? done() : fail(error)));
            server.closeAllConnections();
          }),
      });
    });
  });
}
