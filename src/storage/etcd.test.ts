import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startEtcd, type EtcdHandle } from '../../test/support/etcd.js';
import { startProxy } from '../../test/support/proxy.js';
import { EtcdStore } from './etcd.js';
import { isStoreError } from './store.js';
import { collect, runStoreContract } from './store.contract.js';

// One etcd for the whole file: starting it per test would dominate the run time. The contract gives
// every test its own key prefix, so tests do not see each other's keys. Started on first use so that
// a missing etcd fails every test with startEtcd's message (a failing before hook only cancels them).
let started: Promise<EtcdHandle> | undefined;
const etcd = (): Promise<EtcdHandle> => (started ??= startEtcd());
after(async () => {
  await started?.then(
    (e) => e.stop(),
    () => undefined,
  );
});

runStoreContract('etcd', async () => {
  const store = new EtcdStore({ endpoints: [(await etcd()).endpoint] });
  return { store, cleanup: () => store.close() };
});

describe('EtcdStore across an etcd restart', () => {
  it('a watch survives the restart and replays the writes it missed, without gaps or duplicates', async () => {
    const server = await etcd();
    // The watcher reaches etcd through a proxy the test can cut, so the writes made during the outage
    // below can only reach it by replay from its last delivered revision, never live.
    const proxy = await startProxy(Number(new URL(server.endpoint).port));
    const watcher = new EtcdStore({ endpoints: [`http://127.0.0.1:${proxy.port}`] });
    const writer = new EtcdStore({ endpoints: [server.endpoint] });
    try {
      const p = `/restart/${Date.now()}/`;
      const w = collect(watcher, p, await writer.currentRevision());
      const acked = [await writer.create(`${p}a`, '1')];
      await w.until(1);

      proxy.pause();
      await server.restart();
      acked.push(await retry(() => writer.create(`${p}b`, '2')));
      acked.push(await writer.create(`${p}c`, '3'));
      proxy.resume();
      await w.until(3);
      acked.push(await writer.create(`${p}d`, '4'));
      await w.until(4);
      w.cancel();
      assert.deepEqual(
        w.events.map((e) => e.revision),
        acked,
      );
    } finally {
      await watcher.close();
      await writer.close();
      await proxy.close();
    }
  });
});

/** The first request after a restart may meet a connection that has not noticed yet. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!isStoreError(e, 'Unavailable') || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
