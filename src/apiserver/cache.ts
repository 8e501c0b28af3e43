// The watch cache: one store watch feeds an in-memory copy of every object and a ring of
// recent events, so that lists and any number of watchers cost one store watch.
// Invariants: `rev` is the revision of the last applied store event; the ring holds every
// event in (ringFrom, rev]; a subscriber gets each event after its start revision exactly once,
// in order. A subscriber that cannot keep up is closed by its owner (see watch.ts), never skipped.

import type { KubeObject } from '../api/meta.js';
import { isStoreError, type Store, type StoreEvent, type Watch } from '../storage/store.js';
import { ApiError } from '../api/errors.js';

export interface Cached {
  key: string;
  rev: number;
  obj: KubeObject;
  /** The object as JSON with its resourceVersion set: serialized once, written to every client. */
  json: Buffer;
}

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rev: number;
  /** The new object (for DELETED: the last state, with the deletion's resourceVersion). */
  next: Cached;
  prev: Cached | undefined;
}

export interface Subscriber {
  prefix: string;
  onEvents: (events: CacheEvent[]) => void;
  /** The cache lost its store watch and relisted: the subscriber must end (its client relists). */
  onClose: (err: ApiError) => void;
}

export const REGISTRY_PREFIX = '/registry/';
/** Written at every start; no API resource maps to it. */
const MARKER_KEY = '/registry/minik8s.io/watch-cache/marker';

/** `/registry/apps/deployments/default/web` → `/registry/apps/deployments/` */
export function resourcePrefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  return key;
}

function decode(key: string, value: string, rev: number): Cached {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata.resourceVersion = String(rev);
  return { key, rev, obj, json: Buffer.from(JSON.stringify(obj)) };
}

export class WatchCache {
  rev = 0;
  private readonly byResource = new Map<string, Map<string, Cached>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private ring: CacheEvent[] = [];
  private ringStart = 0; // index of the oldest live entry (the ring is compacted lazily)
  private ringFrom = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly waiters: { rev: number; resolve: () => void }[] = [];
  private storeWatch: Watch | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly opts: { capacity: number; onError?: (err: Error) => void } = { capacity: 20000 },
  ) {}

  async start(): Promise<void> {
    const listed = await this.store.list(REGISTRY_PREFIX);
    this.byResource.clear();
    this.sortedKeys.clear();
    for (const kv of listed.items) this.put(decode(kv.key, kv.value, kv.modRevision));
    this.rev = listed.revision;
    // Prefill the ring from history so that clients resuming after an API server restart
    // (their resourceVersion predates this process) continue without a relist.
    const compacted = await this.store.compactedRevision();
    this.ring = [];
    this.ringStart = 0;
    this.ringFrom = Math.max(compacted, listed.revision - this.opts.capacity, 0);
    const upTo = listed.revision;
    // A marker write gives a revision the watch is sure to deliver: once it arrives, the replayed
    // history is complete (revision numbers alone cannot tell, as etcd's have gaps under a prefix).
    const marker = await this.touchMarker();
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      this.storeWatch = this.store.watch(REGISTRY_PREFIX, {
        afterRevision: this.ringFrom,
        onEvents: (events) => {
          for (const ev of events) {
            if (ev.revision <= upTo) this.record(this.toEvent(ev, false));
            else this.apply(ev);
            if (!ready && ev.revision >= marker) {
              ready = true;
              resolve();
            }
          }
        },
        onError: (err) => {
          if (!ready) {
            ready = true;
            // History unavailable: start with an empty ring at the listed revision.
            this.storeWatch = undefined;
            this.restartAfter(upTo).then(resolve, reject);
            return;
          }
          this.fail(err);
        },
      });
    });
  }

  private async touchMarker(): Promise<number> {
    const value = JSON.stringify({ metadata: { name: 'watch-cache-start' }, startedAt: new Date().toISOString() });
    for (;;) {
      const cur = await this.store.get(MARKER_KEY);
      try {
        return cur ? await this.store.update(MARKER_KEY, value, cur.modRevision) : await this.store.create(MARKER_KEY, value);
      } catch (e) {
        // Another API server touched it at the same moment: read again.
        if (!isStoreError(e, 'RevisionMismatch') && !isStoreError(e, 'KeyExists') && !isStoreError(e, 'NotFound')) throw e;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.storeWatch?.cancel();
    for (const s of this.subscribers) s.onClose(new ApiError('ServiceUnavailable', 'the API server is shutting down'));
    this.subscribers.clear();
  }

  get(key: string): Cached | undefined {
    return this.byResource.get(resourcePrefixOf(key))?.get(key);
  }

  /** Objects under `prefix` (which starts with a resource prefix), sorted by key. */
  list(prefix: string): Cached[] {
    const rp = resourcePrefixOf(prefix);
    const objs = this.byResource.get(rp);
    if (!objs) return [];
    let keys = this.sortedKeys.get(rp);
    if (!keys) {
      keys = [...objs.keys()].sort();
      this.sortedKeys.set(rp, keys);
    }
    const out: Cached[] = [];
    for (const k of keys) {
      if (!k.startsWith(prefix)) continue;
      const c = objs.get(k);
      if (c) out.push(c);
    }
    return out;
  }

  count(prefix: string): number {
    return this.byResource.get(resourcePrefixOf(prefix))?.size ?? 0;
  }

  /** Resolves once the cache has applied `rev` (or rejects after `timeoutMs`). */
  waitFor(rev: number, timeoutMs = 5000): Promise<void> {
    if (this.rev >= rev) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new ApiError('Timeout', `timed out waiting for the watch cache to reach revision ${rev}`)), timeoutMs);
      this.waiters.push({
        rev,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
    });
  }

  /** Oldest resourceVersion a watch may start after. */
  oldestResumable(): number {
    return this.ringFrom;
  }

  /**
   * Subscribes to events after `afterRev`; with `snapshot`, returns the current objects under
   * the prefix at the moment of subscription (what a watch without a resourceVersion starts with).
   * Throws Expired when `afterRev` is older than the ring.
   */
  subscribe(sub: Subscriber, afterRev: number | 'now'): { cancel: () => void; snapshot: Cached[]; rev: number } {
    const start = afterRev === 'now' ? this.rev : afterRev;
    if (start < this.ringFrom) {
      throw new ApiError('Expired', `too old resource version: ${start} (${this.ringFrom})`);
    }
    const snapshot = afterRev === 'now' ? this.list(sub.prefix) : [];
    const replay: CacheEvent[] = [];
    if (start < this.rev) {
      for (let i = this.ringStart; i < this.ring.length; i++) {
        const ev = this.ring[i];
        if (ev && ev.rev > start && ev.next.key.startsWith(sub.prefix)) replay.push(ev);
      }
    }
    this.subscribers.add(sub);
    if (replay.length) sub.onEvents(replay);
    return { cancel: () => this.subscribers.delete(sub), snapshot, rev: this.rev };
  }

  private put(c: Cached): Cached | undefined {
    const rp = resourcePrefixOf(c.key);
    let m = this.byResource.get(rp);
    if (!m) this.byResource.set(rp, (m = new Map<string, Cached>()));
    const prev = m.get(c.key);
    m.set(c.key, c);
    if (!prev) this.sortedKeys.delete(rp);
    return prev;
  }

  private remove(key: string): void {
    const rp = resourcePrefixOf(key);
    if (this.byResource.get(rp)?.delete(key)) this.sortedKeys.delete(rp);
  }

  private toEvent(ev: StoreEvent, live: boolean): CacheEvent {
    const next = decode(ev.key, ev.value, ev.revision);
    let prev: Cached | undefined;
    if (live) prev = this.get(ev.key);
    else if (ev.prevValue !== undefined) prev = decode(ev.key, ev.prevValue, ev.revision);
    const type = ev.type === 'delete' ? 'DELETED' : ev.createRevision === ev.revision ? 'ADDED' : 'MODIFIED';
    return { type, rev: ev.revision, next, prev };
  }

  private apply(ev: StoreEvent): void {
    if (ev.revision <= this.rev) return; // already applied (a resumed store watch may repeat)
    const ce = this.toEvent(ev, true);
    if (ce.type === 'DELETED') this.remove(ev.key);
    else this.put(ce.next);
    this.rev = ev.revision;
    this.record(ce);
    for (const s of this.subscribers) if (ev.key.startsWith(s.prefix)) s.onEvents([ce]);
    if (this.waiters.length) {
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w && w.rev <= this.rev) {
          this.waiters.splice(i, 1);
          w.resolve();
        }
      }
    }
  }

  private record(ev: CacheEvent): void {
    this.ring.push(ev);
    const live = this.ring.length - this.ringStart;
    if (live > this.opts.capacity) {
      const dropped = this.ring[this.ringStart];
      this.ring[this.ringStart] = undefined as unknown as CacheEvent;
      this.ringStart++;
      if (dropped) this.ringFrom = dropped.rev;
      if (this.ringStart > this.opts.capacity) {
        this.ring = this.ring.slice(this.ringStart);
        this.ringStart = 0;
      }
    }
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.opts.onError?.(err);
    // Lost the store watch (compaction or backend failure): every subscriber may have missed
    // events, so close them all; their clients re-watch and, if too old, relist.
    for (const s of this.subscribers) s.onClose(new ApiError('Expired', `watch cache restarted: ${err.message}`));
    this.subscribers.clear();
    void this.restartAfter(this.rev).catch((e: unknown) => this.opts.onError?.(e instanceof Error ? e : new Error(String(e))));
  }

  private async restartAfter(rev: number): Promise<void> {
    this.storeWatch?.cancel();
    const listed = await this.store.list(REGISTRY_PREFIX);
    this.byResource.clear();
    this.sortedKeys.clear();
    for (const kv of listed.items) this.put(decode(kv.key, kv.value, kv.modRevision));
    this.rev = Math.max(rev, listed.revision);
    this.ring = [];
    this.ringStart = 0;
    this.ringFrom = this.rev;
    this.storeWatch = this.store.watch(REGISTRY_PREFIX, {
      afterRevision: listed.revision,
      onEvents: (events) => {
        for (const ev of events) this.apply(ev);
      },
      onError: (err) => this.fail(err),
    });
  }
}
