// The typed client: one ResourceClient per kind from the scheme table, with CRUD, patch,
// subresources, watch (newline-delimited JSON), and a ListWatcher for shared informers.

import type { IncomingMessage } from 'node:http';
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import { lookupKind, type ResourceType } from '../api/scheme.js';
import { errorFromWatchEvent, type ListWatcher } from '../machinery/listwatch.js';
import { loadKubeconfig, type Connection } from './kubeconfig.js';
import { RestClient } from './rest.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface Scope {
  namespace?: string;
}

export interface ListQuery extends Scope {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface WatchQuery extends ListQuery {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  signal: AbortSignal;
}

export interface DeleteQuery extends Scope {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export class Client {
  constructor(readonly rest: RestClient) {}

  static fromKubeconfig(opts: { path?: string; context?: string } = {}): Client {
    return new Client(new RestClient(loadKubeconfig(opts)));
  }

  static fromConnection(conn: Connection): Client {
    return new Client(new RestClient(conn));
  }

  get namespace(): string {
    return this.rest.namespace;
  }

  resource<T extends KubeObject = KubeObject>(rt: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, rt);
  }

  /** The resource client for an object's apiVersion/kind. */
  forObject<T extends KubeObject = KubeObject>(obj: { apiVersion?: unknown; kind?: unknown }): ResourceClient<T> {
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    const rt = lookupKind(apiVersion, kind);
    if (!rt) throw new ApiError('NotFound', `no kind "${kind}" is registered for version "${apiVersion}"`);
    return this.resource<T>(rt);
  }

  close(): void {
    this.rest.close();
  }
}

export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly rest: RestClient,
    readonly rt: ResourceType,
  ) {}

  path(namespace: string | undefined, name?: string, subresource?: string): string {
    const root = this.rt.group ? `/apis/${this.rt.group}/${this.rt.version}` : `/api/${this.rt.version}`;
    const ns = this.rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const tail = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
    return `${root}${ns}/${this.rt.plural}${tail}`;
  }

  get(name: string, scope: Scope = {}): Promise<T> {
    return this.rest.json<T>({ path: this.path(scope.namespace, name) });
  }

  list(q: ListQuery = {}): Promise<KubeList<T>> {
    return this.rest.json<KubeList<T>>({
      path: this.path(q.namespace),
      query: { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, limit: q.limit, continue: q.continue, resourceVersion: q.resourceVersion },
      ...(q.signal ? { signal: q.signal } : {}),
    });
  }

  create(obj: T, scope: Scope & { dryRun?: boolean } = {}): Promise<T> {
    const ns = scope.namespace ?? obj.metadata.namespace;
    return this.rest.json<T>({ method: 'POST', path: this.path(ns), body: obj, query: { dryRun: scope.dryRun ? 'All' : undefined } });
  }

  update(obj: T, opts: { subresource?: 'status'; dryRun?: boolean } = {}): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new ApiError('BadRequest', 'update needs metadata.name');
    return this.rest.json<T>({ method: 'PUT', path: this.path(obj.metadata.namespace, name, opts.subresource), body: obj, query: { dryRun: opts.dryRun ? 'All' : undefined } });
  }

  patch(name: string, type: PatchType, body: unknown, opts: Scope & { subresource?: string; fieldManager?: string; force?: boolean; dryRun?: boolean } = {}): Promise<T> {
    return this.rest.json<T>({
      method: 'PATCH',
      path: this.path(opts.namespace, name, opts.subresource),
      body,
      contentType: PATCH_CONTENT_TYPES[type],
      query: { fieldManager: opts.fieldManager ?? (type === 'apply' ? 'minik8s' : undefined), force: opts.force, dryRun: opts.dryRun ? 'All' : undefined },
    });
  }

  /** Returns the object (still terminating, or as deleted) or a Status for kinds that return one. */
  delete(name: string, q: DeleteQuery = {}): Promise<KubeObject> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (q.propagationPolicy) body['propagationPolicy'] = q.propagationPolicy;
    if (q.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = q.gracePeriodSeconds;
    if (q.preconditions) body['preconditions'] = q.preconditions;
    if (q.dryRun) body['dryRun'] = ['All'];
    return this.rest.json<KubeObject>({ method: 'DELETE', path: this.path(q.namespace, name), body });
  }

  /**
   * Streams events to `onEvent` until the server ends the stream (resolves) or an error occurs
   * (rejects; a 410 inside the stream rejects with reason Expired).
   */
  async watch(q: WatchQuery, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
    let res: IncomingMessage;
    try {
      res = await this.rest.stream({
        path: this.path(q.namespace),
        query: {
          watch: 'true',
          labelSelector: q.labelSelector,
          fieldSelector: q.fieldSelector,
          resourceVersion: q.resourceVersion,
          allowWatchBookmarks: q.allowWatchBookmarks,
          timeoutSeconds: q.timeoutSeconds,
          sendInitialEvents: q.sendInitialEvents,
        },
        signal: q.signal,
      });
    } catch (e) {
      if (q.signal.aborted) return;
      throw e;
    }
    await readEvents(res, q.signal, onEvent);
  }

  listWatcher(q: Omit<ListQuery, 'resourceVersion' | 'signal'> = {}): ListWatcher<T> {
    return {
      list: (opts) => this.list({ ...q, ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }),
      watch: (opts) =>
        this.watch(
          { ...q, resourceVersion: opts.resourceVersion, allowWatchBookmarks: opts.allowWatchBookmarks, signal: opts.signal, ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}) },
          opts.onEvent,
        ),
    };
  }
}

function readEvents<T>(res: IncomingMessage, signal: AbortSignal, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      res.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish();
    signal.addEventListener('abort', onAbort);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while (!done && (nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        let ev: unknown;
        try {
          ev = JSON.parse(line);
        } catch {
          return finish(new ApiError('InternalError', `malformed watch event: ${line.slice(0, 100)}`));
        }
        if (!isObject(ev) || typeof ev['type'] !== 'string') return finish(new ApiError('InternalError', 'malformed watch event'));
        if (ev['type'] === 'ERROR') return finish(errorFromWatchEvent(ev['object']));
        onEvent(ev as unknown as WatchEvent<T>);
      }
    });
    res.on('end', () => finish());
    res.on('close', () => finish());
    res.on('error', (e) => finish(signal.aborted ? undefined : e));
  });
}
