import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import { FakeClock } from '../util/clock.js';
import { MemoryLogger } from '../util/logger.js';
import { FakeListWatcher } from './fake-listwatch.js';
import type { ListWatcher, WatchOptions } from './listwatch.js';
import {
  NAMESPACE_INDEX,
  SharedInformer,
  SharedInformerFactory,
  type InformerEvent,
  type InformerOptions,
} from './informer.js';
import { byNodeName, objectKey } from './store.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function pod(name: string, extra: Partial<KubeObject> = {}, namespace = 'ns'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, spec: {}, ...extra };
}

/** "type key@rv", and for deletes whether the final state is known. */
function describeEvent(e: InformerEvent<KubeObject>): string {
  const s = `${e.type} ${objectKey(e.next)}@${e.next.metadata.resourceVersion ?? ''}`;
  if (e.type === 'update') return `${s} (was @${e.prev.metadata.resourceVersion ?? ''})`;
  if (e.type === 'delete') return `${s}${e.finalStateUnknown ? ' (final state unknown)' : ''}`;
  return s;
}

function setup(opts: Partial<InformerOptions> = {}) {
  const clock = new FakeClock();
  const server = new FakeListWatcher<KubeObject>();
  const logger = new MemoryLogger();
  // random 0: no jitter (delays are exactly 800, 1600, ...) and a 300 s watch timeout.
  const informer = new SharedInformer(server, { clock, logger, freeze: 'deep', random: () => 0, ...opts });
  const events: string[] = [];
  informer.addHandler((e) => events.push(describeEvent(e)));
  const take = (): string[] => events.splice(0);
  return { clock, server, logger, informer, events, take };
}

/** key → resourceVersion of everything in the informer's cache. */
function cacheVersions(informer: SharedInformer<KubeObject>): Map<string, string> {
  return new Map(informer.store.list().map((o) => [objectKey(o), o.metadata.resourceVersion ?? '']));
}

describe('SharedInformer', () => {
  it("lists, fills the cache, emits an add per object, then watches from the list's resourceVersion with bookmarks", async () => {
    const { server, informer, take } = setup();
    server.create(pod('a'));
    server.create(pod('b'));
    assert.equal(informer.hasSynced(), false);
    informer.start();
    await informer.waitForSync();
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(take(), ['add ns/a@1', 'add ns/b@2']);
    assert.deepEqual(informer.store.keys().sort(), ['ns/a', 'ns/b']);
    await flush();
    assert.deepEqual(server.watchRequests, [{ resourceVersion: '2', allowWatchBookmarks: true, timeoutSeconds: 300 }]);
    await informer.stop();
  });

  it('turns watch events into {type, prev, next}, with the final state as next for deletes', async () => {
    const { server, informer, take } = setup();
    server.create(pod('a'));
    server.create(pod('b'));
    informer.start();
    await informer.waitForSync();
    await flush();
    take();
    server.create(pod('c'));
    server.update(pod('a', { spec: { nodeName: 'n1' } }));
    server.delete('ns/b');
    await flush();
    assert.deepEqual(take(), ['add ns/c@3', 'update ns/a@4 (was @1)', 'delete ns/b@5']);
    assert.deepEqual(informer.store.get('ns/a')?.spec, { nodeName: 'n1' });
    assert.equal(informer.store.get('ns/b'), undefined);
    assert.equal(informer.lastResourceVersion(), '5');
    await informer.stop();
  });

  it('after a normal end re-watches at once from the last seen resourceVersion, bookmarks included', async () => {
    const { server, informer, take } = setup();
    informer.start();
    await informer.waitForSync();
    await flush();
    server.create(pod('a'));
    await flush();
    server.endWatches();
    await flush();
    assert.deepEqual(
      server.watchRequests.map((r) => r.resourceVersion),
      ['0', '1'],
    );
    server.bookmark('7');
    await flush();
    assert.equal(informer.lastResourceVersion(), '7');
    server.endWatches();
    await flush();
    assert.deepEqual(
      server.watchRequests.map((r) => r.resourceVersion),
      ['0', '1', '7'],
    );
    assert.deepEqual(take(), ['add ns/a@1']);
    await informer.stop();
  });

  it('backs off before re-watching when the server closes a stream immediately without events', async () => {
    const { clock, server, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await flush();
    server.endWatches();
    await flush();
    assert.equal(server.watchRequests.length, 1);
    await clock.advanceAsync(799);
    assert.equal(server.watchRequests.length, 1, 'no re-watch before the 800 ms backoff');
    await clock.advanceAsync(1);
    assert.equal(server.watchRequests.length, 2);
    await informer.stop();
  });

  it('on 410 relists and emits only the difference: adds, updates for a changed resourceVersion, deletes', async () => {
    const { clock, server, informer, take } = setup();
    for (const n of ['a', 'b', 'c']) server.create(pod(n));
    informer.start();
    await informer.waitForSync();
    await flush();
    server.create(pod('d')); // rv 4, seen over the watch: the watch is healthy
    await flush();
    server.failWatches();
    server.update(pod('a', { status: { phase: 'Running' } })); // rv 5
    server.delete('ns/b'); // rv 6
    server.create(pod('e')); // rv 7
    server.compact();
    take();
    await clock.advanceAsync(800); // reconnect from rv 4 → 410 → relist at once
    assert.equal(server.listCalls, 2);
    assert.deepEqual(take(), ['update ns/a@5 (was @1)', 'add ns/e@7', 'delete ns/b@2 (final state unknown)']);
    assert.deepEqual(cacheVersions(informer), server.versions());
    assert.equal(server.watchRequests.at(-1)?.resourceVersion, '7');
    await informer.stop();
  });

  it('treats a 410 ERROR event inside the stream like a 410 rejection', async () => {
    const { server, informer, take } = setup();
    server.create(pod('a'));
    informer.start();
    await informer.waitForSync();
    await flush();
    server.create(pod('b'));
    await flush();
    server.delete('ns/a');
    server.expireWatches({ asErrorEvent: true });
    await flush();
    await flush();
    assert.equal(server.listCalls, 2);
    assert.deepEqual(take(), ['add ns/a@1', 'add ns/b@2', 'delete ns/a@3']);
    assert.deepEqual(cacheVersions(informer), server.versions());
  });

  it('reconnects after other errors with growing backoff, and resets it after a healthy watch', async () => {
    const { clock, server, informer, logger } = setup();
    informer.start();
    await informer.waitForSync();
    await flush();
    server.failWatches();
    await clock.advanceAsync(800);
    assert.equal(server.watchRequests.length, 2);
    server.failWatches();
    await clock.advanceAsync(1599);
    assert.equal(server.watchRequests.length, 2, 'second retry waits 1600 ms');
    await clock.advanceAsync(1);
    assert.equal(server.watchRequests.length, 3);
    await clock.advanceAsync(1000); // this watch has now been up for a second: healthy
    server.failWatches();
    await clock.advanceAsync(800);
    assert.equal(server.watchRequests.length, 4, 'backoff was reset by the healthy watch');
    assert.equal(logger.entries.filter((e) => e.msg.endsWith('watch failed')).length, 3);
    await informer.stop();
  });

  it('retries a failing first list with backoff; waitForSync resolves once a list succeeds', async () => {
    const { clock, server, informer, logger } = setup();
    server.create(pod('a'));
    server.failNextList();
    server.failNextList();
    informer.start();
    let synced = false;
    const waiting = informer.waitForSync().then(() => (synced = true));
    await clock.advanceAsync(800);
    assert.equal(server.listCalls, 2);
    assert.equal(synced, false);
    await clock.advanceAsync(1600);
    await waiting;
    assert.equal(server.listCalls, 3);
    assert.equal(logger.entries.filter((e) => e.msg.endsWith('list failed')).length, 2);
    await informer.stop();
  });

  it('survives an API server restart with no event lost and none duplicated', async () => {
    const { clock, server, informer, take } = setup();
    for (const n of ['a', 'b', 'c']) server.create(pod(n));
    informer.start();
    await informer.waitForSync();
    await flush();
    server.update(pod('c', { spec: { x: 1 } }));
    await flush();
    take();
    // Writes whose events are still in flight when the server goes down, taking its watch history with it.
    server.create(pod('d'));
    server.delete('ns/a');
    server.restart();
    await clock.advanceAsync(30_000);
    assert.deepEqual(take(), ['add ns/d@5', 'delete ns/a@1 (final state unknown)']);
    assert.deepEqual(cacheVersions(informer), server.versions());
    server.update(pod('d', { spec: { y: 2 } }));
    await flush();
    assert.deepEqual(take(), ['update ns/d@7 (was @5)']);
    await informer.stop();
  });

  it('gives a handler added after sync synthetic adds for the current contents; unsubscribe stops delivery', async () => {
    const { server, informer } = setup();
    server.create(pod('a'));
    server.create(pod('b'));
    informer.start();
    await informer.waitForSync();
    await flush();
    const late: string[] = [];
    const unsubscribe = informer.addHandler((e) => late.push(describeEvent(e)));
    assert.deepEqual(late.sort(), ['add ns/a@1', 'add ns/b@2']);
    server.delete('ns/a');
    await flush();
    unsubscribe();
    server.create(pod('c'));
    await flush();
    assert.deepEqual(late, ['add ns/a@1', 'add ns/b@2', 'delete ns/a@3']);
    await informer.stop();
  });

  it('logs a throwing handler and still delivers to the others', async () => {
    const { server, informer, logger, take } = setup();
    informer.addHandler(() => {
      throw new Error('handler bug');
    });
    server.create(pod('a'));
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(take(), ['add ns/a@1']);
    const entry = logger.entries.find((e) => e.msg.endsWith('event handler threw'));
    assert.equal(entry?.fields['key'], 'ns/a');
    await informer.stop();
  });

  it('hands out frozen objects, so a consumer mutation throws', async () => {
    const { server, informer } = setup();
    const seen: KubeObject[] = [];
    informer.addHandler((e) => seen.push(e.next));
    server.create(pod('a', { metadata: { namespace: 'ns', name: 'a', labels: { app: 'x' } } }));
    informer.start();
    await informer.waitForSync();
    await flush();
    server.delete('ns/a');
    await flush();
    assert.equal(seen.length, 2);
    for (const obj of seen) {
      assert.throws(() => {
        obj.metadata.name = 'b';
      }, TypeError);
    }
    await informer.stop();
  });

  it('stop() ends the watch and delivers nothing more', async () => {
    const { server, informer, take } = setup();
    informer.start();
    await informer.waitForSync();
    await flush();
    assert.equal(server.openWatches(), 1);
    await informer.stop();
    assert.equal(server.openWatches(), 0);
    server.create(pod('a'));
    await flush();
    assert.deepEqual(take(), []);
    await informer.stop(); // idempotent
  });

  it('waitForSync rejects when the informer stops first or the signal aborts', async () => {
    const { server, informer } = setup();
    server.failNextList();
    informer.start();
    const ac = new AbortController();
    const aborted = informer.waitForSync(ac.signal);
    const stopped = informer.waitForSync();
    ac.abort(new Error('gave up'));
    await assert.rejects(aborted, /gave up/);
    await informer.stop();
    await assert.rejects(stopped, /stopped before sync/);
    await assert.rejects(informer.waitForSync(), /stopped before sync/);
  });

  it('has a namespace index and accepts more indexers', async () => {
    const { server, informer } = setup();
    server.create(pod('a', { spec: { nodeName: 'n1' } }, 'ns1'));
    server.create(pod('b', { spec: { nodeName: 'n1' } }, 'ns2'));
    informer.addIndexers({ byNodeName });
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(informer.store.byIndex(NAMESPACE_INDEX, 'ns1').map(objectKey), ['ns1/a']);
    assert.deepEqual(informer.store.byIndex('byNodeName', 'n1').map(objectKey).sort(), ['ns1/a', 'ns2/b']);
    await informer.stop();
  });
});

/** A ListWatcher whose watch streams the test drives by hand, to send what a well-behaved server would not. */
class ScriptedListWatcher implements ListWatcher<KubeObject> {
  readonly watches: { opts: WatchOptions<KubeObject>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  constructor(private readonly items: KubeObject[]) {}
  list(): Promise<KubeList<KubeObject>> {
    return Promise.resolve({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '1' },
      items: structuredClone(this.items),
    });
  }
  watch(opts: WatchOptions<KubeObject>): Promise<void> {
    return new Promise((resolve, reject) => this.watches.push({ opts, resolve, reject }));
  }
}

describe('SharedInformer with a misbehaving stream', () => {
  const at = (name: string, rv: string): KubeObject =>
    pod(name, { metadata: { namespace: 'ns', name, resourceVersion: rv } });
  const send = (lw: ScriptedListWatcher, type: WatchEvent['type'], obj: KubeObject): void =>
    lw.watches.at(-1)?.opts.onEvent({ type, object: obj });

  it('drops replays of versions it holds and never emits a duplicate add or a delete for an absent key', async () => {
    const lw = new ScriptedListWatcher([at('a', '1')]);
    const clock = new FakeClock();
    const informer = new SharedInformer(lw, { clock, logger: new MemoryLogger(), random: () => 0 });
    const events: string[] = [];
    informer.addHandler((e) => events.push(describeEvent(e)));
    informer.start();
    await informer.waitForSync();
    await flush();
    send(lw, 'ADDED', at('a', '1')); // replay of what the list returned
    send(lw, 'ADDED', at('a', '2')); // ADDED for a present key: an update
    send(lw, 'MODIFIED', at('b', '3')); // MODIFIED for an absent key: an add
    send(lw, 'DELETED', at('c', '4')); // never seen: nothing
    send(lw, 'DELETED', at('b', '5'));
    assert.deepEqual(events, ['add ns/a@1', 'update ns/a@2 (was @1)', 'add ns/b@3', 'delete ns/b@5']);
    assert.equal(informer.lastResourceVersion(), '5');
    await informer.stop();
  });

  it('ignores events from a watch that has already failed', async () => {
    const lw = new ScriptedListWatcher([]);
    const clock = new FakeClock();
    const informer = new SharedInformer(lw, { clock, logger: new MemoryLogger(), random: () => 0 });
    const events: string[] = [];
    informer.addHandler((e) => events.push(describeEvent(e)));
    informer.start();
    await informer.waitForSync();
    await flush();
    const first = lw.watches[0];
    first?.reject(new Error('reset'));
    await flush();
    first?.opts.onEvent({ type: 'ADDED', object: at('late', '9') });
    assert.deepEqual(events, []);
    assert.equal(first?.opts.signal.aborted, false);
    await clock.advanceAsync(800);
    assert.equal(lw.watches.length, 2);
    assert.equal(lw.watches[1]?.opts.resourceVersion, '1');
    await informer.stop();
    assert.equal(lw.watches[1]?.opts.signal.aborted, true, 'stop() aborts the open watch');
  });
});

describe('SharedInformerFactory', () => {
  it('creates one informer per resource id, asking for its ListWatcher once, and starts, syncs and stops them all', async () => {
    const clock = new FakeClock();
    const servers = new Map([
      ['pods', new FakeListWatcher<KubeObject>()],
      ['nodes', new FakeListWatcher<KubeObject>()],
    ]);
    servers.get('nodes')?.create({ metadata: { name: 'n1' } });
    const asked: string[] = [];
    const factory = new SharedInformerFactory(
      (resource) => {
        asked.push(resource);
        const lw = servers.get(resource);
        if (!lw) throw new Error(`unknown resource ${resource}`);
        return lw;
      },
      { clock, logger: new MemoryLogger(), freeze: 'deep' },
    );
    const pods = factory.informerFor('pods');
    assert.equal(factory.informerFor('pods'), pods);
    const nodes = factory.informerFor<KubeObject>('nodes');
    assert.deepEqual(asked, ['pods', 'nodes']);
    assert.deepEqual(factory.resources(), ['pods', 'nodes']);
    factory.start();
    await factory.waitForSync();
    assert.equal(pods.hasSynced() && nodes.hasSynced(), true);
    assert.deepEqual(nodes.store.keys(), ['n1']);
    await factory.stop();
    assert.equal(servers.get('pods')?.openWatches(), 0);
  });
});
