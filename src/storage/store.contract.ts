// The one contract every Store backend runs (SQLite, etcd). Backend-neutral on purpose: a backend
// may share its revision counter with other data (etcd), so tests use a fresh key prefix each and
// only assume revisions strictly increase, not that they start at 1 or step by one.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError, type Store, type StoreError, type StoreErrorCode, type StoreEvent } from './store.js';

export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const WAIT_MS = 5000;
let prefixes = 0;

export function runStoreContract(name: string, open: OpenStore): void {
  /** A test against a freshly opened store and a key prefix no other test uses. */
  function check(title: string, fn: (store: Store, p: string) => Promise<void>): void {
    it(title, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store, `/contract/${process.pid}-${Date.now()}-${++prefixes}/`);
      } finally {
        await cleanup();
      }
    });
  }

  describe(`Store contract: ${name}`, () => {
    check('get/create/update/delete and their errors', async (s, p) => {
      const k = `${p}k`;
      assert.equal(await s.get(k), undefined);
      const r1 = await s.create(k, 'v1');
      assert.deepEqual(await s.get(k), { key: k, value: 'v1', createRevision: r1, modRevision: r1 });
      await rejectsWith(s.create(k, 'again'), 'KeyExists');

      const mismatch = await rejectsWith(s.update(k, 'v2', r1 - 1), 'RevisionMismatch');
      assert.deepEqual(mismatch.current, { key: k, value: 'v1', createRevision: r1, modRevision: r1 });
      const before = await s.currentRevision();
      await rejectsWith(s.update(`${p}missing`, 'x', r1), 'NotFound');
      await rejectsWith(s.update(`${p}missing`, 'x', 0), 'NotFound');
      await rejectsWith(s.delete(`${p}missing`, 0), 'NotFound');
      assert.equal(await s.currentRevision(), before, 'failed writes must not consume revisions');
      assert.equal(await s.get(`${p}missing`), undefined, 'update with expected revision 0 must not create');

      const r2 = await s.update(k, 'v2', r1);
      assert.ok(r2 > r1, `update revision ${r2} must exceed ${r1}`);
      assert.deepEqual(await s.get(k), { key: k, value: 'v2', createRevision: r1, modRevision: r2 });

      const delMismatch = await rejectsWith(s.delete(k, r1), 'RevisionMismatch');
      assert.equal(delMismatch.current?.modRevision, r2);
      const r3 = await s.delete(k, r2);
      assert.ok(r3 > r2);
      assert.equal(await s.get(k), undefined);
      await rejectsWith(s.update(k, 'v3', r2), 'NotFound');
      await rejectsWith(s.delete(k, r3), 'NotFound');

      // A re-created key is a new incarnation: its createRevision starts over.
      const r4 = await s.create(k, 'v4');
      assert.deepEqual(await s.get(k), { key: k, value: 'v4', createRevision: r4, modRevision: r4 });
    });

    check('every write gets a strictly greater revision and currentRevision follows it', async (s, p) => {
      let last = await s.currentRevision();
      const writes: Array<() => Promise<number>> = [
        () => s.create(`${p}a`, '1'),
        () => s.create(`${p}b`, '1'),
        async () => s.update(`${p}a`, '2', await modOf(s, `${p}a`)),
        async () => s.delete(`${p}b`, await modOf(s, `${p}b`)),
      ];
      for (const write of writes) {
        const rev = await write();
        assert.ok(rev > last, `revision ${rev} must exceed the previous ${last}`);
        assert.equal(await s.currentRevision(), rev);
        last = rev;
      }
    });

    check('list returns keys under the prefix sorted by key', async (s, p) => {
      const names = ['m', 'b', 'z', 'a/x', 'a', 'c'];
      const revs = new Map<string, number>();
      for (const n of names) revs.set(`${p}${n}`, await s.create(`${p}${n}`, `v-${n}`));
      await s.create(`${p.slice(0, -1)}-other`, 'outside the prefix');
      const res = await s.list(p);
      assert.deepEqual(
        res.items.map((i) => i.key),
        [...revs.keys()].sort(),
      );
      for (const item of res.items) {
        assert.equal(item.modRevision, revs.get(item.key));
        assert.equal(item.createRevision, revs.get(item.key));
        assert.equal(item.value, `v-${item.key.slice(p.length)}`);
      }
      assert.equal(res.more, false);
      assert.equal(res.revision, await s.currentRevision());
    });

    check('list at an older revision sees the old state', async (s, p) => {
      const ra = await s.create(`${p}a`, 'a1');
      const rb = await s.create(`${p}b`, 'b1');
      const old = await s.currentRevision();
      await s.update(`${p}a`, 'a2', ra);
      await s.delete(`${p}b`, rb);
      await s.create(`${p}c`, 'c1');

      const then = await s.list(p, { revision: old });
      assert.equal(then.revision, old);
      assert.deepEqual(
        then.items.map((i) => [i.key, i.value]),
        [
          [`${p}a`, 'a1'],
          [`${p}b`, 'b1'],
        ],
      );
      const now = await s.list(p);
      assert.deepEqual(
        now.items.map((i) => [i.key, i.value]),
        [
          [`${p}a`, 'a2'],
          [`${p}c`, 'c1'],
        ],
      );
      const future = await s.list(p, { revision: now.revision + 1000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isStoreError(future), `a list in the future must fail with a StoreError, got ${String(future)}`);
    });

    check('paginates with afterKey and limit at one revision', async (s, p) => {
      const keys = ['1', '2', '3', '4', '5', '6', '7'].map((n) => `${p}${n}`);
      for (const k of keys) await s.create(k, 'v');
      const first = await s.list(p, { limit: 3 });
      assert.deepEqual(
        first.items.map((i) => i.key),
        keys.slice(0, 3),
      );
      assert.equal(first.more, true);
      // Writes between pages must not show up: later pages read at the first page's revision.
      await s.create(`${p}45`, 'late');
      await s.delete(`${p}6`, await modOf(s, `${p}6`));
      const pages = [first];
      for (let last = first; last.more;) {
        const afterKey = last.items[last.items.length - 1]?.key;
        last = await s.list(p, { revision: first.revision, afterKey, limit: 3 });
        assert.equal(last.revision, first.revision);
        pages.push(last);
      }
      assert.deepEqual(
        pages.map((pg) => [pg.items.length, pg.more]),
        [
          [3, true],
          [3, true],
          [1, false],
        ],
      );
      assert.deepEqual(
        pages.flatMap((pg) => pg.items.map((i) => i.key)),
        keys,
      );
      const exact = await s.list(p, { revision: first.revision, limit: keys.length });
      assert.equal(exact.more, false, 'more must be false when the limit is exactly the remaining count');
    });

    check('watch replays exactly the history after a revision, then continues live', async (s, p) => {
      const start = await s.currentRevision();
      const acked: number[] = [];
      const ra = await s.create(`${p}a`, 'a1');
      acked.push(ra);
      acked.push(await s.create(`${p}b`, 'b1'));
      await s.create(`${p.slice(0, -1)}x/other`, 'not watched');
      const ra2 = await s.update(`${p}a`, 'a2', ra);
      acked.push(ra2);
      acked.push(await s.delete(`${p}a`, ra2));

      const all = collect(s, p, start);
      const tail = collect(s, p, ra); // starts mid-history
      await all.until(4);
      await tail.until(3);
      acked.push(await s.create(`${p}a`, 'a3'));
      acked.push(await s.create(`${p}c`, 'c1'));
      await all.until(6);
      await tail.until(5);
      await sleep(50); // would let a duplicate arrive
      all.cancel();
      tail.cancel();

      assert.deepEqual(
        all.events.map((e) => e.revision),
        acked,
        'replay + live must be the writes, in order',
      );
      assert.deepEqual(
        tail.events.map((e) => e.revision),
        acked.slice(1),
      );
      assert.deepEqual(
        all.events.map((e) => [e.type, e.key.slice(p.length), e.value, e.prevValue]),
        [
          ['put', 'a', 'a1', undefined],
          ['put', 'b', 'b1', undefined],
          ['put', 'a', 'a2', 'a1'],
          ['delete', 'a', 'a2', 'a2'],
          ['put', 'a', 'a3', undefined],
          ['put', 'c', 'c1', undefined],
        ],
      );
      assert.deepEqual(
        all.events.map((e) => e.createRevision),
        [ra, acked[1], ra, ra, acked[4], acked[5]],
      );
    });

    check('a watch after a future revision delivers only the writes after it', async (s, p) => {
      const after = (await s.currentRevision()) + 2;
      const w = collect(s, p, after);
      const acked: number[] = [];
      for (const k of ['a', 'b', 'c', 'd']) acked.push(await s.create(`${p}${k}`, k));
      const expected = acked.filter((r) => r > after);
      await w.until(expected.length);
      await sleep(50);
      w.cancel();
      assert.deepEqual(
        w.events.map((e) => e.revision),
        expected,
      );
    });

    check('delete events carry the last value and puts carry prevValue', async (s, p) => {
      const w = collect(s, p, await s.currentRevision());
      const r1 = await s.create(`${p}k`, 'one');
      const r2 = await s.update(`${p}k`, 'two', r1);
      await s.delete(`${p}k`, r2);
      await w.until(3);
      w.cancel();
      const [create, update, del] = w.events;
      assert.equal(create?.prevValue, undefined, 'a create has no previous value');
      assert.deepEqual([update?.value, update?.prevValue], ['two', 'one']);
      assert.deepEqual([del?.type, del?.value, del?.createRevision], ['delete', 'two', r1]);
    });

    check('isolates prefixes: /a/ does not see /ab/', async (s, p) => {
      const from = await s.currentRevision();
      await s.create(`${p}a/1`, 'in');
      await s.create(`${p}ab/1`, 'out');
      await s.create(`${p}a`, 'out');
      const rIn = await s.create(`${p}a/2`, 'in');
      assert.deepEqual(
        (await s.list(`${p}a/`)).items.map((i) => i.key),
        [`${p}a/1`, `${p}a/2`],
      );
      const w = collect(s, `${p}a/`, from);
      await w.until(2);
      await s.create(`${p}ab/2`, 'out');
      const rLast = await s.create(`${p}a/3`, 'in');
      await w.until(3);
      w.cancel();
      assert.deepEqual(
        w.events.map((e) => e.key),
        [`${p}a/1`, `${p}a/2`, `${p}a/3`],
      );
      assert.ok(w.events[1]?.revision === rIn && w.events[2]?.revision === rLast);
    });

    check('compaction: older reads and watches fail with Compacted, current values stay', async (s, p) => {
      const r1 = await s.create(`${p}k`, 'v1');
      const gone = await s.create(`${p}gone`, 'x');
      const r2 = await s.update(`${p}k`, 'v2', r1);
      await s.delete(`${p}gone`, gone);
      const r3 = await s.update(`${p}k`, 'v3', r2);
      await s.create(`${p}kept`, 'kept');
      const at = await s.currentRevision();
      const r4 = await s.update(`${p}k`, 'v4', r3);

      await s.compact(at);
      assert.equal(await s.compactedRevision(), at);
      await s.compact(at - 1); // compacting to an older revision is a no-op
      assert.equal(await s.compactedRevision(), at);

      await rejectsWith(s.list(p, { revision: r2 }), 'Compacted');
      const atCompaction = await s.list(p, { revision: at });
      assert.deepEqual(
        atCompaction.items.map((i) => [i.key.slice(p.length), i.value]),
        [
          ['k', 'v3'],
          ['kept', 'kept'],
        ],
      );
      assert.deepEqual(
        (await s.list(p)).items.map((i) => [i.key.slice(p.length), i.value]),
        [
          ['k', 'v4'],
          ['kept', 'kept'],
        ],
      );
      assert.deepEqual(await s.get(`${p}k`), { key: `${p}k`, value: 'v4', createRevision: r1, modRevision: r4 });

      const old = collect(s, p, r1);
      const err = await old.failure();
      assert.equal(err.code, 'Compacted');
      assert.equal(old.events.length, 0, 'a compacted watch delivers nothing');

      const fromCompaction = collect(s, p, at);
      await fromCompaction.until(1);
      const r5 = await s.update(`${p}k`, 'v5', r4);
      await fromCompaction.until(2);
      fromCompaction.cancel();
      assert.deepEqual(
        fromCompaction.events.map((e) => [e.revision, e.value, e.prevValue]),
        [
          [r4, 'v4', 'v3'],
          [r5, 'v5', 'v4'],
        ],
      );
    });

    check('200 concurrent creates get distinct revisions, all seen in order by a watcher', async (s, p) => {
      const n = 200;
      const w = collect(s, p, await s.currentRevision());
      const revs = await Promise.all(Array.from({ length: n }, (_, i) => s.create(`${p}${i}`, String(i))));
      assert.equal(new Set(revs).size, n, 'revisions must be distinct');
      await w.until(n);
      w.cancel();
      const sorted = [...revs].sort((a, b) => a - b);
      assert.deepEqual(
        w.events.map((e) => e.revision),
        sorted,
        'watch must see every write once, in revision order',
      );
      for (const e of w.events) assert.equal(revs[Number(e.key.slice(p.length))], e.revision);
      assert.equal((await s.list(p)).items.length, n);
    });

    check('cancel stops delivery', async (s, p) => {
      const from = await s.currentRevision();
      await s.create(`${p}a`, '1');
      // Cancelled before its replay was delivered: nothing may arrive.
      const early = collect(s, p, from);
      early.cancel();

      const w = collect(s, p, from);
      await w.until(1);
      w.cancel();
      await s.create(`${p}b`, '2');
      await s.create(`${p}c`, '3');
      await sleep(100);
      assert.equal(w.events.length, 1, `expected no events after cancel, saw ${w.events.length - 1}`);
      assert.equal(
        early.events.length,
        0,
        `expected nothing for a watch cancelled at once, saw ${early.events.length}`,
      );
      assert.equal(w.error ?? early.error, undefined);
    });
  });
}

interface Collector {
  readonly events: StoreEvent[];
  readonly error: StoreError | undefined;
  /** Resolves once at least n events arrived; fails with what was seen after WAIT_MS. */
  until(n: number): Promise<void>;
  /** Resolves with the error the watch ended with; fails if it delivers events instead. */
  failure(): Promise<StoreError>;
  cancel(): void;
}

/** Watches and records; also checks each batch is non-empty and ordered. */
export function collect(store: Store, prefix: string, afterRevision: number): Collector {
  const events: StoreEvent[] = [];
  let error: StoreError | undefined;
  // Recorded, not thrown: a throw inside the backend's callback would land outside the test.
  const problems: string[] = [];
  const w = store.watch(prefix, {
    afterRevision,
    onEvents: (batch) => {
      if (batch.length === 0) problems.push('onEvents was called with an empty batch');
      for (const e of batch) {
        const last = events[events.length - 1]?.revision ?? afterRevision;
        if (e.revision <= last) problems.push(`event ${e.key}@${e.revision} arrived after revision ${last}`);
        events.push(e);
      }
    },
    onError: (e) => {
      error = e;
    },
  });
  const poll = async (done: () => boolean, what: () => string): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    while (!done()) {
      assert.deepEqual(problems, [], 'watch delivery');
      if (Date.now() > deadline) assert.fail(what());
      await sleep(5);
    }
  };
  return {
    events,
    get error() {
      return error;
    },
    until: (n) =>
      poll(
        () => events.length >= n || error !== undefined,
        () => `expected ${n} events on ${prefix} after ${afterRevision}, saw ${events.length}: ${revisions(events)}`,
      ).then(() => {
        assert.deepEqual(problems, [], 'watch delivery');
        if (error) assert.fail(`watch failed after ${events.length} events: ${error.code}: ${error.message}`);
      }),
    failure: async () => {
      await poll(
        () => error !== undefined || events.length > 0,
        () => `expected the watch after ${afterRevision} to fail, it is still open`,
      );
      if (!error) assert.fail(`expected the watch to fail, it delivered ${revisions(events)}`);
      return error;
    },
    cancel: () => w.cancel(),
  };
}

async function modOf(s: Store, key: string): Promise<number> {
  const kv = await s.get(key);
  assert.ok(kv, `expected ${key} to exist`);
  return kv.modRevision;
}

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    if (isStoreError(e, code)) return e;
    assert.fail(`expected StoreError ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  assert.fail(`expected StoreError ${code}, but the call succeeded`);
}

function revisions(events: StoreEvent[]): string {
  return `[${events.map((e) => `${e.type} ${e.key}@${e.revision}`).join(', ')}]`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
