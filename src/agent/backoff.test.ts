import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, effectiveEntry, nextEntry, nextFailure, restartWaitMs, type BackoffEntry } from './backoff.js';

describe('crash back-off', () => {
  it('restarts at once the first time, then waits 10 s doubling to 5 min after each finish', () => {
    let entry: BackoffEntry | undefined;
    let now = 0;
    const waits: number[] = [];
    for (let crash = 0; crash < 9; crash++) {
      const finishedAt = now; // the container crashes as soon as it starts
      const e = effectiveEntry(entry, { startedAt: finishedAt, finishedAt }, now, DEFAULT_BACKOFF);
      const wait = restartWaitMs(e, finishedAt, now);
      waits.push(wait);
      now += wait;
      entry = nextEntry(e, now, DEFAULT_BACKOFF);
    }
    assert.deepEqual(waits, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('resets after a 10 minute run, or a record untouched for 10 minutes', () => {
    const entry: BackoffEntry = { delayMs: 160_000, updatedAt: 0 };
    assert.equal(effectiveEntry(entry, { startedAt: 1000, finishedAt: 1000 + 600_000 }, 601_000, DEFAULT_BACKOFF), undefined);
    assert.equal(effectiveEntry(entry, { startedAt: 1000, finishedAt: 2000 }, 600_000, DEFAULT_BACKOFF), undefined);
    assert.equal(effectiveEntry(entry, { startedAt: 1000, finishedAt: 2000 }, 3000, DEFAULT_BACKOFF), entry);
    assert.equal(nextEntry(undefined, 5, DEFAULT_BACKOFF).delayMs, 10_000);
  });

  it('failed starts back off 10 s doubling, and reset when the last failure is old', () => {
    const f1 = nextFailure(undefined, { reason: 'ErrImagePull', message: 'x' }, 0, DEFAULT_BACKOFF);
    const f2 = nextFailure(f1, { reason: 'ErrImagePull', message: 'x' }, 10_000, DEFAULT_BACKOFF);
    const f3 = nextFailure(f2, { reason: 'ErrImagePull', message: 'x' }, 30_000, DEFAULT_BACKOFF);
    assert.deepEqual([f1.delayMs, f2.delayMs, f3.delayMs], [10_000, 20_000, 40_000]);
    assert.equal(nextFailure(f3, { reason: 'ErrImagePull', message: 'x' }, 30_000 + 600_000, DEFAULT_BACKOFF).delayMs, 10_000);
  });
});
