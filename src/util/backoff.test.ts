import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, exponentialDelay } from './backoff.js';

describe('Backoff', () => {
  it('doubles from initialMs and stops at maxMs', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => b.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(b.attempts, 6);
  });

  it('reset starts again from initialMs', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1000, factor: 3 });
    b.next();
    b.next();
    b.reset();
    assert.equal(b.attempts, 0);
    assert.equal(b.next(), 10);
    assert.equal(b.next(), 30);
  });

  it('jitter shortens delays by up to jitter*delay using the injected random source', () => {
    const rs = [0, 0.5, 0.999];
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 0.5, random: () => rs.shift() ?? 0 });
    assert.deepEqual([b.next(), b.next(), b.next()], [100, 150, 400 * (1 - 0.5 * 0.999)]);
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => new Backoff({ initialMs: -1, maxMs: 10 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 1, maxMs: 5, factor: 0.5 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 1, maxMs: 5, jitter: 2 }), RangeError);
  });
});

describe('exponentialDelay', () => {
  it('stays at the cap for huge attempts and at zero for a zero base', () => {
    assert.equal(exponentialDelay(5000, { initialMs: 5, maxMs: 1_000_000 }), 1_000_000);
    assert.equal(exponentialDelay(5000, { initialMs: 0, maxMs: 100 }), 0);
    assert.equal(exponentialDelay(0, { initialMs: 5, maxMs: 1_000_000 }), 5);
  });
});
