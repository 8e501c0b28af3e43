import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeSnapshots } from './snapshots.js';
import type { ContainerStatus, Sandbox } from './runtime/runtime.js';

/** A runtime whose lists finish when the test says so, each reporting the "generation" it started in. */
class GatedRuntime {
  generation = 0;
  calls = 0;
  fail = false;
  private gates: (() => void)[] = [];

  listSandboxes(): Promise<Sandbox[]> {
    this.calls++;
    const gen = this.generation;
    const fail = this.fail;
    return new Promise((resolve, reject) => {
      this.gates.push(() => (fail ? reject(new Error('engine down')) : resolve([{ id: `s${gen}`, pod: { uid: `u${gen}` } } as unknown as Sandbox])));
    });
  }

  listContainers(): Promise<ContainerStatus[]> {
    return Promise.resolve([]);
  }

  /** Lets every list started so far finish. */
  release(): void {
    const g = this.gates;
    this.gates = [];
    for (const f of g) f();
  }

  get waiting(): number {
    return this.gates.length;
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('RuntimeSnapshots', () => {
  it('serves readers that ask together with one list', async () => {
    const rt = new GatedRuntime();
    const snaps = new RuntimeSnapshots(rt);
    const all = Promise.all([snaps.fresh(), snaps.fresh(), snaps.pod('u0'), snaps.fresh()]);
    await tick();
    rt.release();
    const [a, b, c, d] = await all;
    assert.equal(rt.calls, 1);
    assert.equal(snaps.lists, 1);
    assert.equal(a, b);
    assert.equal(a, d);
    assert.deepEqual(
      c.sandboxes.map((s) => s.id),
      ['s0'],
    );
  });

  it('gives a reader that asks during a list the next list, shared with the others that asked meanwhile', async () => {
    const rt = new GatedRuntime();
    const snaps = new RuntimeSnapshots(rt);
    const first = snaps.fresh();
    await tick();
    rt.generation = 1; // the runtime changes after the first list began: a later reader must see it
    const second = snaps.fresh();
    const third = snaps.fresh();
    await tick();
    assert.equal(rt.waiting, 1, 'the next list waits for the running one');
    rt.release();
    assert.equal((await first).sandboxes[0]?.id, 's0');
    await tick();
    assert.equal(rt.waiting, 1);
    rt.release();
    assert.equal((await second).sandboxes[0]?.id, 's1');
    assert.equal(await third, await second);
    assert.equal(rt.calls, 2);
    const later = snaps.pod('u0');
    await tick();
    rt.release();
    assert.equal((await later).sandboxes.length, 0, 'a new list, not a kept one');
    assert.equal(rt.calls, 3);
  });

  it('fails the readers of a failed list only; the next reader gets a new list', async () => {
    const rt = new GatedRuntime();
    const snaps = new RuntimeSnapshots(rt);
    rt.fail = true;
    const failing = snaps.fresh();
    const failing2 = snaps.fresh();
    await tick();
    rt.fail = false;
    const after = snaps.fresh();
    rt.release();
    await assert.rejects(failing, /engine down/);
    await assert.rejects(failing2, /engine down/);
    await tick();
    rt.release();
    assert.equal((await after).sandboxes[0]?.id, 's0');
    assert.equal(rt.calls, 2);
  });
});
