import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/events.js';
import { Store, byOwnerUid } from '../../machinery/store.js';
import type { Deployment, Pod, ReplicaSet } from '../api.js';
import { OWNER_INDEX, syncDeployment, type DeploymentSyncDeps, type DeploymentWrites } from './sync.js';
import { T0, deployment, replicaSet } from './testkit.js';
import { REVISION } from './util.js';

interface Recorded {
  writes: string[];
  events: string[];
  requeues: [string, number][];
}

function fixture(objs: { deployments: Deployment[]; replicaSets?: ReplicaSet[]; pods?: Pod[] }, override: Partial<DeploymentWrites> = {}): { deps: DeploymentSyncDeps; rec: Recorded } {
  const deployments = new Store<Deployment>({ freeze: 'deep' });
  const replicaSets = new Store<ReplicaSet>({ freeze: 'deep', indexers: { [OWNER_INDEX]: byOwnerUid } });
  const pods = new Store<Pod>({ freeze: 'deep', indexers: { [OWNER_INDEX]: byOwnerUid } });
  for (const d of objs.deployments) deployments.upsert(structuredClone(d));
  for (const rs of objs.replicaSets ?? []) replicaSets.upsert(structuredClone(rs));
  for (const p of objs.pods ?? []) pods.upsert(structuredClone(p));
  const rec: Recorded = { writes: [], events: [], requeues: [] };
  const writes: DeploymentWrites = {
    createReplicaSet: (rs) => {
      rec.writes.push(`create ${rs.metadata.name ?? ''} replicas=${rs.spec.replicas ?? ''}`);
      return Promise.resolve(rs);
    },
    updateReplicaSet: (rs) => {
      rec.writes.push(`update ${rs.metadata.name ?? ''} replicas=${rs.spec.replicas ?? ''} rv=${rs.metadata.resourceVersion ?? ''}`);
      return Promise.resolve(rs);
    },
    deleteReplicaSet: (rs) => {
      rec.writes.push(`delete ${rs.metadata.name ?? ''}`);
      return Promise.resolve();
    },
    getReplicaSet: (_ns, name) => Promise.reject(new ApiError('NotFound', `replicasets.apps "${name}" not found`)),
    updateDeploymentStatus: (d) => {
      rec.writes.push(`status revision=${d.metadata.annotations?.[REVISION] ?? ''} available=${d.status?.availableReplicas ?? ''} collisions=${d.status?.collisionCount ?? 0}`);
      return Promise.resolve(d);
    },
    ...override,
  };
  const recorder: EventRecorder = {
    event: (obj: KubeObject, type, reason, message) => rec.events.push(`${obj.metadata.name ?? ''} ${type} ${reason}: ${message}`),
    flush: () => Promise.resolve(),
  };
  const deps: DeploymentSyncDeps = {
    deployments,
    replicaSets,
    pods,
    writes,
    recorder,
    now: () => T0 + 60_000,
    enqueueAfter: (key, ms) => rec.requeues.push([key, ms]),
  };
  return { deps, rec };
}

describe('syncDeployment', () => {
  it('does nothing for a Deployment that is gone', async () => {
    const { deps, rec } = fixture({ deployments: [] });
    await syncDeployment('default/web', deps);
    assert.deepEqual(rec, { writes: [], events: [], requeues: [] });
  });

  it('creates the first ReplicaSet, writes the revision and status, records the event, and watches the deadline', async () => {
    const { deps, rec } = fixture({ deployments: [deployment()] });
    await syncDeployment('default/web', deps);
    assert.equal(rec.writes.length, 2, rec.writes.join('\n'));
    assert.match(rec.writes[0] ?? '', /^create web-\w+ replicas=3$/);
    assert.equal(rec.writes[1], 'status revision=1 available=0 collisions=0');
    assert.match(rec.events[0] ?? '', /^web Normal ScalingReplicaSet: Scaled up replica set web-\w+ to 3$/);
    assert.deepEqual(rec.requeues, [['default/web', 601_000]]);
  });

  it('reads only the ReplicaSets the Deployment controls, and writes resizes with the cached resourceVersion', async () => {
    const d = deployment({ image: 'web:2', generation: 2 });
    const mine = replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 });
    const fresh = replicaSet(d, { image: 'web:2', replicas: 1, revision: 2 });
    const foreign = { ...replicaSet(d, { image: 'web:9', replicas: 5, revision: 9 }), metadata: { ...replicaSet(d, { image: 'web:9', replicas: 5, revision: 9 }).metadata, ownerReferences: [] } };
    const { deps, rec } = fixture({ deployments: [d], replicaSets: [mine, fresh, foreign] });
    await syncDeployment('default/web', deps);
    assert.equal(rec.writes[0], `update ${mine.metadata.name ?? ''} replicas=2 rv=5`);
    assert.equal(rec.writes.some((w) => w.includes(foreign.metadata.name ?? '?')), false);
  });

  it('stops when its own new ReplicaSet already exists (stale cache) and bumps collisionCount for a foreign one', async () => {
    const d = deployment();
    const existing = replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 });
    const taken = (): Promise<ReplicaSet> => Promise.reject(new ApiError('AlreadyExists', 'exists'));
    const own = fixture({ deployments: [d] }, { createReplicaSet: taken, getReplicaSet: () => Promise.resolve(existing) });
    await syncDeployment('default/web', own.deps);
    assert.deepEqual(own.rec.writes, []);

    const other = { ...existing, metadata: { ...existing.metadata, ownerReferences: [] } };
    const foreign = fixture({ deployments: [d] }, { createReplicaSet: taken, getReplicaSet: () => Promise.resolve(other) });
    await assert.rejects(syncDeployment('default/web', foreign.deps), /collisionCount is now 1/);
    assert.deepEqual(foreign.rec.writes, ['status revision= available= collisions=1']);
  });

  it('deletes old ReplicaSets past the history limit, ignoring ones already gone; a failed write throws for a retry', async () => {
    const d = deployment({ image: 'web:3', generation: 3, revisionHistoryLimit: 0, status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 } });
    const rss = [replicaSet(d, { image: 'web:1', replicas: 0, revision: 1 }), replicaSet(d, { image: 'web:2', replicas: 0, revision: 2 }), replicaSet(d, { image: 'web:3', replicas: 3, revision: 3 })];
    const deleted: string[] = [];
    const { deps } = fixture(
      { deployments: [d], replicaSets: rss },
      {
        deleteReplicaSet: (rs) => {
          deleted.push(rs.metadata.uid ?? '');
          return rs.metadata.uid === 'rs-web:1' ? Promise.reject(new ApiError('NotFound', 'gone')) : Promise.resolve();
        },
      },
    );
    await syncDeployment('default/web', deps);
    assert.deepEqual(deleted, ['rs-web:1', 'rs-web:2']);

    const failing = fixture({ deployments: [deployment({ image: 'web:2' })], replicaSets: [rss[0] ?? rss[2] ?? replicaSet(d, { image: 'x', replicas: 0, revision: 1 })] }, {
      createReplicaSet: () => Promise.reject(new ApiError('InternalError', 'boom')),
    });
    await assert.rejects(syncDeployment('default/web', failing.deps), /boom/);
  });

  it('Recreate: waits while an old pod is still terminating', async () => {
    const d = deployment({ image: 'web:2', strategy: { type: 'Recreate' } });
    const old = replicaSet(d, { image: 'web:1', replicas: 0, available: 0, actual: 0, revision: 1 });
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-old-1', namespace: 'default', uid: 'p1', deletionTimestamp: new Date(T0).toISOString(), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: old.metadata.name ?? '', uid: old.metadata.uid ?? '', controller: true }] },
      spec: {},
      status: { phase: 'Running' },
    };
    const waiting = fixture({ deployments: [d], replicaSets: [old], pods: [pod] });
    await syncDeployment('default/web', waiting.deps);
    assert.equal(waiting.rec.writes.some((w) => w.startsWith('create')), false, waiting.rec.writes.join('\n'));
    const free = fixture({ deployments: [d], replicaSets: [old] });
    await syncDeployment('default/web', free.deps);
    assert.match(free.rec.writes[0] ?? '', /^create web-\w+ replicas=3$/);
  });
});
