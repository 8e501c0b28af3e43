// The narrow store interface every backend implements (SQLite by default, etcd for HA).
// Values are opaque strings (JSON of API objects). Revisions are one global, monotonically
// increasing counter, as in etcd: every successful write gets a new revision.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created the key (its current incarnation). */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
}

export interface StoreEvent {
  type: 'put' | 'delete';
  key: string;
  /** New value for a put; the last value before deletion for a delete. */
  value: string;
  /** Value before this write, when there was one. */
  prevValue?: string;
  /** Revision of this write. */
  revision: number;
  createRevision: number;
}

export interface ListOptions {
  /** Read at this revision (0 or absent: current). Fails with StoreError 'Compacted' if older than compaction. */
  revision?: number;
  /** Only keys strictly greater than this one (pagination). */
  afterKey?: string;
  /** At most this many items (0 or absent: no limit). */
  limit?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the result short. */
  more: boolean;
}

export interface WatchOptions {
  /** Deliver events with revision strictly greater than this. */
  afterRevision: number;
  onEvents: (events: StoreEvent[]) => void;
  /** The watch ended abnormally (compacted start, backend failure); it delivers nothing more. */
  onError: (err: StoreError) => void;
}

export interface Watch {
  cancel(): void;
}

export type StoreErrorCode = 'KeyExists' | 'NotFound' | 'RevisionMismatch' | 'Compacted' | 'Unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For RevisionMismatch: the current state of the key, if it still exists. */
  readonly current: KeyValue | undefined;
  constructor(code: StoreErrorCode, message: string, current?: KeyValue) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.current = current;
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}

export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, sorted by key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with 'KeyExists' when the key exists. Returns the new revision. */
  create(key: string, value: string): Promise<number>;
  /** Fails with 'NotFound' or 'RevisionMismatch' (modRevision differs). Returns the new revision. */
  update(key: string, value: string, expectedModRevision: number): Promise<number>;
  /** Fails with 'NotFound' or 'RevisionMismatch'. Returns the revision of the deletion. */
  delete(key: string, expectedModRevision: number): Promise<number>;
  /** Events under `prefix` after a revision, in revision order, without gaps or duplicates. */
  watch(prefix: string, opts: WatchOptions): Watch;
  currentRevision(): Promise<number>;
  /** Forget history at or before `revision` (current values are kept). */
  compact(revision: number): Promise<void>;
  /** Oldest revision a watch may start after (history before it is compacted). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}
