// A read-only cache of API objects with secondary indexes: what controllers read instead of the API server.
//
// Objects are frozen on the way in, and the same frozen object is handed to every reader, so a consumer that
// mutates a cached object (a classic controller bug: the next reader sees a state the server never had) throws.
// Freezing choice:
//   'shallow' (default, production): Object.freeze on the top level only. O(1) per object, catches
//             `obj.spec = ...` / `obj.status = ...`, which is how most accidental mutation starts.
//   'deep'    (tests): every nested object and array too, so `obj.metadata.labels.x = 'y'` throws. O(size) per
//             object, which is why production does not pay it.
//   'none'    : nothing frozen (for callers that freeze or copy themselves).
// Callers that need to change an object copy it first (structuredClone) and write the copy through the client.

import { isObject, type KubeObject } from '../api/meta.js';

export type FreezeMode = 'none' | 'shallow' | 'deep';

/** Maps an object to the index values it should be found under (none: not in this index). */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

/** The read side of the cache: all that informer consumers get. */
export interface Indexer<T extends KubeObject> {
  /** By key: `namespace/name`, or `name` for cluster-scoped objects. */
  get(key: string): T | undefined;
  /** A fresh array of every object (in no particular order). */
  list(): T[];
  keys(): string[];
  /** Objects whose index function `indexName` returned `value`. Throws if no such index exists. */
  byIndex(indexName: string, value: string): T[];
  readonly size: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key of caches, queues and expectations. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Namespaced objects by namespace; cluster-scoped objects are not indexed. */
export const byNamespace: IndexFunc<KubeObject> = (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);

/** Pods (or anything with `spec.nodeName`) by the node they are bound to; unbound ones are not indexed. */
export const byNodeName: IndexFunc<KubeObject> = (obj) => {
  const nodeName = isObject(obj.spec) ? obj.spec['nodeName'] : undefined;
  return typeof nodeName === 'string' && nodeName !== '' ? [nodeName] : [];
};

/** Objects by the uid of every owner reference (controller or not). */
export const byOwnerUid: IndexFunc<KubeObject> = (obj) => (obj.metadata.ownerReferences ?? []).map((r) => r.uid);

export function freezeObject<T>(obj: T, mode: FreezeMode): T {
  if (mode === 'shallow') return Object.freeze(obj);
  if (mode === 'deep') deepFreeze(obj);
  return obj;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

export interface StoreOptions<T extends KubeObject> {
  indexers?: Record<string, IndexFunc<T>>;
  freeze?: FreezeMode;
}

/** The writable cache behind an Indexer. Only the informer writes; everyone else sees the Indexer. */
export class Store<T extends KubeObject> implements Indexer<T> {
  readonly freeze: FreezeMode;
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** indexName → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(opts: StoreOptions<T> = {}) {
    this.freeze = opts.freeze ?? 'shallow';
    this.addIndexers(opts.indexers ?? {});
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`store: no index named "${indexName}"`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /**
   * Add indexes; allowed at any time (existing objects are indexed now). Registering the same function under
   * the same name again is a no-op, so several controllers sharing an informer can each ask for `byNamespace`.
   */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`store: index "${name}" already exists with a different function`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
    }
  }

  /** Insert or replace by objectKey; returns the (frozen) stored object. */
  upsert(obj: T): T {
    const key = objectKey(obj);
    const frozen = freezeObject(obj, this.freeze);
    const old = this.items.get(key);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name);
      if (!index) continue;
      if (old) removeFromIndex(index, fn(old), key);
      addToIndex(index, fn(frozen), key);
    }
    this.items.set(key, frozen);
    return frozen;
  }

  /** Remove by key; returns what was stored, if anything. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name);
      if (index) removeFromIndex(index, fn(old), key);
    }
    this.items.delete(key);
    return old;
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    let keys = index.get(v);
    if (!keys) index.set(v, (keys = new Set()));
    keys.add(key);
  }
}

function removeFromIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const v of values) {
    const keys = index.get(v);
    if (!keys) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(v);
  }
}
