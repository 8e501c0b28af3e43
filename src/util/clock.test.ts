import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, realClock } from './clock.js';

describe('FakeClock', () => {
  it('runs due timers in due-time order, ties in scheduling order, with now() at each due time', () => {
    const clock = new FakeClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 31);
    assert.equal(clock.pending(), 4);
    clock.advance(30);
    assert.deepEqual(seen, ['a@1010', 'b@1020', 'c@1020']);
    assert.equal(clock.now(), 1030);
    assert.equal(clock.pending(), 1);
    assert.equal(clock.nextDue(), 1031);
  });

  it('fires timers scheduled by a callback within the same advance when they fall due in it', () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
      clock.setTimeout(() => seen.push(clock.now()), 50);
    }, 5);
    clock.advance(10);
    assert.deepEqual(seen, [5, 10]);
    assert.equal(clock.pending(), 1);
  });

  it('treats zero, negative and NaN delays as due now', () => {
    const clock = new FakeClock();
    let n = 0;
    clock.setTimeout(() => n++, 0);
    clock.setTimeout(() => n++, -5);
    clock.setTimeout(() => n++, Number.NaN);
    clock.advance(0);
    assert.equal(n, 3);
  });

  it('clearTimeout cancels, and is a no-op for fired or unknown handles', () => {
    const clock = new FakeClock();
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(h);
    clock.clearTimeout(h);
    clock.clearTimeout({ id: 999 });
    clock.advance(100);
    assert.equal(fired, false);
    assert.equal(clock.pending(), 0);
  });

  it('sleep resolves when time reaches it', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = clock.sleep(100).then(() => (done = true));
    clock.advance(99);
    await Promise.resolve();
    assert.equal(done, false);
    clock.advance(1);
    await p;
    assert.equal(done, true);
  });

  it('sleep rejects with the abort reason and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = clock.sleep(100, ac.signal);
    const reason = new Error('stop');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(clock.pending(), 0);
    await assert.rejects(clock.sleep(1, ac.signal), (e) => e === reason);
    assert.equal(clock.pending(), 0);
  });

  it('advanceAsync lets an async loop schedule its next sleep within one call', async () => {
    const clock = new FakeClock();
    const wakes: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        wakes.push(clock.now());
      }
    })();
    await clock.advanceAsync(30);
    await loop;
    assert.deepEqual(wakes, [10, 20, 30]);
  });
});

describe('realClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = realClock.now();
    assert.ok(now >= before && now <= Date.now(), `expected ${now} within [${before}, ${Date.now()}]`);
  });

  it('fires, cancels, and sleeps with abort', async () => {
    let fired = 0;
    realClock.setTimeout(() => fired++, 1);
    const cancelled = realClock.setTimeout(() => fired++, 1);
    realClock.clearTimeout(cancelled);
    await realClock.sleep(5);
    assert.equal(fired, 1);
    const ac = new AbortController();
    const p = realClock.sleep(10_000, ac.signal);
    ac.abort(new Error('bye'));
    await assert.rejects(p, /bye/);
  });
});
