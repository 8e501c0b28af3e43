import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { WorkQueue } from './workqueue.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const clock = new FakeClock();
  return { clock, q: new WorkQueue({ clock }) };
}

describe('WorkQueue', () => {
  it('hands keys out in FIFO order and merges adds of a queued key', async () => {
    const { q } = setup();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  it('never hands out a key being processed; an add meanwhile re-queues it at done()', async () => {
    const { q } = setup();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    q.add('b');
    assert.equal(await q.get(), 'b');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.len(), 0, 'processed once for both adds');
  });

  it('get() waits for an add; each waiter gets a different key', async () => {
    const { q } = setup();
    const got: (string | undefined)[] = [];
    const w1 = q.get().then((k) => got.push(k));
    const w2 = q.get().then((k) => got.push(k));
    await flush();
    assert.deepEqual(got, []);
    q.add('x');
    q.add('x');
    q.add('y');
    await Promise.all([w1, w2]);
    assert.deepEqual(got, ['x', 'y']);
  });

  it('shutDown resolves waiting and later get() with undefined and ignores later adds', async () => {
    const { clock, q } = setup();
    const waiting = q.get();
    q.addAfter('later', 10);
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('a');
    assert.equal(await q.get(), undefined);
    assert.equal(q.len(), 0);
    assert.equal(clock.pending(), 0, 'delayed adds are cancelled');
    assert.equal(q.isShuttingDown(), true);
  });

  it('addAfter adds when the clock reaches the delay; an earlier request for the same key wins', async () => {
    const { clock, q } = setup();
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200);
    q.addAfter('now', 0);
    assert.equal(await q.get(), 'now');
    assert.equal(clock.pending(), 1);
    clock.advance(49);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    clock.advance(1000);
    assert.equal(q.len(), 0, 'the later requests were merged into the earlier one');
  });

  it('addRateLimited backs off per key from 5 ms, doubling; forget resets', () => {
    const { clock, q } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      q.addRateLimited('a');
      while (q.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      void q.get();
      q.done('a');
    }
    assert.deepEqual(delays, [5, 10, 20, 40]);
    assert.equal(q.numRequeues('a'), 4);
    assert.equal(q.numRequeues('b'), 0);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  it('caps the per-key backoff at 1000 s', () => {
    const { clock, q } = setup();
    for (let i = 0; i < 40; i++) q.forget('x'); // no-op on unknown keys
    for (let i = 0; i < 30; i++) {
      q.addRateLimited('a');
      clock.advance(2_000_000);
      void q.get();
      q.done('a');
    }
    q.addRateLimited('a');
    clock.advance(999_999);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
  });
});
