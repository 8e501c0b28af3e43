import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../util/clock.js';
import { WorkQueue } from './workqueue.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const KEYS = ['a', 'b', 'c', 'd'];
const WORKERS = 3;

type Op = { op: 'add'; key: string } | { op: 'get'; worker: number } | { op: 'done'; worker: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('get' as const), worker: fc.nat(WORKERS - 1) }),
  fc.record({ op: fc.constant('done' as const), worker: fc.nat(WORKERS - 1) }),
);

interface Worker {
  state: 'idle' | 'waiting' | 'holding';
  key?: string;
}

describe('WorkQueue (properties)', () => {
  it('with several workers: a key is never held twice, none is lost, and adds are deduplicated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80, size: 'max' }), async (ops) => {
        const q = new WorkQueue({ clock: new FakeClock() });
        const workers: Worker[] = Array.from({ length: WORKERS }, () => ({ state: 'idle' }));
        const holder = new Map<string, number>(); // key → worker holding it
        let tick = 0; // orders adds and hand-outs (a hand-out is recorded when its get() resolves)
        const lastAdd = new Map<string, number>(); // key → tick of its last add
        const lastHandout = new Map<string, number>(); // key → tick it was last handed out
        const addsSinceHandout = new Map<string, number>();
        const violations: string[] = [];

        const startGet = (w: number): void => {
          const worker = workers[w];
          if (!worker || worker.state !== 'idle') return;
          worker.state = 'waiting';
          void q.get().then((key) => {
            if (key === undefined) {
              worker.state = 'idle';
              return;
            }
            // Recorded, not asserted: a throw here would be an unhandled rejection, not a shrinkable failure.
            const other = holder.get(key);
            if (other !== undefined) violations.push(`key ${key} handed to worker ${w} while worker ${other} holds it`);
            if ((addsSinceHandout.get(key) ?? 0) < 1)
              violations.push(`key ${key} handed out without an add since its last handout`);
            addsSinceHandout.set(key, 0);
            holder.set(key, w);
            lastHandout.set(key, ++tick);
            worker.state = 'holding';
            worker.key = key;
          });
        };
        const finish = (w: number): void => {
          const worker = workers[w];
          if (!worker || worker.state !== 'holding' || worker.key === undefined) return;
          holder.delete(worker.key);
          q.done(worker.key);
          worker.state = 'idle';
          delete worker.key;
        };

        for (const op of ops) {
          if (op.op === 'add') {
            q.add(op.key);
            lastAdd.set(op.key, ++tick);
            addsSinceHandout.set(op.key, (addsSinceHandout.get(op.key) ?? 0) + 1);
          } else if (op.op === 'get') startGet(op.worker);
          else finish(op.worker);
          await flush(); // hand-outs resolve before the next operation
          assert.deepEqual(violations, []);
          assert.ok(q.len() <= KEYS.length, `queue holds ${q.len()} entries for ${KEYS.length} keys`);
        }

        // Drain: every worker keeps finishing and taking work until nothing is left.
        for (let round = 0; round < 4 * KEYS.length + 4; round++) {
          for (let w = 0; w < WORKERS; w++) {
            finish(w);
            startGet(w);
          }
          await flush();
          assert.deepEqual(violations, []);
        }
        for (const [key, added] of lastAdd) {
          const handed = lastHandout.get(key) ?? -1;
          assert.ok(handed > added, `key ${key} last added at tick ${added} but last handed out at tick ${handed}`);
        }
        assert.equal(q.len(), 0);
        q.shutDown();
        await flush();
        assert.ok(
          workers.every((w) => w.state !== 'waiting'),
          'shutDown released every waiting worker',
        );
      }),
      { numRuns: 200 },
    );
  });
});
