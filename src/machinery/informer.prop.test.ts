import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../api/meta.js';
import { FakeClock } from '../util/clock.js';
import { MemoryLogger } from '../util/logger.js';
import { FakeListWatcher } from './fake-listwatch.js';
import { SharedInformer, type InformerEvent } from './informer.js';
import { objectKey } from './store.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const NAMES = ['a', 'b', 'c', 'd', 'e'];

type Op =
  | { op: 'write'; name: string } // create, or update if it exists
  | { op: 'delete'; name: string }
  | { op: 'end' } // the server ends every watch normally
  | { op: 'fail' } // connections drop
  | { op: 'expire'; asErrorEvent: boolean } // history compacted, open watches get 410
  | { op: 'compact' } // history compacted silently: the next reconnect gets 410
  | { op: 'restart' }
  | { op: 'bookmark' }
  | { op: 'failList' }
  | { op: 'tick'; ms: number }
  | { op: 'flush' }
  | { op: 'lateHandler' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('write' as const), name: fc.constantFrom(...NAMES) }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), name: fc.constantFrom(...NAMES) }), weight: 3 },
  { arbitrary: fc.constant({ op: 'end' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'fail' as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('expire' as const), asErrorEvent: fc.boolean() }), weight: 1 },
  { arbitrary: fc.constant({ op: 'compact' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'restart' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'bookmark' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'failList' as const }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 5000 }) }), weight: 3 },
  { arbitrary: fc.constant({ op: 'flush' as const }), weight: 4 },
  { arbitrary: fc.constant({ op: 'lateHandler' as const }), weight: 1 },
);

/** A handler that applies the event stream to its own map, recording any event that contradicts it. */
function replica() {
  const state = new Map<string, string>();
  const violations: string[] = [];
  const handler = (e: InformerEvent<KubeObject>): void => {
    const key = objectKey(e.next);
    const rv = e.next.metadata.resourceVersion ?? '';
    const had = state.get(key);
    if (e.type === 'add') {
      if (had !== undefined) violations.push(`add for present ${key} (holding @${had}, got @${rv})`);
      state.set(key, rv);
    } else if (e.type === 'update') {
      if (had === undefined) violations.push(`update for absent ${key}`);
      else if (had !== e.prev.metadata.resourceVersion)
        violations.push(`update of ${key}: prev @${e.prev.metadata.resourceVersion ?? ''}, holding @${had}`);
      if (rv === e.prev.metadata.resourceVersion) violations.push(`update of ${key} without a new version (@${rv})`);
      state.set(key, rv);
    } else {
      if (had === undefined) violations.push(`delete for absent ${key}`);
      state.delete(key);
    }
  };
  return { state, violations, handler };
}

function versionsOf(informer: SharedInformer<KubeObject>): Map<string, string> {
  return new Map(informer.store.list().map((o) => [objectKey(o), o.metadata.resourceVersion ?? '']));
}

const sorted = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => a.localeCompare(b));

describe('SharedInformer (properties)', () => {
  it('converges to the server state through disconnects and 410s; handlers replay it without duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80, size: 'max' }), async (ops) => {
        const clock = new FakeClock();
        const server = new FakeListWatcher<KubeObject>();
        const logger = new MemoryLogger();
        const informer = new SharedInformer(server, { clock, logger, freeze: 'deep', random: () => 0.5 });
        const replicas = [replica()];
        informer.addHandler(replicas[0]?.handler ?? (() => undefined));
        let generation = 0;
        const write = (name: string): void => {
          const obj: KubeObject = {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace: 'ns', name },
            spec: { generation: ++generation },
          };
          if (server.get(`ns/${name}`)) server.update(obj);
          else server.create(obj);
        };

        informer.start();
        for (const op of ops) {
          switch (op.op) {
            case 'write':
              write(op.name);
              break;
            case 'delete':
              if (server.get(`ns/${op.name}`)) server.delete(`ns/${op.name}`);
              break;
            case 'end':
              server.endWatches();
              break;
            case 'fail':
              server.failWatches();
              break;
            case 'expire':
              server.expireWatches({ asErrorEvent: op.asErrorEvent });
              break;
            case 'compact':
              server.compact();
              break;
            case 'restart':
              server.restart();
              break;
            case 'bookmark':
              server.bookmark();
              break;
            case 'failList':
              server.failNextList();
              break;
            case 'tick':
              await clock.advanceAsync(op.ms);
              break;
            case 'flush':
              await flush();
              break;
            case 'lateHandler': {
              const r = replica();
              replicas.push(r);
              informer.addHandler(r.handler);
              break;
            }
          }
        }

        // Let every backoff run out until the informer is synced, watching, and agrees with the server.
        const converged = (): boolean =>
          informer.hasSynced() &&
          server.openWatches() === 1 &&
          JSON.stringify(sorted(versionsOf(informer))) === JSON.stringify(sorted(server.versions()));
        const settle = async (): Promise<void> => {
          await clock.advanceAsync(0);
          for (let i = 0; i < 30 && !converged(); i++) await clock.advanceAsync(60_000);
        };
        await settle();
        // And it keeps up with writes made after the storm.
        write('a');
        write('z');
        await settle();

        const want = sorted(server.versions());
        assert.deepEqual(sorted(versionsOf(informer)), want, 'informer cache vs server');
        replicas.forEach((r, i) => {
          assert.deepEqual(r.violations, [], `handler ${i} saw inconsistent events`);
          assert.deepEqual(sorted(r.state), want, `handler ${i}'s replayed events vs server`);
        });
        assert.deepEqual(
          logger.entries.filter((e) => e.level === 'error'),
          [],
        );
        await informer.stop();
        assert.equal(server.openWatches(), 0);
      }),
      { numRuns: 150 },
    );
  });
});
