// An in-memory API server for one resource, implementing ListWatcher: for informer tests here and for other
// components' tests. It keeps a revision counter and an event history like the real server's watch cache, and
// can inject the faults an informer must survive: watches that end, break, or expire (410), failing lists,
// history compaction, and restarts. Events reach watchers asynchronously (a microtask), as over a network.

import { ApiError, errors } from '../api/errors.js';
import { abortReason } from '../util/abort.js';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/meta.js';
import type { ListOptions, ListWatcher, WatchOptions } from './listwatch.js';
import { objectKey } from './store.js';

interface ActiveWatch<T extends KubeObject> {
  opts: WatchOptions<T>;
  pending: WatchEvent<T>[];
  flushScheduled: boolean;
  /** Set when the stream should end normally once pending events are delivered. */
  ending: boolean;
  closed: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
  onAbort: () => void;
}

export interface WatchRequest {
  resourceVersion: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds: number | undefined;
}

export class FakeListWatcher<T extends KubeObject> implements ListWatcher<T> {
  private rv = 0;
  /** History holds every event with revision > oldest; watching from an older revision gets 410. */
  private oldest = 0;
  private readonly objects = new Map<string, T>();
  private history: { rv: number; event: WatchEvent<T> }[] = [];
  private readonly watches = new Set<ActiveWatch<T>>();
  private readonly listFailures: Error[] = [];
  listCalls = 0;
  readonly watchRequests: WatchRequest[] = [];

  // ---- server-side writes (each bumps the revision and is seen by watchers) ----

  create(obj: T): T {
    const key = objectKey(obj);
    if (this.objects.has(key)) throw errors.alreadyExists('objects', '', key);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${this.rv}`;
    return this.record('ADDED', key, stored);
  }

  update(obj: T): T {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) throw errors.notFound('objects', '', key);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    if (old.metadata.uid !== undefined) stored.metadata.uid = old.metadata.uid;
    return this.record('MODIFIED', key, stored);
  }

  delete(key: string): T {
    const old = this.objects.get(key);
    if (!old) throw errors.notFound('objects', '', key);
    const final = structuredClone(old);
    final.metadata.resourceVersion = String(++this.rv);
    return this.record('DELETED', key, final);
  }

  /**
   * Send a BOOKMARK to watchers that allow them: at the current revision, or at `resourceVersion` to simulate a
   * server promising that nothing this watch selects changed up to there.
   */
  bookmark(resourceVersion = String(this.rv)): void {
    // A bookmark carries only metadata.resourceVersion; it is typed as T because WatchEvent<T> says so.
    const event = { type: 'BOOKMARK', object: { metadata: { resourceVersion } } as T } as const;
    for (const w of this.watches) if (w.opts.allowWatchBookmarks) this.push(w, event);
  }

  // ---- faults ----

  /** Forget history: a later watch from any revision before now gets 410 (open watches continue). */
  compact(): void {
    this.oldest = this.rv;
    this.history = [];
  }

  /** End every open watch normally, after delivering what is already in flight. */
  endWatches(): void {
    for (const w of this.watches) {
      w.ending = true;
      this.scheduleFlush(w);
    }
  }

  /** Break every open watch with `error`; events still in flight are lost, as on a dropped connection. */
  failWatches(error: Error = new Error('connection reset by peer')): void {
    for (const w of [...this.watches]) this.close(w, error);
  }

  /**
   * Compact history and end every open watch with 410 Expired: as a rejection (what a ListWatcher should do), or
   * with `asErrorEvent` as an ERROR event followed by a normal end (a raw stream).
   */
  expireWatches(opts: { asErrorEvent?: boolean } = {}): void {
    this.compact();
    const err = errors.expired('too old resource version');
    for (const w of [...this.watches]) {
      if (opts.asErrorEvent) {
        this.push(w, { type: 'ERROR', object: err.toStatus() as Status & T });
        w.ending = true;
        this.scheduleFlush(w);
      } else {
        this.close(w, err);
      }
    }
  }

  /** An API server restart: every watch breaks and the new process has no history to resume from. */
  restart(): void {
    this.failWatches(new ApiError('ServiceUnavailable', 'apiserver restarting'));
    this.compact();
  }

  /** The next list call rejects with `error` (queue several by calling repeatedly). */
  failNextList(error: Error = new ApiError('ServiceUnavailable', 'list failed')): void {
    this.listFailures.push(error);
  }

  // ---- inspection ----

  get(key: string): T | undefined {
    const obj = this.objects.get(key);
    return obj && structuredClone(obj);
  }

  /** key → resourceVersion for every stored object. */
  versions(): Map<string, string> {
    return new Map([...this.objects].map(([k, o]) => [k, o.metadata.resourceVersion ?? '']));
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  openWatches(): number {
    return this.watches.size;
  }

  // ---- ListWatcher ----

  list(opts: ListOptions): Promise<KubeList<T>> {
    this.listCalls++;
    if (opts.signal?.aborted) return Promise.reject(abortReason(opts.signal));
    const failure = this.listFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: String(this.rv) },
      items: [...this.objects.values()].map((o) => structuredClone(o)),
    });
  }

  watch(opts: WatchOptions<T>): Promise<void> {
    this.watchRequests.push({
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
    });
    if (opts.signal.aborted) return Promise.resolve();
    const from = opts.resourceVersion === '' ? this.rv : Number(opts.resourceVersion);
    if (!Number.isInteger(from))
      return Promise.reject(errors.badRequest(`invalid resourceVersion "${opts.resourceVersion}"`));
    if (from < this.oldest) return Promise.reject(errors.expired(`too old resource version: ${from} (${this.oldest})`));
    return new Promise<void>((resolve, reject) => {
      const w: ActiveWatch<T> = {
        opts,
        pending: this.history.filter((h) => h.rv > from).map((h) => cloneEvent(h.event)),
        flushScheduled: false,
        ending: false,
        closed: false,
        resolve,
        reject,
        onAbort: () => this.close(w, undefined),
      };
      this.watches.add(w);
      opts.signal.addEventListener('abort', w.onAbort, { once: true });
      this.scheduleFlush(w);
    });
  }

  private record(type: 'ADDED' | 'MODIFIED' | 'DELETED', key: string, obj: T): T {
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, obj);
    const event: WatchEvent<T> = { type, object: obj };
    this.history.push({ rv: this.rv, event });
    for (const w of this.watches) this.push(w, cloneEvent(event));
    return structuredClone(obj);
  }

  private push(w: ActiveWatch<T>, e: WatchEvent<T>): void {
    if (w.closed || w.ending) return;
    w.pending.push(e);
    this.scheduleFlush(w);
  }

  private scheduleFlush(w: ActiveWatch<T>): void {
    if (w.flushScheduled || w.closed) return;
    w.flushScheduled = true;
    queueMicrotask(() => {
      w.flushScheduled = false;
      while (!w.closed) {
        const e = w.pending.shift();
        if (!e) break;
        w.opts.onEvent(e);
      }
      if (w.ending) this.close(w, undefined);
    });
  }

  /** End a watch: resolve when `error` is undefined, else reject. */
  private close(w: ActiveWatch<T>, error: Error | undefined): void {
    if (w.closed) return;
    w.closed = true;
    w.pending = [];
    this.watches.delete(w);
    w.opts.signal.removeEventListener('abort', w.onAbort);
    if (error === undefined) w.resolve();
    else w.reject(error);
  }
}

function cloneEvent<T>(e: WatchEvent<T>): WatchEvent<T> {
  return { type: e.type, object: structuredClone(e.object) };
}
