// A shared informer: one list+watch per resource per process, feeding a read-only cache and any number of
// handlers. See README.md for the flow and the invariants this file keeps.

import type { KubeObject, WatchEvent } from '../api/meta.js';
import { abortable, abortReason } from '../util/abort.js';
import { Backoff, type BackoffOptions } from '../util/backoff.js';
import type { Clock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { errorFromWatchEvent, isResourceExpired, type ListWatcher } from './listwatch.js';
import { byNamespace, freezeObject, objectKey, Store, type FreezeMode, type IndexFunc, type Indexer } from './store.js';

/**
 * What handlers receive. `next` is always the object to act on:
 * - add:    prev undefined, next = the new object.
 * - update: prev = the cached object before, next = the object now (their resourceVersions differ).
 * - delete: prev = the cached object before; next = the object's final state as the server sent it with the
 *           DELETED event. When the deletion was only noticed by a relist (the watch missed it), the final
 *           state is unknown: next === prev and `finalStateUnknown` is true.
 */
export type InformerEvent<T extends KubeObject> =
  | { type: 'add'; prev: undefined; next: T }
  | { type: 'update'; prev: T; next: T }
  | { type: 'delete'; prev: T; next: T; finalStateUnknown: boolean };

export type InformerHandler<T extends KubeObject> = (e: InformerEvent<T>) => void;

export interface InformerOptions {
  clock: Clock;
  /** Names the informer in logs (the resource id, for factory-made informers). */
  name?: string;
  logger?: Logger;
  /** How cached objects are frozen (see store.ts). Default 'shallow'; tests use 'deep'. */
  freeze?: FreezeMode;
  /** Reconnect backoff (default 800 ms doubling to 30 s, jitter 0.5). */
  backoff?: Partial<BackoffOptions>;
  /** Randomness for jitter and watch timeouts (default Math.random). */
  random?: () => number;
  /** Server-side watch timeout; default a random 5-10 minutes so many clients do not reconnect in step. */
  watchTimeoutSeconds?: number;
  /** A watch that ends within this many ms without delivering anything counts as a failure (default 1000). */
  minHealthyWatchMs?: number;
}

/** The index every informer has, so listers can filter by namespace cheaply. */
export const NAMESPACE_INDEX = 'namespace';

type Outcome = { kind: 'ended' } | { kind: 'expired' } | { kind: 'failed'; error: unknown };

export class SharedInformer<T extends KubeObject> {
  private readonly lw: ListWatcher<T>;
  private readonly clock: Clock;
  private readonly name: string;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly watchTimeoutSeconds: number | undefined;
  private readonly minHealthyWatchMs: number;
  private readonly backoff: Backoff;
  private readonly cache: Store<T>;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly stopper = new AbortController();
  private syncWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private state: 'new' | 'running' | 'stopped' = 'new';
  private synced = false;
  private resourceVersion = '';
  private loop: Promise<void> | undefined;
  /** Identity of the watch whose events are accepted; events from any earlier watch are dropped. */
  private activeWatch: object | undefined;

  constructor(lw: ListWatcher<T>, opts: InformerOptions) {
    this.lw = lw;
    this.clock = opts.clock;
    this.name = opts.name ?? 'informer';
    this.logger = opts.logger ?? consoleLogger;
    this.random = opts.random ?? Math.random;
    this.watchTimeoutSeconds = opts.watchTimeoutSeconds;
    this.minHealthyWatchMs = opts.minHealthyWatchMs ?? 1000;
    this.backoff = new Backoff({ initialMs: 800, maxMs: 30_000, jitter: 0.5, random: this.random, ...opts.backoff });
    this.cache = new Store<T>({ freeze: opts.freeze ?? 'shallow', indexers: { [NAMESPACE_INDEX]: byNamespace } });
  }

  /** The read-only cache. Objects in it are frozen; copy before changing. */
  get store(): Indexer<T> {
    return this.cache;
  }

  /** Extra indexes (e.g. `{ byNodeName }`); may be added before or after start. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.cache.addIndexers(indexers);
  }

  /**
   * Subscribe. The handler first gets a synthetic `add` for every object already cached (none before the first
   * list), synchronously, then every later event. Returns an unsubscribe function.
   */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    for (const next of this.cache.list()) this.call(handler, { type: 'add', prev: undefined, next });
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** True once the first list has been applied to the cache (and its adds delivered). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The last resourceVersion seen (list, event or bookmark): where the next watch starts. */
  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves once synced; rejects if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.state === 'stopped') return Promise.reject(new Error(`${this.name}: informer stopped before sync`));
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        if (signal) reject(abortReason(signal));
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Begin list+watch in the background. Idempotent; an informer cannot be restarted after stop(). */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.loop = this.run();
  }

  /** Stop listing and watching; resolves once the background loop has exited. Handlers get nothing more. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return this.loop;
    this.state = 'stopped';
    this.activeWatch = undefined;
    this.stopper.abort(new Error(`${this.name}: informer stopped`));
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w.reject(new Error(`${this.name}: informer stopped before sync`));
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Never rejects: every failure is logged and retried until stop(). */
  private async run(): Promise<void> {
    let needList = true;
    // A 410 right after a healthy watch (say, the server restarted) relists at once; a 410 right after our own
    // relist means lists and watches are failing in a loop, so that one backs off.
    let listedSinceHealthyWatch = false;
    while (!this.stopped) {
      if (needList) {
        try {
          await this.relist();
          needList = false;
          listedSinceHealthyWatch = true;
        } catch (error) {
          if (this.stopped) break;
          this.logger.warn(`${this.name}: list failed`, { informer: this.name, error });
          if (!(await this.pause(this.backoff.next()))) break;
          continue;
        }
        if (this.stopped) break;
      }
      const startedAt = this.clock.now();
      const { outcome, events } = await this.watchOnce();
      if (this.stopped) break;
      // A watch that delivered something or stayed up a while proves the connection works.
      const healthy = events > 0 || this.clock.now() - startedAt >= this.minHealthyWatchMs;
      if (healthy) {
        this.backoff.reset();
        listedSinceHealthyWatch = false;
      }
      let immediate: boolean;
      if (outcome.kind === 'expired') {
        // Our resourceVersion is gone from the server's history: only a fresh list can catch us up.
        this.logger.info(`${this.name}: watch expired, relisting`, { informer: this.name, rv: this.resourceVersion });
        needList = true;
        immediate = !listedSinceHealthyWatch;
      } else if (outcome.kind === 'failed') {
        this.logger.warn(`${this.name}: watch failed`, { informer: this.name, error: outcome.error });
        immediate = false;
      } else {
        // Normal end (server timeout): resume at once, unless the server keeps closing streams immediately.
        immediate = healthy;
      }
      if (!immediate && !(await this.pause(this.backoff.next()))) break;
    }
  }

  /** Sleep unless stopped; false means stop() was called. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.stopper.signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * List and reconcile the cache with the result, emitting the difference: adds for new keys, updates for a
   * changed resourceVersion, deletes (finalStateUnknown) for keys that vanished. On the first list the cache is
   * empty, so this is "add everything".
   */
  private async relist(): Promise<void> {
    const list = await abortable(this.lw.list({ signal: this.stopper.signal }), this.stopper.signal);
    if (this.stopped) return;
    const events: InformerEvent<T>[] = [];
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      const prev = this.cache.get(key);
      if (!prev) events.push({ type: 'add', prev: undefined, next: this.cache.upsert(item) });
      else if (prev.metadata.resourceVersion !== item.metadata.resourceVersion)
        events.push({ type: 'update', prev, next: this.cache.upsert(item) });
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const prev = this.cache.delete(key);
      if (prev) events.push({ type: 'delete', prev, next: prev, finalStateUnknown: true });
    }
    const rv = list.metadata.resourceVersion;
    if (!rv) this.logger.warn(`${this.name}: list without resourceVersion; watching from now`, { informer: this.name });
    this.resourceVersion = rv ?? '';
    this.emit(events);
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  private async watchOnce(): Promise<{ outcome: Outcome; events: number }> {
    const token = {};
    this.activeWatch = token;
    const watchAbort = new AbortController();
    const onStop = (): void => watchAbort.abort(this.stopper.signal.reason);
    this.stopper.signal.addEventListener('abort', onStop, { once: true });
    let streamError: unknown;
    let events = 0;
    const onEvent = (e: WatchEvent<T>): void => {
      if (this.activeWatch !== token || watchAbort.signal.aborted) return;
      if (e.type === 'ERROR') {
        // Implementations should reject instead, but a raw stream may pass the ERROR through: end the watch.
        streamError = errorFromWatchEvent(e.object);
        watchAbort.abort(streamError);
        return;
      }
      events++;
      this.applyWatchEvent(e);
    };
    let outcome: Outcome = { kind: 'ended' };
    try {
      const watching = this.lw.watch({
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.watchTimeoutSeconds ?? Math.floor(300 + 300 * this.random()),
        signal: watchAbort.signal,
        onEvent,
      });
      await abortable(watching, watchAbort.signal);
    } catch (error) {
      outcome = { kind: 'failed', error };
    } finally {
      if (this.activeWatch === token) this.activeWatch = undefined;
      this.stopper.signal.removeEventListener('abort', onStop);
    }
    if (streamError !== undefined) outcome = { kind: 'failed', error: streamError };
    if (outcome.kind === 'failed' && isResourceExpired(outcome.error)) outcome = { kind: 'expired' };
    return { outcome, events };
  }

  private applyWatchEvent(e: WatchEvent<T>): void {
    const obj = e.object;
    const rv = obj.metadata.resourceVersion;
    if (e.type === 'ADDED' || e.type === 'MODIFIED') {
      const key = objectKey(obj);
      const prev = this.cache.get(key);
      // A replayed event for a version we already hold changes nothing (no duplicate add or update).
      if (!prev || prev.metadata.resourceVersion !== rv) {
        const next = this.cache.upsert(obj);
        this.emit([prev ? { type: 'update', prev, next } : { type: 'add', prev: undefined, next }]);
      }
    } else if (e.type === 'DELETED') {
      const prev = this.cache.delete(objectKey(obj));
      // Deleting what we do not hold is a no-op: handlers never see a delete for an absent key.
      if (prev)
        this.emit([{ type: 'delete', prev, next: freezeObject(obj, this.cache.freeze), finalStateUnknown: false }]);
    }
    // BOOKMARK carries only a resourceVersion; like every other event it moves our resume point.
    if (rv) this.resourceVersion = rv;
  }

  /** Deliver a batch. The cache already reflects the whole batch; handlers added meanwhile got it as synthetic adds. */
  private emit(events: InformerEvent<T>[]): void {
    if (events.length === 0 || this.stopped) return;
    const handlers = [...this.handlers];
    for (const e of events) for (const h of handlers) if (this.handlers.has(h)) this.call(h, e);
  }

  private call(handler: InformerHandler<T>, e: InformerEvent<T>): void {
    try {
      handler(e);
    } catch (error) {
      this.logger.error(`${this.name}: event handler threw`, {
        informer: this.name,
        event: e.type,
        key: objectKey(e.next),
        error,
      });
    }
  }
}

export type ListWatcherFor = (resource: string) => ListWatcher<KubeObject>;

/**
 * One SharedInformer per resource id per process. `listWatcherFor` maps a resource id (e.g. 'pods',
 * 'deployments.apps') to its ListWatcher; it is called once per id, on first use.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly listWatcherFor: ListWatcherFor;
  private readonly opts: InformerOptions;
  private stopped = false;

  constructor(listWatcherFor: ListWatcherFor, opts: InformerOptions) {
    this.listWatcherFor = listWatcherFor;
    this.opts = opts;
  }

  /**
   * The informer for `resource`, created on first call. The type parameter is the caller's claim about what the
   * resource holds; the factory cannot check it, which is the one unchecked cast in this package.
   */
  informerFor<T extends KubeObject>(resource: string): SharedInformer<T> {
    let informer = this.informers.get(resource);
    if (!informer) {
      informer = new SharedInformer(this.listWatcherFor(resource), { ...this.opts, name: resource });
      this.informers.set(resource, informer);
    }
    return informer as unknown as SharedInformer<T>;
  }

  resources(): string[] {
    return [...this.informers.keys()];
  }

  /** Start every informer created so far (call again after creating more). */
  start(): void {
    if (this.stopped) return;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves when every informer created so far has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
