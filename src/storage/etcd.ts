// etcd backend. The interface was modelled on etcd, so the mapping is direct: global revisions are
// etcd's revisions, conditional writes are single transactions, and a watch is an etcd watch with
// prev_kv. See README.md ("etcd") for the full mapping.

import {
  CompareResult,
  CompareTarget,
  Etcd3,
  type ICompare,
  type IDuplexStream,
  type IEvent,
  type IKeyValue,
  type IRequestOp,
  type ITxnResponse,
  type IWatchRequest,
  type IWatchResponse,
} from 'etcd3';
import { Backoff } from '../util/backoff.js';
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

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
}

/**
 * etcd does not report its compaction revision except inside a failed watch, so compact() records it
 * here. The key sits under /registry/ (no API resource maps to it) so that every revision the store
 * writes is seen by a /registry/ watch: the watch cache waits for revisions to reach it.
 */
const COMPACTED_KEY = '/registry/minik8s.io/compacted';

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  /** Highest compaction revision seen in this process (from compact() or a watch's compact_revision). */
  private compactRev = 0;
  /** Open watches, cancelled on close() so none keeps reconnecting to a closed client. */
  private readonly watches = new Set<Watch>();

  constructor(opts: EtcdStoreOptions) {
    this.client = new Etcd3({
      hosts: opts.endpoints,
      // Without keepalive a watch on a silently dead connection (host gone, no RST) waits forever.
      // etcd refuses pings more often than every 5 s; these are the API server's own settings.
      grpcOptions: { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 },
    });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv && toKv(kv);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const [start, end] = prefixRange(prefix);
    let key = start;
    if (opts.afterKey !== undefined) {
      // The smallest key strictly greater than afterKey is afterKey + "\0".
      const after = Buffer.concat([Buffer.from(opts.afterKey), Buffer.from([0])]);
      if (Buffer.compare(after, key) > 0) key = after;
    }
    const revision = opts.revision && opts.revision > 0 ? opts.revision : 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const res = await this.call(() => this.client.kv.range({ key, range_end: end, revision, limit }));
    // The header carries the current revision even for a read at an older one.
    return { items: res.kvs.map(toKv), revision: revision || Number(res.header.revision), more: res.more };
  }

  async create(key: string, value: string): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.txn(
      [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      { request_put: { key: k, value: Buffer.from(value) } },
      k,
    );
    if (res.succeeded) return Number(res.header.revision);
    throw new StoreError('KeyExists', `key ${key} exists`, currentOf(res));
  }

  update(key: string, value: string, expectedModRevision: number): Promise<number> {
    const k = Buffer.from(key);
    return this.guarded(key, expectedModRevision, { request_put: { key: k, value: Buffer.from(value) } });
  }

  delete(key: string, expectedModRevision: number): Promise<number> {
    return this.guarded(key, expectedModRevision, { request_delete_range: { key: Buffer.from(key) } });
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    const w: EtcdWatch = new EtcdWatch(prefix, {
      ...opts,
      onError: (err) => {
        this.watches.delete(w);
        opts.onError(err);
      },
      open: () => this.client.watchClient.watch(),
      onCompacted: (rev) => this.noteCompacted(rev),
    });
    this.watches.add(w);
    return {
      cancel: () => {
        this.watches.delete(w);
        w.cancel();
      },
    };
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(COMPACTED_KEY), count_only: true }));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    const target = Math.min(revision, await this.currentRevision());
    if (target <= (await this.compactedRevision())) return;
    try {
      // physical: return only once the old revisions are gone from the backend.
      await this.call(() => this.client.kv.compact({ revision: target, physical: true }));
    } catch (e) {
      // Someone compacted further already: that is the state we asked for.
      if (!(e instanceof StoreError && e.code === 'Compacted')) throw e;
    }
    this.noteCompacted(target);
    await this.recordCompacted(target);
  }

  async compactedRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(COMPACTED_KEY) }));
    const kv = res.kvs[0];
    return Math.max(this.compactRev, kv ? Number(kv.value.toString()) : 0);
  }

  close(): Promise<void> {
    for (const w of this.watches) w.cancel();
    this.watches.clear();
    this.client.close();
    return Promise.resolve();
  }

  private noteCompacted(revision: number): void {
    this.compactRev = Math.max(this.compactRev, revision);
  }

  /** update/delete: succeed only if the key exists at exactly expectedModRevision. */
  private async guarded(key: string, expected: number, op: IRequestOp): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.txn(
      [
        { key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expected },
        // A missing key has mod_revision 0; without this, update(k, v, 0) would create k.
        { key: k, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 },
      ],
      op,
      k,
    );
    if (res.succeeded) return Number(res.header.revision);
    const cur = currentOf(res);
    if (!cur) throw new StoreError('NotFound', `key ${key} not found`);
    throw new StoreError('RevisionMismatch', `key ${key} is at revision ${cur.modRevision}, not ${expected}`, cur);
  }

  /** One round trip: on failure the response carries the key's current state. */
  private txn(compare: ICompare[], success: IRequestOp, key: Buffer): Promise<ITxnResponse> {
    return this.call(() => this.client.kv.txn({ compare, success: [success], failure: [{ request_range: { key } }] }));
  }

  private async recordCompacted(revision: number): Promise<void> {
    const key = Buffer.from(COMPACTED_KEY);
    // Compare-and-swap so two compactors racing never move the recorded revision backwards.
    for (;;) {
      const res = await this.call(() => this.client.kv.range({ key }));
      const kv = res.kvs[0];
      if (kv && Number(kv.value.toString()) >= revision) return;
      const swapped = await this.call(() =>
        this.client.kv.txn({
          compare: [
            { key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: kv?.mod_revision ?? 0 },
          ],
          success: [{ request_put: { key, value: Buffer.from(String(revision)) } }],
        }),
      );
      if (swapped.succeeded) return;
    }
  }

  /** Translate the client's errors into StoreError codes callers can match on. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(e);
    }
  }
}

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

interface EtcdWatchOptions extends WatchOptions {
  open: () => Promise<WatchStream>;
  /** Tells the store a compaction revision etcd reported. */
  onCompacted: (revision: number) => void;
}

/**
 * One watch on its own gRPC stream. The etcd3 package has a resilient watcher, but it resumes from the
 * header revision of the last response (which, during a replay, can be past events not yet delivered)
 * and hides compact_revision; so we drive the stream ourselves and resume from the last event we delivered.
 */
class EtcdWatch implements Watch {
  /** The revision the next (re)connect asks etcd to start from. */
  private next: number;
  private stream: WatchStream | undefined;
  private stopped = false;
  /** Events of a fragmented response, held until its last fragment arrives. */
  private fragments: StoreEvent[] = [];
  private readonly backoff = new Backoff({ initialMs: 50, maxMs: 2000, jitter: 0.2 });
  private readonly range: [Buffer, Buffer];

  constructor(
    prefix: string,
    private readonly opts: EtcdWatchOptions,
  ) {
    this.next = opts.afterRevision + 1;
    this.range = prefixRange(prefix);
    void this.connect();
  }

  cancel(): void {
    this.stopped = true;
    this.close();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let s: WatchStream;
    try {
      s = await this.opts.open();
    } catch {
      this.retry();
      return;
    }
    if (this.stopped) return endStream(s);
    this.stream = s;
    this.fragments = [];
    s.on('data', (res) => {
      if (this.stream === s) this.receive(res);
    });
    const lost = (): void => {
      if (this.stream !== s) return;
      this.close();
      this.retry();
    };
    s.on('error', lost);
    s.on('end', lost);
    const [key, range_end] = this.range;
    // start_revision 0 would mean "from now"; afterRevision -1 is not a meaningful request, so clamp to 1.
    const start_revision = Math.max(1, this.next);
    s.write({ create_request: { key, range_end, start_revision, prev_kv: true, fragment: true } });
  }

  private receive(res: IWatchResponse): void {
    if (this.stopped) return;
    const compactedAt = Number(res.compact_revision);
    if (compactedAt > 0) {
      this.opts.onCompacted(compactedAt);
      return this.fail(
        new StoreError('Compacted', `revision ${this.next - 1} has been compacted (compacted at ${compactedAt})`),
      );
    }
    if (res.canceled) return this.fail(new StoreError('Unavailable', `etcd canceled the watch: ${res.cancel_reason}`));
    this.backoff.reset();
    // After a reconnect etcd may resend what we already delivered; drop it so nothing repeats.
    for (const ev of res.events) {
      const e = toEvent(ev);
      if (e.revision >= this.next) this.fragments.push(e);
    }
    if (res.fragment || this.fragments.length === 0) return;
    const batch = this.fragments;
    this.fragments = [];
    const last = batch[batch.length - 1];
    if (last) this.next = last.revision + 1;
    this.opts.onEvents(batch);
  }

  private fail(err: StoreError): void {
    this.stopped = true;
    this.close();
    this.opts.onError(err);
  }

  private retry(): void {
    if (this.stopped) return;
    // unref: a watch waiting to reconnect should not by itself keep the process alive.
    setTimeout(() => void this.connect(), this.backoff.next()).unref();
  }

  private close(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) endStream(s);
  }
}

/**
 * Half-close before cancelling: etcd3 marks the host failed (dropping its connections) when a
 * still-writable stream errors, and cancelling makes the stream error with CANCELLED.
 */
function endStream(s: WatchStream): void {
  s.on('error', () => undefined);
  s.end();
  s.cancel();
}

/** etcd's prefix convention: [prefix, prefix with its last byte below 0xff incremented). */
function prefixRange(prefix: string): [Buffer, Buffer] {
  const p = Buffer.from(prefix);
  for (let i = p.length - 1; i >= 0; i--) {
    const b = p[i];
    if (b !== undefined && b < 0xff) {
      const end = Buffer.from(p.subarray(0, i + 1));
      end[i] = b + 1;
      return [p, end];
    }
  }
  // Empty prefix: every key. etcd rejects an empty key, and range_end "\0" means "to the end".
  return [p.length ? p : Buffer.from([0]), Buffer.from([0])];
}

function toKv(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
}

function currentOf(res: ITxnResponse): KeyValue | undefined {
  const kv = res.responses[0]?.response_range.kvs[0];
  return kv && toKv(kv);
}

function toEvent(ev: IEvent): StoreEvent {
  // prev_kv is null when the key had no previous version (a create).
  const prev = ev.prev_kv as IKeyValue | null;
  const revision = Number(ev.kv.mod_revision);
  const key = ev.kv.key.toString();
  if (ev.type === 'Delete') {
    // A delete's kv is a tombstone (no value, create_revision 0); the last state is in prev_kv.
    const value = prev ? prev.value.toString() : '';
    return {
      type: 'delete',
      key,
      value,
      prevValue: value,
      revision,
      createRevision: Number(prev?.create_revision ?? 0),
    };
  }
  const e: StoreEvent = {
    type: 'put',
    key,
    value: ev.kv.value.toString(),
    revision,
    createRevision: Number(ev.kv.create_revision),
  };
  if (prev) e.prevValue = prev.value.toString();
  return e;
}

function toStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  // etcd reports a compacted and a future revision both as gRPC OutOfRange; its own Go client tells
  // them apart by this text too.
  if (msg.includes('required revision has been compacted')) return new StoreError('Compacted', msg);
  return new StoreError('Unavailable', msg);
}
