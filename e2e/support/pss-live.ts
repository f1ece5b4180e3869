// Asking the API server's own Pod Security admission for a verdict: server-side
// dry-run creates over one keep-alive connection pool (thousands of requests
// in seconds, where a kubectl process per pod would take minutes), and parsers
// for the two ways the verdict comes back — a 403 whose message says
// `violates PodSecurity "<level>:<version>": ...` for pods, and a `Warning`
// header `would violate PodSecurity ...` for workloads and warn-mode
// namespaces.
import { Agent, request } from 'node:https';
import type { RequestOptions } from 'node:https';

import type { KubeConfig } from '@kubernetes/client-node';

/** What one dry-run create returned. */
export interface DryRunResult {
  /** HTTP status: 201 created (dry run), 403 forbidden, 422 invalid, ... */
  readonly status: number;
  /** The Status object's message for an error; '' for a success. */
  readonly message: string;
  /** Each `Warning` header's text, unquoted, in the order the server sent them. */
  readonly warnings: readonly string[];
}

/**
 * POSTs objects with `?dryRun=All`: admission runs in full (PodSecurity
 * included) and nothing is stored, so one namespace serves any number of
 * fixtures with the same name.
 */
export class DryRunClient {
  private readonly kc: KubeConfig;
  private readonly agent: Agent;
  private readonly base: URL;
  private options: RequestOptions | undefined;

  constructor(kc: KubeConfig, maxSockets = 16) {
    this.kc = kc;
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    this.base = new URL(cluster.server);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  async create(path: string, body: unknown): Promise<DryRunResult> {
    if (this.options === undefined) {
      const options: RequestOptions = {};
      // Client certificate or token, and the cluster CA, exactly as the client library uses them.
      await this.kc.applyToHTTPSOptions(options);
      this.options = options;
    }
    const url = new URL(path, this.base);
    url.searchParams.set('dryRun', 'All');
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          ...this.options,
          agent: this.agent,
          method: 'POST',
          headers: {
            ...this.options?.headers,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status,
              message: status >= 300 ? statusMessage(text) : '',
              warnings: warningsOf(res.rawHeaders),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function statusMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not a Status object: the raw body says more than nothing.
  }
  return text;
}

/**
 * The texts of the `Warning` headers (RFC 7234: `299 - "<text>"`, with `\"`
 * and `\\` escaped). rawHeaders keeps repeated headers apart, where the parsed
 * headers would join them with commas that the texts themselves contain.
 */
export function warningsOf(rawHeaders: readonly string[]): string[] {
  const warnings: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'warning') continue;
    const value = rawHeaders[i + 1] ?? '';
    const match = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(value);
    warnings.push(match === null ? value : (match[1] ?? '').replace(/\\(.)/g, '$1'));
  }
  return warnings;
}

/** A Pod Security verdict as the API server worded it. */
export interface ServerDenial {
  /** `<level>:<version>` as the server resolved it, e.g. `restricted:latest`. */
  readonly policy: string;
  /** Everything after the policy: the violations joined by `, `. */
  readonly detail: string;
}

// `violates` in an enforce denial, `would violate` in a warning.
const DENIAL = /(?:violates|would violate) PodSecurity "([^"]+)": ([\s\S]*)$/;

/** The Pod Security denial in a 403 message, or undefined when it is some other refusal. */
export function podSecurityDenial(message: string): ServerDenial | undefined {
  const match = DENIAL.exec(message);
  if (match === null) return undefined;
  return { policy: match[1] ?? '', detail: match[2] ?? '' };
}

/** The `would violate PodSecurity` warning among a response's warnings, if any. */
export function podSecurityWarning(warnings: readonly string[]): ServerDenial | undefined {
  for (const warning of warnings) {
    if (!warning.startsWith('would violate PodSecurity')) continue;
    const denial = podSecurityDenial(warning);
    if (denial !== undefined) return denial;
  }
  return undefined;
}

/** One violation in a denial: `<reason> (<detail>)`, or a bare `<reason>`. */
export interface ServerViolation {
  readonly reason: string;
  readonly text: string;
}

/**
 * Splits a denial's detail into its violations. They are joined by `, `, but a
 * violation's own detail has commas too (`containers "a", "b" must ...`), so
 * only a separator outside parentheses and quotes splits.
 */
export function splitViolations(detail: string): ServerViolation[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < detail.length; i++) {
    const c = detail[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
    } else if (c === ',' && depth === 0 && detail[i + 1] === ' ') {
      items.push(detail.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  if (detail.length > 0) items.push(detail.slice(start));
  return items.map((text) => {
    const open = text.indexOf(' (');
    return { reason: open === -1 ? text : text.slice(0, open), text };
  });
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
