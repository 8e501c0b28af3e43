// Property: driving the real sync and pod handler against a cache that lags the server by any amount, with watch
// events delivered in any order (each pod's own events in order), scale changes and pods killed from outside,
// the ReplicaSet never has more pods on the server than the most it was ever asked for, and once the events are
// all delivered and it has synced, it has exactly spec.replicas pods and reports them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeWorld, rs } from './fake.js';

const KEY = 'ns/web';

type Step = { op: 'scale'; n: number } | { op: 'deliver'; pick: number } | { op: 'sync' } | { op: 'kill'; pick: number } | { op: 'fail' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant('scale' as const), n: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ op: 'sync' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('kill' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'fail' as const }) },
);

async function syncQuietly(w: FakeWorld): Promise<void> {
  try {
    await w.sync(KEY);
  } catch {
    // an injected create failure: the loop would retry, as the next sync step does
  }
}

describe('ReplicaSet sync (property)', () => {
  it('never holds more pods than asked, and settles on exactly spec.replicas', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 7 }), fc.array(step, { maxLength: 60 }), async (initial, steps) => {
        const w = new FakeWorld();
        w.replicaSets.upsert(rs({ replicas: initial }));
        let most = initial;
        for (const s of steps) {
          if (s.op === 'scale') {
            const cur = w.replicaSets.get(KEY);
            if (cur) w.replicaSets.upsert({ ...structuredClone(cur), spec: { ...structuredClone(cur.spec), replicas: s.n } });
            most = Math.max(most, s.n);
          } else if (s.op === 'deliver') {
            const ok = w.deliverable();
            if (ok.length) w.deliver(ok[s.pick % ok.length] ?? 0);
          } else if (s.op === 'sync') await syncQuietly(w);
          else if (s.op === 'kill') {
            const owned = w.ownedOnServer('rs-uid');
            const victim = owned[s.pick % Math.max(1, owned.length)];
            if (victim) w.killPod(`ns/${victim.metadata.name ?? ''}`);
          } else w.createFailures.push(new Error('injected create failure'));
          const onServer = w.ownedOnServer('rs-uid').length;
          assert.ok(onServer <= most, `${onServer} pods on the server, but never more than ${most} were asked for (steps: ${JSON.stringify(steps)})`);
        }
        // Settle: no more failures; deliver everything and sync until nothing changes.
        w.createFailures.length = 0;
        for (let round = 0; round < 10; round++) {
          w.deliverAll();
          await syncQuietly(w);
        }
        w.deliverAll();
        const want = w.replicaSets.get(KEY)?.spec.replicas ?? 1;
        assert.equal(w.ownedOnServer('rs-uid').length, want);
        assert.ok(w.ownedOnServer('rs-uid').length <= most);
        await syncQuietly(w);
        assert.equal(w.replicaSets.get(KEY)?.status?.replicas, want);
      }),
      { numRuns: 300 },
    );
  });
});
