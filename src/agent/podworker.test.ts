import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { PodWorkers } from './podworker.js';
import type { SyncResult } from './sync.js';

describe('pod workers', () => {
  it('never syncs one pod twice at once, and re-runs a pod changed during its sync', async () => {
    const clock = new FakeClock(0);
    let active = 0;
    let maxActive = 0;
    const runs = new Map<string, number>();
    const releases: (() => void)[] = [];
    const workers = new PodWorkers({
      clock,
      logger: silentLogger,
      workers: 4,
      lookup: () => undefined,
      sync: async (uid): Promise<SyncResult> => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.set(uid, (runs.get(uid) ?? 0) + 1);
        await new Promise<void>((r) => releases.push(r));
        active--;
        return { finished: false };
      },
    });
    const ctrl = new AbortController();
    const done = workers.run(ctrl.signal);
    workers.enqueue('a');
    await new Promise((r) => setImmediate(r));
    workers.enqueue('a'); // while a is being synced
    workers.enqueue('a');
    await new Promise((r) => setImmediate(r));
    assert.equal(maxActive, 1);
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(runs.get('a'), 2, 'the adds during the sync give exactly one more sync');
    releases.shift()?.();
    ctrl.abort();
    await done;
    assert.equal(maxActive, 1);
  });

  it('syncs again after the delay a sync asks for, and forgets finished pods', async () => {
    const clock = new FakeClock(0);
    const runs: number[] = [];
    let finish = false;
    const workers = new PodWorkers({
      clock,
      logger: silentLogger,
      workers: 1,
      lookup: () => undefined,
      sync: (_uid, _pod, state): Promise<SyncResult> => {
        runs.push(clock.now());
        state.crashBackoff.set('x', { delayMs: 1, updatedAt: 0 });
        return Promise.resolve(finish ? { finished: true } : { finished: false, requeueAfterMs: 10_000 });
      },
    });
    const ctrl = new AbortController();
    const done = workers.run(ctrl.signal);
    workers.enqueue('p');
    await clock.advanceAsync(9_999);
    assert.deepEqual(runs, [0]);
    finish = true;
    await clock.advanceAsync(1);
    assert.deepEqual(runs, [0, 10_000]);
    assert.deepEqual(workers.known(), []);
    ctrl.abort();
    await done;
  });
});
