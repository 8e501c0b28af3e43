// Property: whatever the runtime does wrong (any operation failing before or after it took effect), and
// whatever happens meanwhile (containers crash or are OOM-killed, a sandbox dies, the spec changes), repeated
// syncs converge to every container of every pod running exactly once, in one sandbox per pod, with every
// init container completed; and at no point do two live containers of one name exist in a pod.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FakeOp, FaultTiming } from './runtime/fake.js';
import { harness, makePod } from './testing.js';
import type { Container, Pod } from './types.js';

const OPS: FakeOp[] = [
  'ensureImage',
  'createSandbox',
  'listSandboxes',
  'removeSandbox',
  'createContainer',
  'startContainer',
  'stopContainer',
  'removeContainer',
  'listContainers',
];

const podShape = fc.record({
  containers: fc.integer({ min: 1, max: 3 }),
  inits: fc.integer({ min: 0, max: 2 }),
  policy: fc.constantFrom('Always' as const, 'OnFailure' as const),
});

function liveByName(h: ReturnType<typeof harness>, uid: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of h.runtime.containers.values()) {
    if (c.pod.uid !== uid || c.state !== 'running') continue;
    m.set(c.name, (m.get(c.name) ?? 0) + 1);
  }
  return m;
}

describe('pod sync converges under runtime faults (property)', () => {
  it('every container runs exactly once per pod; never two live containers of one name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(podShape, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom(...OPS), fc.constantFrom<FaultTiming>('before', 'after')), { minLength: 0, maxLength: 40 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (shapes, faultPlan, faultRate, seed) => {
          const h = harness();
          let rnd = seed;
          const random = (): number => {
            rnd = (rnd * 1103515245 + 12345) % 2 ** 31;
            return rnd / 2 ** 31;
          };
          let faultsOn = true;
          let planIndex = 0;
          h.runtime.fault = (op) => {
            if (!faultsOn || random() >= faultRate) return undefined;
            const planned = faultPlan[planIndex++ % Math.max(1, faultPlan.length)];
            if (!planned) return random() < 0.5 ? 'before' : 'after';
            return planned[0] === op ? planned[1] : random() < 0.5 ? 'before' : 'after';
          };
          const pods: Pod[] = shapes.map((s, i) => {
            const containers: Container[] = Array.from({ length: s.containers }, (_, j) => ({ name: `c${j}`, image: 'busybox:1.36' }));
            const initContainers: Container[] = Array.from({ length: s.inits }, (_, j) => ({ name: `init${j}`, image: 'busybox:1.36' }));
            return h.api.put(makePod(`p${i}`, { containers, initContainers, restartPolicy: s.policy }));
          });

          const checkInvariant = (): void => {
            for (const p of pods) {
              for (const [name, n] of liveByName(h, p.metadata.uid ?? ''))
                assert.ok(n <= 1, `pod ${p.metadata.name ?? ''}: ${n} live containers named ${name}`);
            }
          };
          const converged = (): boolean =>
            pods.every((p, i) => {
              const uid = p.metadata.uid ?? '';
              const shape = shapes[i];
              if (!shape) return false;
              const live = liveByName(h, uid);
              const apps = Array.from({ length: shape.containers }, (_, j) => `c${j}`);
              const sandboxes = [...h.runtime.sandboxes.values()].filter((s) => s.pod.uid === uid && s.running);
              return sandboxes.length === 1 && apps.every((n) => live.get(n) === 1) && live.size === apps.length;
            });

          for (let round = 0; round < 400; round++) {
            if (round === 60) faultsOn = false;
            let wait: number | undefined;
            for (const p of pods) {
              const uid = p.metadata.uid ?? '';
              try {
                const r = await h.sync(uid);
                if (r.requeueAfterMs !== undefined) wait = Math.min(wait ?? Infinity, Math.max(1, r.requeueAfterMs));
              } catch {
                // retried on the next round, as the work queue would
              }
              checkInvariant();
              // Init containers finish successfully shortly after they start.
              for (const c of h.runtime.containers.values()) if (c.pod.uid === uid && c.role === 'init' && c.state === 'running') h.runtime.exit(c.id, 0);
              if (!faultsOn) continue;
              // While faults are on, the world misbehaves too: app containers crash, a sandbox dies, the spec changes.
              for (const c of h.runtime.containers.values()) {
                if (c.pod.uid === uid && c.role === 'container' && c.state === 'running' && random() < 0.08)
                  h.runtime.exit(c.id, random() < 0.5 ? 1 : 137, { oomKilled: random() < 0.2 });
              }
              const sb = [...h.runtime.sandboxes.values()].find((x) => x.pod.uid === uid && x.running);
              if (sb && random() < 0.02) h.runtime.killSandbox(sb.id);
              const cur = h.api.get(uid);
              if (cur?.spec?.containers?.[0] && random() < 0.02) {
                const next = structuredClone(cur);
                const c0 = next.spec?.containers?.[0];
                if (c0) c0.image = c0.image === 'busybox:1.36' ? 'busybox:1.37' : 'busybox:1.36';
                h.api.put({ ...next, metadata: { ...next.metadata, resourceVersion: `${round}x` } });
              }
            }
            if (!faultsOn && converged()) break;
            await h.clock.advanceAsync(wait ?? 1000);
          }
          assert.ok(converged(), `not converged: ${JSON.stringify([...h.runtime.containers.values()].map((c) => [c.pod.name, c.name, c.attempt, c.state]))}`);
          // Converged means stable: more syncs change nothing in the runtime.
          const calls = h.runtime.calls.length;
          for (const p of pods) await h.sync(p.metadata.uid ?? '');
          assert.equal(
            h.runtime.calls.filter((c) => c.op !== 'ensureImage').length,
            h.runtime.calls.slice(0, calls).filter((c) => c.op !== 'ensureImage').length,
          );
          h.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });
});
