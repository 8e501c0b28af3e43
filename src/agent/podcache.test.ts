import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimePodCache } from './podcache.js';
import type { ContainerStatus, Sandbox } from './runtime/runtime.js';
import { harness, makePod } from './testing.js';

/** A runtime whose lists finish when the test says so; each reports the sandbox IDs present when it began. */
class GatedRuntime {
  sandboxIds = ['s1'];
  calls = 0;
  private gates: (() => void)[] = [];

  listSandboxes(filter?: { podUid?: string }): Promise<Sandbox[]> {
    this.calls++;
    const ids = [...this.sandboxIds];
    const uid = filter?.podUid ?? '';
    return new Promise((resolve) => this.gates.push(() => resolve(ids.map((id) => ({ id, pod: { uid } }) as unknown as Sandbox))));
  }

  listContainers(): Promise<ContainerStatus[]> {
    return Promise.resolve([]);
  }

  release(): void {
    const g = this.gates;
    this.gates = [];
    for (const f of g) f();
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function read(cache: RuntimePodCache, rt: GatedRuntime, uid: string): Promise<string[]> {
  const p = cache.get(uid);
  await tick();
  rt.release();
  return (await p).sandboxes.map((s) => s.id);
}

describe('RuntimePodCache', () => {
  it('reads the engine once, then answers from the cache until invalidated', async () => {
    const rt = new GatedRuntime();
    const cache = new RuntimePodCache(rt);
    assert.deepEqual(await read(cache, rt, 'u'), ['s1']);
    rt.sandboxIds = ['s2'];
    assert.deepEqual(
      (await cache.get('u')).sandboxes.map((s) => s.id),
      ['s1'],
      'kept',
    );
    assert.equal(rt.calls, 1);
    cache.invalidate('u');
    assert.deepEqual(await read(cache, rt, 'u'), ['s2']);
    assert.deepEqual(cache.stats, { reads: 2, hits: 1 });
  });

  it('does not keep a read that an invalidation overtook', async () => {
    const rt = new GatedRuntime();
    const cache = new RuntimePodCache(rt);
    const stale = cache.get('u'); // began while the engine held s1
    await tick();
    rt.sandboxIds = ['s2'];
    cache.invalidate('u'); // the relist saw the change while that read was running
    rt.release();
    assert.deepEqual(
      (await stale).sandboxes.map((s) => s.id),
      ['s1'],
    );
    assert.deepEqual(await read(cache, rt, 'u'), ['s2'], 'the next get reads again');
    assert.equal(rt.calls, 2);
  });

  it('forgets a pod entirely', async () => {
    const rt = new GatedRuntime();
    const cache = new RuntimePodCache(rt);
    await read(cache, rt, 'u');
    assert.equal(cache.size, 1);
    cache.forget('u');
    assert.equal(cache.size, 0);
    cache.invalidate('u'); // a late relist: nothing is created for a forgotten pod
    assert.equal(cache.size, 0);
  });

  it('lets a sync that follows only the API (its own status coming back) skip the engine', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('cached', { containers: [{ name: 'main', image: 'busybox:1.36' }] }));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid); // creates the sandbox and the container, re-reads, writes Running
    const reads = h.ctx.podCache.stats.reads;
    await h.sync(uid, { relisted: false });
    assert.equal(h.ctx.podCache.stats.reads, reads, 'no engine read');
    assert.equal(h.runtime.running(uid).length, 1, 'and nothing was started twice');
    // A container exit the relist noticed is read again and acted on.
    h.runtime.exit(h.runtime.running(uid)[0]?.id ?? '', 1);
    await h.sync(uid);
    assert.equal(h.ctx.podCache.stats.reads > reads, true);
  });
});
