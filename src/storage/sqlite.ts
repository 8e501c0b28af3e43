// Embedded SQLite store: an append-only revision log in the spirit of kine.
// Every write appends one row whose id is the new global revision; the current value of
// a key is its newest row unless that row is a deletion. Compaction removes rows that
// have been superseded at or before the compaction revision. See README.md.

import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import {
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type Watch,
  type WatchOptions,
} from './store.js';

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

interface Watcher {
  prefix: string;
  opts: WatchOptions;
  /** Events are delivered asynchronously, in order, batched per tick. */
  pending: StoreEvent[];
  scheduled: boolean;
  cancelled: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
`;

function prefixEnd(prefix: string): string {
  // The smallest string greater than every string starting with prefix.
  return prefix + '\uffff';
}

export class SqliteStore implements Store {
  private readonly db: Db;
  private rev: number;
  private compactRev: number;
  private readonly watchers = new Set<Watcher>();
  private readonly st: {
    latest: Statement<[string], Row>;
    insert: Statement<[number, string, number, number, number, number, string]>;
    listAt: Statement<[string, string, string, number, number], Row>;
    since: Statement<[number, string, string], Row>;
    prevValue: Statement<[number], { value: string }>;
    setMeta: Statement<[string, number]>;
  };

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an OS
    // crash may lose the last transactions. FULL costs an fsync per write.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.st = {
      latest: this.db.prepare('SELECT * FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1'),
      insert: this.db.prepare(
        'INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // Newest row per key at or before a revision, keys after a cursor, skipping deletions.
      // Correlated form: the index walk stops at the page limit instead of grouping every later key.
      listAt: this.db.prepare(
        `SELECT kv.* FROM kv
         WHERE kv.name >= ? AND kv.name < ? AND kv.name > ?
           AND kv.id = (SELECT MAX(k2.id) FROM kv k2 WHERE k2.name = kv.name AND k2.id <= ?)
           AND kv.deleted = 0
         ORDER BY kv.name LIMIT ?`,
      ),
      since: this.db.prepare('SELECT * FROM kv WHERE id > ? AND name >= ? AND name < ? ORDER BY id'),
      prevValue: this.db.prepare('SELECT value FROM kv WHERE id = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
    };
    const maxRow = this.db.prepare('SELECT MAX(id) AS m FROM kv').get() as { m: number | null };
    const metaRev = this.db.prepare("SELECT v FROM meta WHERE k = 'revision'").get() as { v: number } | undefined;
    const compact = this.db.prepare("SELECT v FROM meta WHERE k = 'compacted'").get() as { v: number } | undefined;
    // The revision never goes backwards, even if compaction removed the newest rows' predecessors.
    this.rev = Math.max(maxRow.m ?? 0, metaRev?.v ?? 0);
    this.compactRev = compact?.v ?? 0;
  }

  get(key: string): Promise<KeyValue | undefined> {
    const row = this.st.latest.get(key);
    return Promise.resolve(row && !row.deleted ? toKv(row) : undefined);
  }

  list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.rev;
    if (revision < this.compactRev) return Promise.reject(compacted(revision, this.compactRev));
    if (revision > this.rev) {
      return Promise.reject(new StoreError('Unavailable', `revision ${revision} is in the future (current ${this.rev})`));
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.st.listAt.all(prefix, prefixEnd(prefix), opts.afterKey ?? '', revision, limit === -1 ? -1 : limit + 1);
    const more = limit !== -1 && rows.length > limit;
    if (more) rows.pop();
    return Promise.resolve({ items: rows.map(toKv), revision, more });
  }

  create(key: string, value: string): Promise<number> {
    return this.write(() => {
      const cur = this.st.latest.get(key);
      if (cur && !cur.deleted) throw new StoreError('KeyExists', `key ${key} exists`, toKv(cur));
      const rev = this.rev + 1;
      this.st.insert.run(rev, key, 1, 0, rev, cur?.id ?? 0, value);
      return { type: 'put', key, value, revision: rev, createRevision: rev };
    });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<number> {
    return this.write(() => {
      const cur = this.current(key, expectedModRevision);
      const rev = this.rev + 1;
      this.st.insert.run(rev, key, 0, 0, cur.create_revision, cur.id, value);
      return { type: 'put', key, value, prevValue: cur.value, revision: rev, createRevision: cur.create_revision };
    });
  }

  delete(key: string, expectedModRevision: number): Promise<number> {
    return this.write(() => {
      const cur = this.current(key, expectedModRevision);
      const rev = this.rev + 1;
      this.st.insert.run(rev, key, 0, 1, cur.create_revision, cur.id, cur.value);
      return { type: 'delete', key, value: cur.value, prevValue: cur.value, revision: rev, createRevision: cur.create_revision };
    });
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    const w: Watcher = { prefix, opts, pending: [], scheduled: false, cancelled: false };
    if (opts.afterRevision < this.compactRev) {
      const err = compacted(opts.afterRevision, this.compactRev);
      queueMicrotask(() => opts.onError(err));
      return { cancel: () => undefined };
    }
    // Replay history and subscribe in one synchronous step: no write can slip in between.
    if (opts.afterRevision < this.rev) {
      for (const row of this.st.since.all(opts.afterRevision, prefix, prefixEnd(prefix))) {
        w.pending.push(this.rowEvent(row));
      }
    }
    this.watchers.add(w);
    if (w.pending.length) this.schedule(w);
    return {
      cancel: () => {
        w.cancelled = true;
        this.watchers.delete(w);
      },
    };
  }

  currentRevision(): Promise<number> {
    return Promise.resolve(this.rev);
  }

  compactedRevision(): Promise<number> {
    return Promise.resolve(this.compactRev);
  }

  compact(revision: number): Promise<void> {
    const target = Math.min(revision, this.rev);
    if (target <= this.compactRev) return Promise.resolve();
    this.db.transaction(() => {
      // Drop every row superseded by a newer row of the same key at or before the target,
      // and deletions at or before the target (the key no longer exists there).
      this.db
        .prepare(
          `DELETE FROM kv WHERE id IN (
             SELECT k1.id FROM kv k1 WHERE k1.id <= ? AND (
               k1.deleted = 1 OR EXISTS (SELECT 1 FROM kv k2 WHERE k2.name = k1.name AND k2.id > k1.id AND k2.id <= ?)))`,
        )
        .run(target, target);
      this.st.setMeta.run('compacted', target);
      this.st.setMeta.run('revision', this.rev);
    })();
    this.compactRev = target;
    return Promise.resolve();
  }

  close(): Promise<void> {
    for (const w of this.watchers) w.cancelled = true;
    this.watchers.clear();
    this.db.close();
    return Promise.resolve();
  }

  private current(key: string, expectedModRevision: number): Row {
    const cur = this.st.latest.get(key);
    if (!cur || cur.deleted) throw new StoreError('NotFound', `key ${key} not found`);
    if (cur.id !== expectedModRevision) {
      throw new StoreError('RevisionMismatch', `key ${key} is at revision ${cur.id}, not ${expectedModRevision}`, toKv(cur));
    }
    return cur;
  }

  private write(fn: () => StoreEvent): Promise<number> {
    let ev: StoreEvent;
    try {
      ev = this.db.transaction(fn)();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.rev = ev.revision;
    for (const w of this.watchers) {
      // afterRevision may lie in the future (a revision from elsewhere); deliver only what follows it.
      if (ev.key.startsWith(w.prefix) && ev.revision > w.opts.afterRevision) {
        w.pending.push(ev);
        this.schedule(w);
      }
    }
    return Promise.resolve(ev.revision);
  }

  private schedule(w: Watcher): void {
    if (w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      if (w.cancelled || !w.pending.length) return;
      const batch = w.pending;
      w.pending = [];
      w.opts.onEvents(batch);
    });
  }

  private rowEvent(row: Row): StoreEvent {
    const ev: StoreEvent = {
      type: row.deleted ? 'delete' : 'put',
      key: row.name,
      value: row.value,
      revision: row.id,
      createRevision: row.create_revision,
    };
    if (row.prev_revision && !row.created) {
      const prev = this.st.prevValue.get(row.prev_revision);
      if (prev) ev.prevValue = prev.value;
    }
    return ev;
  }
}

function toKv(row: Row): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

function compacted(asked: number, compactRev: number): StoreError {
  return new StoreError('Compacted', `revision ${asked} has been compacted (compacted at ${compactRev})`);
}
