/**
 * A thin, typed client for the Kubernetes API: list, watch, get, create, replace, apply,
 * patch and delete on any group/version/resource, with JSON bodies and failures as
 * `ApiError`s carrying the HTTP code and the Status reason.
 *
 * Configuration and authentication come from `@kubernetes/client-node`'s `KubeConfig`
 * (kubeconfig files, in-cluster ServiceAccount tokens, exec plugins, client certificates);
 * the requests themselves go through `node:https` so that this module decides timeouts and
 * streaming. That matters for watches (SPEC §9): the library's `Watch` treats its 30 s
 * request timeout as an inactivity timeout and ends every quiet watch after 30 s, while the
 * server only sends a bookmark about once a minute. Here a watch runs until the server's
 * `timeoutSeconds`, with an inactivity limit safely beyond it.
 */
import { Agent as HttpAgent, request as httpRequest, STATUS_CODES } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';
import type * as ClientNode from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../engine/objects.js';
import { isRecord } from '../engine/objects.js';

/** Where a kind lives in the API. */
export interface ResourceDescriptor {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural used in URLs, e.g. `clusterrolebindings`. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

/** The resources the controller reads or writes. */
export const RESOURCES = {
  pods: { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' },
  serviceAccounts: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true, kind: 'Role' },
  clusterRoles: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    namespaced: false,
    kind: 'ClusterRole',
  },
  roleBindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    namespaced: true,
    kind: 'RoleBinding',
  },
  clusterRoleBindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    namespaced: false,
    kind: 'ClusterRoleBinding',
  },
  networkPolicies: {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    namespaced: true,
    kind: 'NetworkPolicy',
  },
  securityPolicies: {
    group: 'bulwark.dev',
    version: 'v1alpha1',
    plural: 'securitypolicies',
    namespaced: false,
    kind: 'SecurityPolicy',
  },
  securityReports: {
    group: 'bulwark.dev',
    version: 'v1alpha1',
    plural: 'securityreports',
    namespaced: true,
    kind: 'SecurityReport',
  },
  clusterSecurityReports: {
    group: 'bulwark.dev',
    version: 'v1alpha1',
    plural: 'clustersecurityreports',
    namespaced: false,
    kind: 'ClusterSecurityReport',
  },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' },
  events: { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' },
} as const satisfies Record<string, ResourceDescriptor>;

/** The kinds the controller lists and watches (SPEC §4), one reflector each. */
export const WATCHED_RESOURCES: readonly ResourceDescriptor[] = [
  RESOURCES.pods,
  RESOURCES.namespaces,
  RESOURCES.serviceAccounts,
  RESOURCES.roles,
  RESOURCES.clusterRoles,
  RESOURCES.roleBindings,
  RESOURCES.clusterRoleBindings,
  RESOURCES.networkPolicies,
  RESOURCES.securityPolicies,
];

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/**
 * The URL path of a collection (no name) or of one object, e.g.
 * `/apis/rbac.authorization.k8s.io/v1/namespaces/web/roles/reader`. A namespaced resource
 * without a namespace is the all-namespaces collection.
 */
export function resourcePath(
  resource: ResourceDescriptor,
  target: { readonly namespace?: string | undefined; readonly name?: string | undefined; readonly subresource?: string | undefined } = {},
): string {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const parts = [root];
  if (resource.namespaced && target.namespace !== undefined && target.namespace !== '') {
    parts.push('namespaces', encodeURIComponent(target.namespace));
  }
  parts.push(resource.plural);
  if (target.name !== undefined) {
    parts.push(encodeURIComponent(target.name));
    if (target.subresource !== undefined) parts.push(target.subresource);
  }
  return parts.join('/');
}

/** The body of a failed request (metav1.Status). */
export interface KubeStatus {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Kubernetes verbs, as counted in `bulwark_api_errors_total{verb}`. */
export type ApiVerb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';

/**
 * A request the API server refused, or that never got an answer. `code` is the HTTP status
 * (or the in-stream Status code of a watch ERROR event); 0 when there was no response, with
 * `reason` `NetworkError` or `Timeout` and the underlying error as `cause`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly verb: ApiVerb;
  readonly code: number;
  /** The Status reason (`NotFound`, `Conflict`, `Expired`, `Gone`, ...), or the HTTP status text. */
  readonly reason: string;
  readonly status: KubeStatus | undefined;
  /** From a `Retry-After` header (429, 503), when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    verb: ApiVerb,
    code: number,
    reason: string,
    message: string,
    options: { status?: KubeStatus; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.verb = verb;
    this.code = code;
    this.reason = reason;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isApiError(error: unknown, code?: number): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error, 404);
}

export function isConflict(error: unknown): boolean {
  return isApiError(error, 409) && error.reason !== 'AlreadyExists';
}

export function isAlreadyExists(error: unknown): boolean {
  return isApiError(error, 409) && error.reason === 'AlreadyExists';
}

/** 410: a resourceVersion or continue token older than the server still holds. */
export function isGone(error: unknown): boolean {
  return isApiError(error, 410);
}

/** The request was cancelled through its AbortSignal. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** An `ApiError` from a Status object (an error response body or a watch ERROR event). */
export function apiErrorFromStatus(verb: ApiVerb, httpCode: number, status: unknown, context: string): ApiError {
  const s: KubeStatus = isRecord(status) ? (status as KubeStatus) : {};
  const code = typeof s.code === 'number' && s.code > 0 ? s.code : httpCode;
  const reason = typeof s.reason === 'string' && s.reason !== '' ? s.reason : (STATUS_CODES[code] ?? 'Unknown');
  const detail = typeof s.message === 'string' && s.message !== '' ? s.message : reason;
  return new ApiError(verb, code, reason, `${context}: ${code} ${detail}`, { status: s });
}

/** One page of a list. */
export interface ObjectList {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly resourceVersion: string;
    /** Set when there are more pages. */
    readonly continue?: string;
    readonly remainingItemCount?: number;
  };
  /** Raw objects, not yet validated; list items carry no apiVersion/kind of their own. */
  readonly items: readonly unknown[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
const WATCH_EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** One watch event; for ERROR the object is a Status. */
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

/** A watch stream that could not be decoded: a corrupt or truncated line. */
export class WatchDecodeError extends Error {
  override readonly name = 'WatchDecodeError';
}

export function parseWatchLine(line: string): WatchEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new WatchDecodeError(`watch stream: malformed JSON line: ${snippet(line)}`, { cause: error });
  }
  if (!isRecord(parsed) || typeof parsed['type'] !== 'string' || !WATCH_EVENT_TYPES.has(parsed['type'])) {
    throw new WatchDecodeError(`watch stream: event without a known type: ${snippet(line)}`);
  }
  if (!isRecord(parsed['object'])) {
    throw new WatchDecodeError(`watch stream: ${parsed['type']} event without an object: ${snippet(line)}`);
  }
  return { type: parsed['type'] as WatchEventType, object: parsed['object'] as KubeObject };
}

/**
 * Splits a watch response (newline-delimited JSON, in chunks cut anywhere, even inside a
 * multi-byte character) into events. A line that is not a watch event throws
 * `WatchDecodeError` rather than being skipped: a skipped event is a change the cache
 * never sees, while a thrown one makes the reflector re-watch from the last good
 * resourceVersion and lose nothing.
 */
export async function* decodeWatchStream(chunks: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<WatchEvent> {
  const decoder = new StringDecoder('utf8');
  // Text of the line being received, in pieces. Searching only each new chunk for a
  // newline, and joining pieces once per line, keeps a megabyte object that arrives in a
  // thousand chunks linear; appending to one string and searching it would not be.
  const pending: string[] = [];
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      pending.push(text.slice(start, newline));
      const line = pending.join('');
      pending.length = 0;
      start = newline + 1;
      if (line.trim() !== '') yield parseWatchLine(line);
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  const rest = pending.join('') + decoder.end();
  if (rest.trim() !== '') {
    // The server ends every event with a newline, so text left over is an event cut off by
    // a dropped connection, unless it happens to be complete.
    try {
      yield parseWatchLine(rest);
    } catch (error) {
      throw new WatchDecodeError(`watch stream ended inside an event: ${snippet(rest)}`, { cause: error });
    }
  }
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export interface RequestOptionsBase {
  /** Cancels the request; it then rejects with the signal's reason (an AbortError). */
  readonly signal?: AbortSignal;
}

export interface ListOptions extends RequestOptionsBase {
  readonly namespace?: string;
  /** Page size; the server may return fewer. */
  readonly limit?: number;
  readonly continue?: string;
  /** Omit (or '') for a consistent read from etcd, the only choice safe to relist from. */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface WatchOptions extends RequestOptionsBase {
  readonly namespace?: string;
  /** Start after this version; omit to get synthetic ADDED events for the current state. */
  readonly resourceVersion?: string;
  readonly allowWatchBookmarks?: boolean;
  /** The server ends the watch cleanly after this long. */
  readonly timeoutSeconds: number;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * The client gives up on a connection that delivered nothing for this long (default:
   * the server timeout plus 60 s, so it only fires when the server failed to end the
   * watch itself). The reflector adds its own stall watchdog on its own clock.
   */
  readonly inactivityTimeoutMs?: number;
}

export interface TargetOptions extends RequestOptionsBase {
  /** Namespace of a namespaced object; taken from the object's metadata when it has one. */
  readonly namespace?: string;
  readonly subresource?: string;
}

export interface WriteOptions extends TargetOptions {
  /** Server-side dry run: validate and admit, store nothing. */
  readonly dryRun?: boolean;
  /** Defaults to the client's field manager (`bulwark`). */
  readonly fieldManager?: string;
}

export interface ApplyOptions extends WriteOptions {
  /**
   * Take over fields another manager owns (default true). Bulwark applies only objects it
   * owns (its reports, its policies' status), where a hand edit is drift to undo, not a
   * conflict to report.
   */
  readonly force?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface DeleteOptions extends TargetOptions {
  /** Delete only this incarnation / version (409 otherwise). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
}

/** The read side the reflector needs; the fake in unit tests implements just this. */
export interface ListWatchClient {
  list(resource: ResourceDescriptor, options: ListOptions): Promise<ObjectList>;
  watch(resource: ResourceDescriptor, options: WatchOptions): AsyncIterable<WatchEvent>;
}

export interface KubeClientOptions {
  /** Limit for every request except watches, reading the body included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Field manager for create/update/apply/patch (default `bulwark`). */
  readonly fieldManager?: string;
  readonly userAgent?: string;
  /**
   * Called once per failed request and per watch ERROR event, with the HTTP or Status code
   * as a string, or `network` / `timeout` when there was no answer. Requests cancelled by
   * their caller are not failures and are not reported.
   */
  readonly onApiError?: (verb: ApiVerb, code: string) => void;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal: AbortSignal | undefined;
}

/** A request in flight, with what stopped it if something did. */
interface Flight {
  readonly req: ClientRequest;
  readonly res: IncomingMessage;
  /** Turns an error from reading the response into the error to throw. */
  translate(error: unknown): Error;
  dispose(): void;
}

/**
 * The API server's address and the credentials a request needs: `@kubernetes/client-node`'s
 * KubeConfig, or a lighter equivalent (kube-config.ts).
 */
export interface ClusterConnection {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  /** Adds TLS material and authentication headers to a request's options. */
  applyToHTTPSOptions(options: HttpsRequestOptions): Promise<void>;
}

/**
 * Loads a kubeconfig file, or the default chain (KUBECONFIG, ~/.kube/config, in-cluster).
 * The library is loaded on first use, not with this module: its import alone costs ~85 MB
 * of resident memory (see kube-config.ts), which `bulwark run` avoids when it can.
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const library = createRequire(import.meta.url)('@kubernetes/client-node') as typeof ClientNode;
  const kc = new library.KubeConfig();
  if (path !== undefined && path !== '') kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export class KubeClient implements ListWatchClient {
  readonly fieldManager: string;
  private readonly requestTimeoutMs: number;
  private readonly userAgent: string;
  private readonly onApiError: (verb: ApiVerb, code: string) => void;
  // The library's own agent does not keep connections alive; a controller writing reports
  // and renewing a lease every 2 s should not pay a TLS handshake per request.
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, keepAliveMsecs: 30_000 });
  private readonly httpAgent = new HttpAgent({ keepAlive: true, keepAliveMsecs: 30_000 });

  constructor(
    private readonly kubeConfig: ClusterConnection,
    options: KubeClientOptions = {},
  ) {
    if (kubeConfig.getCurrentCluster() === null) throw new TypeError('kubeconfig has no current cluster');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.fieldManager = options.fieldManager ?? 'bulwark';
    this.userAgent = options.userAgent ?? 'bulwark/0.1.0';
    this.onApiError = options.onApiError ?? ((): void => undefined);
  }

  /** The API server URL of the current context. */
  get server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '';
  }

  /** Closes idle keep-alive connections; in-flight requests finish. */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  async list(resource: ResourceDescriptor, options: ListOptions = {}): Promise<ObjectList> {
    const body = await this.exchange('list', {
      method: 'GET',
      path: resourcePath(resource, { namespace: options.namespace }),
      query: {
        limit: options.limit,
        continue: options.continue === '' ? undefined : options.continue,
        resourceVersion: options.resourceVersion === '' ? undefined : options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      signal: options.signal,
    });
    if (!isRecord(body) || !Array.isArray(body['items']) || !isRecord(body['metadata'])) {
      throw this.invalidResponse('list', resource, 'a list without items or metadata');
    }
    const metadata = body['metadata'];
    const resourceVersion = metadata['resourceVersion'];
    const next = metadata['continue'];
    const remaining = metadata['remainingItemCount'];
    return {
      ...(typeof body['apiVersion'] === 'string' ? { apiVersion: body['apiVersion'] } : {}),
      ...(typeof body['kind'] === 'string' ? { kind: body['kind'] } : {}),
      metadata: {
        resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '',
        ...(typeof next === 'string' && next !== '' ? { continue: next } : {}),
        ...(typeof remaining === 'number' ? { remainingItemCount: remaining } : {}),
      },
      items: body['items'] as unknown[],
    };
  }

  /**
   * Streams watch events until the server ends the watch (normal return), the connection
   * fails (throws `ApiError`), or `signal` aborts (throws an AbortError). A non-200 answer,
   * 410 Gone included, throws `ApiError` from the first `next()`. In-stream ERROR events are
   * yielded as they are; the caller decides what a 410 inside the stream means.
   */
  async *watch(resource: ResourceDescriptor, options: WatchOptions): AsyncGenerator<WatchEvent> {
    const call: Call = {
      method: 'GET',
      path: resourcePath(resource, { namespace: options.namespace }),
      query: {
        watch: 'true',
        resourceVersion: options.resourceVersion === '' ? undefined : options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks === true ? 'true' : undefined,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      signal: options.signal,
    };
    const idleMs = options.inactivityTimeoutMs ?? (options.timeoutSeconds + 60) * 1000;
    const flight = await this.start('watch', call, { idleMs });
    try {
      if (flight.res.statusCode !== 200) {
        const text = await readText(flight.res);
        throw this.statusError('watch', call, flight.res, text);
      }
      for await (const event of decodeWatchStream(flight.res)) {
        if (event.type === 'ERROR') {
          const code = event.object['code'];
          this.onApiError('watch', typeof code === 'number' ? String(code) : 'unknown');
        }
        yield event;
      }
    } catch (error) {
      throw flight.translate(error);
    } finally {
      flight.dispose();
    }
  }

  async get(resource: ResourceDescriptor, name: string, options: TargetOptions = {}): Promise<KubeObject> {
    const body = await this.exchange('get', {
      method: 'GET',
      path: resourcePath(resource, { namespace: options.namespace, name, subresource: options.subresource }),
      signal: options.signal,
    });
    return this.asObject('get', resource, body);
  }

  async create(resource: ResourceDescriptor, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    const body = await this.exchange('create', {
      method: 'POST',
      path: resourcePath(resource, { namespace }),
      query: this.writeQuery(options),
      body: object,
      signal: options.signal,
    });
    return this.asObject('create', resource, body);
  }

  /**
   * Replaces an object (PUT). The object must carry `metadata.resourceVersion`: the server
   * then refuses with 409 Conflict if anyone changed it since it was read, instead of
   * silently overwriting their change.
   */
  async replace(resource: ResourceDescriptor, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const { name, namespace } = this.target(resource, object, options);
    const resourceVersion = object.metadata?.resourceVersion;
    if (typeof resourceVersion !== 'string' || resourceVersion === '') {
      throw new TypeError(`replace ${resource.plural}/${name}: metadata.resourceVersion is required for a guarded update`);
    }
    const body = await this.exchange('update', {
      method: 'PUT',
      path: resourcePath(resource, { namespace, name, subresource: options.subresource }),
      query: this.writeQuery(options),
      body: object,
      signal: options.signal,
    });
    return this.asObject('update', resource, body);
  }

  /**
   * Server-side apply (PATCH, `application/apply-patch+yaml`, JSON being YAML) as field
   * manager `bulwark`: the object states every field Bulwark owns, and the server merges.
   * The object needs apiVersion, kind and metadata.name.
   */
  async apply(resource: ResourceDescriptor, object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const { name, namespace } = this.target(resource, object, options);
    const body = await this.exchange('patch', {
      method: 'PATCH',
      path: resourcePath(resource, { namespace, name, subresource: options.subresource }),
      query: { ...this.writeQuery(options), force: options.force ?? true },
      body: object,
      contentType: 'application/apply-patch+yaml',
      signal: options.signal,
    });
    return this.asObject('patch', resource, body);
  }

  /** Server-side apply of the status subresource (e.g. a SecurityPolicy's conditions). */
  applyStatus(resource: ResourceDescriptor, object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    return this.apply(resource, object, { ...options, subresource: 'status' });
  }

  async patch(
    resource: ResourceDescriptor,
    name: string,
    patch: unknown,
    type: PatchType,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const body = await this.exchange('patch', {
      method: 'PATCH',
      path: resourcePath(resource, { namespace: options.namespace, name, subresource: options.subresource }),
      query: this.writeQuery(options),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      signal: options.signal,
    });
    return this.asObject('patch', resource, body);
  }

  /** Deletes an object; returns the server's answer (the object while it finalizes, or a Status). */
  async delete(resource: ResourceDescriptor, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    const deleteOptions: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.preconditions !== undefined) deleteOptions['preconditions'] = options.preconditions;
    if (options.propagationPolicy !== undefined) deleteOptions['propagationPolicy'] = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) deleteOptions['gracePeriodSeconds'] = options.gracePeriodSeconds;
    const body = await this.exchange('delete', {
      method: 'DELETE',
      path: resourcePath(resource, { namespace: options.namespace, name, subresource: options.subresource }),
      body: deleteOptions,
      signal: options.signal,
    });
    return this.asObject('delete', resource, body);
  }

  private writeQuery(options: WriteOptions): Query {
    return { fieldManager: options.fieldManager ?? this.fieldManager, dryRun: options.dryRun === true ? 'All' : undefined };
  }

  private target(
    resource: ResourceDescriptor,
    object: KubeObject,
    options: TargetOptions,
  ): { name: string; namespace: string | undefined } {
    const name = object.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${resource.plural}: the object has no metadata.name`);
    }
    const namespace = options.namespace ?? object.metadata?.namespace;
    if (resource.namespaced && (namespace === undefined || namespace === '')) {
      throw new TypeError(`${resource.plural}/${name}: a namespaced object needs metadata.namespace`);
    }
    return { name, namespace };
  }

  private asObject(verb: ApiVerb, resource: ResourceDescriptor, body: unknown): KubeObject {
    if (!isRecord(body)) throw this.invalidResponse(verb, resource, 'a body that is not an object');
    return body as KubeObject;
  }

  private invalidResponse(verb: ApiVerb, resource: ResourceDescriptor, what: string): ApiError {
    this.onApiError(verb, 'invalid');
    return new ApiError(verb, 200, 'InvalidResponse', `${verb} ${resource.plural}: the server returned ${what}`);
  }

  /** Sends a request and reads its JSON answer within the request timeout. */
  private async exchange(verb: ApiVerb, call: Call): Promise<unknown> {
    const flight = await this.start(verb, call, { totalMs: this.requestTimeoutMs });
    let text: string;
    try {
      text = await readText(flight.res);
    } catch (error) {
      throw flight.translate(error);
    } finally {
      flight.dispose();
    }
    const status = flight.res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw this.statusError(verb, call, flight.res, text);
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      this.onApiError(verb, 'invalid');
      throw new ApiError(verb, status, 'InvalidResponse', `${describe(verb, call)}: the answer is not JSON`, {
        cause: error,
      });
    }
  }

  private statusError(verb: ApiVerb, call: Call, res: IncomingMessage, text: string): ApiError {
    const httpCode = res.statusCode ?? 0;
    let status: unknown;
    try {
      status = JSON.parse(text);
    } catch {
      status = { message: text.trim().slice(0, 500) };
    }
    const error = apiErrorFromStatus(verb, httpCode, status, describe(verb, call));
    this.onApiError(verb, String(httpCode));
    const retryAfter = retryAfterSeconds(res.headers);
    if (retryAfter === undefined) return error;
    return new ApiError(verb, error.code, error.reason, error.message, {
      ...(error.status !== undefined ? { status: error.status } : {}),
      retryAfterSeconds: retryAfter,
    });
  }

  private url(path: string, query: Query | undefined): URL {
    const server = this.kubeConfig.getCurrentCluster()?.server ?? '';
    const base = new URL(server);
    // Keep a path prefix of the server URL (API proxies such as Rancher's use one).
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /**
   * Opens a request and resolves once the response headers arrived. Failures before that
   * are thrown as `ApiError` (network, timeout) or the caller's abort reason. `totalMs`
   * bounds the whole exchange until `dispose()`; `idleMs` bounds silence on the socket.
   */
  private async start(verb: ApiVerb, call: Call, limits: { totalMs?: number; idleMs?: number }): Promise<Flight> {
    const { signal } = call;
    if (signal?.aborted) throw abortReason(signal);
    const url = this.url(call.path, call.query);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.userAgent };
    let payload: string | undefined;
    if (call.body !== undefined) {
      payload = JSON.stringify(call.body);
      headers['Content-Type'] = call.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const options: HttpsRequestOptions = { method: call.method, headers };
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      this.onApiError(verb, 'auth');
      throw new ApiError(verb, 0, 'AuthenticationError', `${describe(verb, call)}: credentials: ${errorText(error)}`, {
        cause: error,
      });
    }
    if (this.kubeConfig.getCurrentCluster()?.proxyUrl === undefined) {
      options.agent = url.protocol === 'http:' ? this.httpAgent : this.httpsAgent;
    }

    return new Promise<Flight>((resolve, reject) => {
      let stopped: 'caller' | 'timeout' | undefined;
      let totalTimer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      let response: IncomingMessage | undefined;
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(url, options);

      const translate = (error: unknown): Error => {
        if (stopped === 'caller' && signal !== undefined) return abortReason(signal);
        if (error instanceof ApiError || error instanceof WatchDecodeError) return error;
        if (stopped === 'timeout') {
          this.onApiError(verb, 'timeout');
          return new ApiError(verb, 0, 'Timeout', `${describe(verb, call)}: no answer within the time limit`, {
            cause: error,
          });
        }
        this.onApiError(verb, 'network');
        return new ApiError(verb, 0, 'NetworkError', `${describe(verb, call)}: ${errorText(error)}`, { cause: error });
      };
      const onAbort = (): void => {
        stopped ??= 'caller';
        req.destroy(abortReason(signal as AbortSignal));
      };
      const dispose = (): void => {
        if (totalTimer !== undefined) clearTimeout(totalTimer);
        signal?.removeEventListener('abort', onAbort);
        // A response not read to the end would pin its socket; destroying is safe after `end`.
        if (!req.destroyed && !(response?.complete ?? false)) req.destroy();
      };
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        dispose();
        reject(translate(error));
      };

      signal?.addEventListener('abort', onAbort, { once: true });
      if (limits.totalMs !== undefined) {
        totalTimer = setTimeout(() => {
          stopped ??= 'timeout';
          req.destroy(new Error(`request timed out after ${limits.totalMs} ms`));
        }, limits.totalMs);
      }
      if (limits.idleMs !== undefined) {
        req.setTimeout(limits.idleMs, () => {
          stopped ??= 'timeout';
          req.destroy(new Error(`connection idle for ${limits.idleMs} ms`));
        });
      }
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) return;
        settled = true;
        response = res;
        resolve({ req, res, translate, dispose });
      });
      req.end(payload);
    });
  }
}

function describe(verb: ApiVerb, call: Call): string {
  return `${verb} ${call.path}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The request was aborted', 'AbortError');
}

function retryAfterSeconds(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
