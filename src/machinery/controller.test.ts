import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { MemoryLogger } from '../util/logger.js';
import { runController } from './controller.js';
import { WorkQueue } from './workqueue.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise with its resolve/reject exposed, to hold a sync open. */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock });
  const logger = new MemoryLogger();
  const ac = new AbortController();
  return { clock, queue, logger, ac };
}

describe('runController', () => {
  it('syncs every queued key and forgets its retries on success', async () => {
    const { queue, logger, ac } = setup();
    const synced: string[] = [];
    queue.add('a');
    queue.add('b');
    queue.addRateLimited('c'); // pretend an earlier failure
    const run = runController({
      name: 'test',
      queue,
      workers: 2,
      signal: ac.signal,
      logger,
      sync: (k) => {
        synced.push(k);
        return Promise.resolve();
      },
    });
    await flush();
    assert.deepEqual(synced.sort(), ['a', 'b']);
    ac.abort();
    await run;
    assert.equal(logger.entries.length, 0);
  });

  it('logs a failed sync with the controller name and key, retries it with backoff, then forgets it', async () => {
    const { clock, queue, logger, ac } = setup();
    let calls = 0;
    const run = runController({
      name: 'replicaset',
      queue,
      workers: 1,
      signal: ac.signal,
      logger,
      sync: (key) => {
        calls++;
        return calls <= 2 ? Promise.reject(new Error(`boom ${key}`)) : Promise.resolve();
      },
    });
    queue.add('ns/rs');
    await flush();
    assert.equal(calls, 1);
    assert.deepEqual(logger.entries[0], {
      level: 'error',
      msg: 'replicaset: sync failed, will retry',
      fields: { controller: 'replicaset', key: 'ns/rs', requeues: 0, error: 'boom ns/rs' },
    });
    await clock.advanceAsync(5);
    assert.equal(calls, 2);
    await clock.advanceAsync(9);
    assert.equal(calls, 2, 'second retry waits 10 ms');
    await clock.advanceAsync(1);
    assert.equal(calls, 3);
    assert.equal(queue.numRequeues('ns/rs'), 0);
    ac.abort();
    await run;
  });

  it('never syncs one key concurrently, and re-syncs a key added mid-sync', async () => {
    const { queue, logger, ac } = setup();
    const inFlight = new Set<string>();
    const holds: { key: string; d: ReturnType<typeof deferred> }[] = [];
    let overlap = false;
    const run = runController({
      name: 'test',
      queue,
      workers: 4,
      signal: ac.signal,
      logger,
      sync: async (key) => {
        if (inFlight.has(key)) overlap = true;
        inFlight.add(key);
        const d = deferred();
        holds.push({ key, d });
        await d.promise;
        inFlight.delete(key);
      },
    });
    queue.add('a');
    await flush();
    queue.add('a');
    queue.add('b');
    await flush();
    assert.deepEqual(
      holds.map((h) => h.key),
      ['a', 'b'],
    );
    holds[0]?.d.resolve();
    await flush();
    assert.deepEqual(
      holds.map((h) => h.key),
      ['a', 'b', 'a'],
    );
    for (const h of holds) h.d.resolve();
    await flush();
    assert.equal(overlap, false);
    ac.abort();
    await run;
  });

  it('on abort starts nothing new and waits for in-flight syncs', async () => {
    const { queue, logger, ac } = setup();
    const hold = deferred();
    const started: string[] = [];
    let finished = false;
    const run = runController({
      name: 'test',
      queue,
      workers: 1,
      signal: ac.signal,
      logger,
      sync: async (key) => {
        started.push(key);
        await hold.promise;
        finished = true;
      },
    });
    queue.add('a');
    queue.add('b');
    await flush();
    let returned = false;
    void run.then(() => (returned = true));
    ac.abort();
    await flush();
    assert.equal(returned, false, 'still waiting for the in-flight sync');
    hold.resolve();
    await run;
    assert.equal(finished, true);
    assert.deepEqual(started, ['a']);
  });

  it('returns at once for an already-aborted signal and rejects a worker count below 1', async () => {
    const { queue, ac } = setup();
    ac.abort();
    await runController({ name: 't', queue, workers: 2, signal: ac.signal, sync: () => Promise.resolve() });
    assert.equal(queue.isShuttingDown(), true);
    await assert.rejects(
      runController({ name: 't', queue, workers: 0, signal: ac.signal, sync: () => Promise.resolve() }),
      RangeError,
    );
  });
});
