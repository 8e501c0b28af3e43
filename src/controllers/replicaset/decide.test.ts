import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../api.js';
import { claimPods, computeStatus, isPodAvailable, podFromTemplate, podsToDelete, slowStartBatches } from './decide.js';
import { pod, rs } from './fake.js';

describe('ReplicaSet decisions', () => {
  it('claims: keeps its own matching pods, adopts matching orphans, releases its non-matching pods, ignores others', () => {
    const c = claimPods(rs(), [
      pod('mine', { owner: 'rs-uid' }),
      pod('orphan'),
      pod('orphan-other-labels', { labels: { app: 'db' } }),
      pod('stray', { owner: 'rs-uid', labels: { app: 'db' } }),
      pod('theirs', { owner: 'other-uid' }),
      pod('orphan-deleting', { deleting: true }),
    ]);
    assert.deepEqual(
      [c.owned, c.adopt, c.release].map((l) => l.map((p) => p.metadata.name)),
      [['mine'], ['orphan'], ['stray']],
    );
  });

  it('claims nothing new while the ReplicaSet is being deleted, and nothing with an empty selector', () => {
    const deleting = claimPods(rs({}, { deletionTimestamp: '2026-01-01T00:00:00Z' }), [pod('orphan'), pod('stray', { owner: 'rs-uid', labels: {} })]);
    assert.deepEqual([deleting.adopt.length, deleting.release.length], [0, 0]);
    assert.equal(claimPods(rs({ selector: {} }), [pod('orphan')]).adopt.length, 0);
  });

  it('makes pods from the template: generateName, labels, annotations, controller reference', () => {
    const p = podFromTemplate(rs());
    assert.equal(p.metadata.generateName, 'web-');
    assert.equal(p.metadata.namespace, 'ns');
    assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'fe' });
    assert.deepEqual(p.metadata.annotations, { a: 'b' });
    assert.deepEqual(p.metadata.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(p.spec, { containers: [{ name: 'c', image: 'busybox:1.36' }] });
  });

  it('creates in slow-start batches 1, 2, 4, ...', () => {
    assert.deepEqual(slowStartBatches(0), []);
    assert.deepEqual(slowStartBatches(1), [1]);
    assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
    assert.deepEqual(slowStartBatches(15), [1, 2, 4, 8]);
  });

  it('deletes the least valuable pods first: unscheduled, pending, not ready, crowded node, recently ready, restarts, youngest', () => {
    const ranked = (pods: Pod[]): string[] => podsToDelete(pods, pods.length).map((p) => p.metadata.name ?? '');
    assert.deepEqual(ranked([pod('bound', { node: 'n1' }), pod('unbound')]), ['unbound', 'bound']);
    assert.deepEqual(ranked([pod('running', { node: 'n1', phase: 'Running' }), pod('pending', { node: 'n1' })]), ['pending', 'running']);
    assert.deepEqual(
      ranked([pod('ready', { node: 'n1', phase: 'Running', ready: '2026-01-01T00:00:00Z' }), pod('notready', { node: 'n2', phase: 'Running' })]),
      ['notready', 'ready'],
    );
    const r = { phase: 'Running' as const, ready: '2026-01-01T00:00:00Z' };
    assert.deepEqual(
      ranked([
        pod('alone', { node: 'n1', ...r }),
        pod('crowd1', { node: 'n2', ...r, created: '2026-01-01T00:00:00Z' }),
        pod('crowd2', { node: 'n2', ...r, created: '2026-01-01T00:00:00Z' }),
      ]).slice(2),
      ['alone'],
    );
    assert.deepEqual(
      ranked([
        pod('old-ready', { node: 'n1', phase: 'Running', ready: '2026-01-01T00:00:00Z' }),
        pod('new-ready', { node: 'n2', phase: 'Running', ready: '2026-01-01T01:00:00Z' }),
      ]),
      ['new-ready', 'old-ready'],
    );
    assert.deepEqual(ranked([pod('calm', { node: 'n1', ...r, restarts: 0 }), pod('flappy', { node: 'n2', ...r, restarts: 5 })]), ['flappy', 'calm']);
    assert.deepEqual(ranked([pod('old', { created: '2026-01-01T00:00:00Z' }), pod('young', { created: '2026-01-02T00:00:00Z' })]), ['young', 'old']);
    assert.deepEqual(podsToDelete([pod('a'), pod('b')], 0), []);
  });

  it('counts a pod available only after minReadySeconds of readiness', () => {
    const p = pod('p', { phase: 'Running', ready: '2026-01-01T00:00:00Z' });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(isPodAvailable(p, 0, t0), true);
    assert.equal(isPodAvailable(p, 10, t0 + 9_000), false);
    assert.equal(isPodAvailable(p, 10, t0 + 10_000), true);
    assert.equal(isPodAvailable(pod('q'), 0, t0), false);
  });

  it('reports replicas, fully labeled, ready, available, observedGeneration and ReplicaFailure', () => {
    const t0 = Date.parse('2026-01-01T00:00:05Z');
    const pods = [
      pod('a', { phase: 'Running', ready: '2026-01-01T00:00:00Z' }),
      pod('b', { labels: { app: 'web' } }),
      pod('c', { phase: 'Running', ready: '2026-01-01T00:00:04Z' }),
    ];
    const s = computeStatus(rs({ minReadySeconds: 3 }), pods, { now: t0 });
    assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
    const failed = computeStatus(rs(), [], { now: t0, failure: { reason: 'FailedCreate', message: 'quota' } });
    assert.equal(failed.conditions?.[0]?.type, 'ReplicaFailure');
    assert.equal(failed.conditions?.[0]?.reason, 'FailedCreate');
    // The condition goes once a round succeeds.
    assert.equal(computeStatus({ ...rs(), status: failed }, [], { now: t0 }).conditions, undefined);
  });
});
