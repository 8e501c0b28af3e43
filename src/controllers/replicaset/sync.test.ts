import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import { FakeWorld, pod, rs } from './fake.js';

const KEY = 'ns/web';

function world(replicas = 3, over: Parameters<typeof rs>[0] = {}): FakeWorld {
  const w = new FakeWorld();
  w.replicaSets.upsert(rs({ replicas, ...over }));
  return w;
}

describe('syncReplicaSet', () => {
  it('creates the missing pods in slow-start batches, with events, and reports status', async () => {
    const w = world(5);
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create web-')).length, 5);
    assert.equal(w.events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length, 5);
    assert.deepEqual(w.expectations.pending(KEY), { adds: 5, dels: 0 });
    assert.equal(w.actions.at(-1), 'status 0/0/0');
  });

  it('does not create twice while its cache has not seen its creations', async () => {
    const w = world(3);
    await w.sync(KEY);
    w.deliver(0); // one of three add events arrives
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 3);
    w.deliverAll();
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 3);
    assert.equal(w.replicaSets.get(KEY)?.status?.replicas, 3);
    assert.ok(w.queued.has(KEY), 'pod events enqueue their ReplicaSet');
  });

  it('deletes the least valuable surplus pods and waits to see the deletions', async () => {
    const w = world(1);
    w.seedPod(pod('ready', { owner: 'rs-uid', node: 'n1', phase: 'Running', ready: '2026-01-01T00:00:00Z' }));
    w.seedPod(pod('pending', { owner: 'rs-uid', node: 'n1' }));
    w.seedPod(pod('unbound', { owner: 'rs-uid' }));
    await w.sync(KEY);
    assert.deepEqual(w.actions.filter((a) => a.startsWith('delete')).sort(), ['delete pending', 'delete unbound']);
    assert.ok(w.events.includes('Normal SuccessfulDelete Deleted pod: unbound'));
    await w.sync(KEY); // cache still shows 3 pods: no second round
    assert.equal(w.actions.filter((a) => a.startsWith('delete')).length, 2);
    w.deliverAll();
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('delete') || a.startsWith('create')).length, 2);
  });

  it('adopts matching orphans and releases pods whose labels stopped matching', async () => {
    const w = world(2);
    w.seedPod(pod('orphan'));
    w.seedPod(pod('stray', { owner: 'rs-uid', labels: { app: 'other' } }));
    w.seedPod(pod('mine', { owner: 'rs-uid' }));
    await w.sync(KEY);
    assert.ok(w.actions.includes('owners orphan web'), w.actions.join('; '));
    assert.ok(w.actions.includes('owners stray '), w.actions.join('; '));
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 0, 'the adopted pod counts toward replicas');
    assert.equal(w.server.get('ns/stray')?.metadata.ownerReferences, undefined);
  });

  it('reports a failed create as FailedCreate and ReplicaFailure, stops the slow start, and retries', async () => {
    const w = world(4);
    w.createFailures.push(new ApiError('Forbidden', 'exceeded quota'));
    await assert.rejects(w.sync(KEY), /exceeded quota/);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 0, 'the first batch of 1 failed: nothing more is tried');
    assert.ok(w.events.includes('Warning FailedCreate Error creating: exceeded quota'));
    assert.equal(w.replicaSets.get(KEY)?.status?.conditions?.[0]?.reason, 'FailedCreate');
    assert.equal(w.expectations.satisfied(KEY), true, 'creations that never happened are not waited for');
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 4);
    w.deliverAll();
    await w.sync(KEY);
    assert.equal(w.replicaSets.get(KEY)?.status?.conditions, undefined, 'ReplicaFailure clears once creates succeed');
  });

  it('replaces a pod deleted behind its back once it sees the deletion', async () => {
    const w = world(2);
    await w.sync(KEY);
    w.deliverAll();
    const [victim] = w.ownedOnServer('rs-uid');
    w.killPod(`ns/${victim?.metadata.name ?? ''}`);
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 2, 'the cache still has the pod');
    w.deliverAll();
    await w.sync(KEY);
    assert.equal(w.ownedOnServer('rs-uid').length, 2);
  });

  it('does nothing for a ReplicaSet being deleted, and forgets a deleted one', async () => {
    const w = world(2, {});
    w.replicaSets.upsert(rs({ replicas: 2 }, { deletionTimestamp: '2026-01-01T00:00:00Z' }));
    await w.sync(KEY);
    assert.equal(w.actions.filter((a) => a.startsWith('create')).length, 0);
    w.replicaSets.delete(KEY);
    w.expectations.expectCreations(KEY, 1);
    await w.sync(KEY);
    assert.equal(w.expectations.pending(KEY), undefined);
  });

  it('re-syncs after minReadySeconds while ready pods are not yet available', async () => {
    const w = world(1, { minReadySeconds: 30 });
    w.seedPod(pod('p', { owner: 'rs-uid', node: 'n1', phase: 'Running', ready: new Date(w.clock.now()).toISOString() }));
    await w.sync(KEY);
    assert.deepEqual(w.later, [{ key: KEY, ms: 30_000 }]);
    assert.equal(w.replicaSets.get(KEY)?.status?.availableReplicas, 0);
    w.clock.advance(30_000);
    await w.sync(KEY);
    assert.equal(w.replicaSets.get(KEY)?.status?.availableReplicas, 1);
  });
});
