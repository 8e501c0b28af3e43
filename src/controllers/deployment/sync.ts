// sync(key) for one Deployment: read it, its ReplicaSets and their pods from the informers' caches, decide
// (decide.ts), then write the plan through the client: new ReplicaSets first, then resizes, deletions, and the
// Deployment's status last. A failed write throws, and the loop retries with backoff from a fresher cache.

import { isApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Indexer } from '../../machinery/store.js';
import { controllerRef, isPodActive, type Deployment, type Pod, type ReplicaSet } from '../api.js';
import { decide } from './decide.js';
import { equalIgnoreHash } from './util.js';

/** The writes sync makes; the controller backs them with the client, unit tests record them. */
export interface DeploymentWrites {
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** A PUT with the resourceVersion read: a Conflict when the cache was stale. */
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(rs: ReplicaSet): Promise<void>;
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet>;
  /** Status (and annotations) through the status subresource. */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
}

export const OWNER_INDEX = 'ownerUid';

export interface DeploymentSyncDeps {
  deployments: Indexer<Deployment>;
  /** Indexed by OWNER_INDEX (byOwnerUid). */
  replicaSets: Indexer<ReplicaSet>;
  /** Indexed by OWNER_INDEX (byOwnerUid). */
  pods: Indexer<Pod>;
  writes: DeploymentWrites;
  recorder: EventRecorder;
  now: () => number;
  enqueueAfter: (key: string, ms: number) => void;
}

/** The ReplicaSets `d` controls: a controller reference with its uid. */
export function replicaSetsOf(d: Deployment, replicaSets: Indexer<ReplicaSet>): ReplicaSet[] {
  const uid = d.metadata.uid ?? '';
  return replicaSets.byIndex(OWNER_INDEX, uid).filter((rs) => controllerRef(rs)?.uid === uid);
}

function runningPods(rss: readonly ReplicaSet[], pods: Indexer<Pod>): Map<string, number> {
  const out = new Map<string, number>();
  for (const rs of rss) {
    const uid = rs.metadata.uid ?? '';
    // A terminating pod may still run: it counts until it is gone (Recreate never overlaps old and new pods).
    const n = pods.byIndex(OWNER_INDEX, uid).filter((p) => controllerRef(p)?.uid === uid && (isPodActive(p) || !!p.metadata.deletionTimestamp)).length;
    if (n > 0) out.set(uid, n);
  }
  return out;
}

export async function syncDeployment(key: string, deps: DeploymentSyncDeps): Promise<void> {
  const d = deps.deployments.get(key);
  if (!d) return;
  const rss = replicaSetsOf(d, deps.replicaSets);
  const plan = decide({ deployment: d, replicaSets: rss, runningPods: runningPods(rss, deps.pods), now: deps.now() });
  let recorded = false;
  const record = (): void => {
    // The events describe the ReplicaSet writes: record them once those are done, before the status write.
    if (!recorded) for (const e of plan.events) deps.recorder.event(d, e.type, e.reason, e.message);
    recorded = true;
  };
  for (const a of plan.actions) {
    if (a.type === 'create') {
      if (!(await create(deps, d, a.rs))) return;
    } else if (a.type === 'update') await deps.writes.updateReplicaSet(a.rs);
    else if (a.type === 'delete') await deleteIgnoringGone(deps, a.rs);
    else {
      record();
      await deps.writes.updateDeploymentStatus(a.deployment);
    }
  }
  record();
  if (plan.requeueAfterMs !== undefined) deps.enqueueAfter(key, plan.requeueAfterMs);
}

/**
 * Create the new ReplicaSet. If the name is taken: by our own ReplicaSet with this template (the cache has not
 * seen it yet), stop here and let its event re-run the sync; by anything else (a hash collision), bump
 * status.collisionCount so the next sync picks another name.
 */
async function create(deps: DeploymentSyncDeps, d: Deployment, rs: ReplicaSet): Promise<boolean> {
  try {
    await deps.writes.createReplicaSet(rs);
    return true;
  } catch (e) {
    if (!isApiError(e, 'AlreadyExists')) throw e;
  }
  const existing = await deps.writes.getReplicaSet(rs.metadata.namespace ?? 'default', rs.metadata.name ?? '');
  if (controllerRef(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec.template, d.spec.template)) return false;
  const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
  await deps.writes.updateDeploymentStatus({ ...d, status });
  throw new Error(`replica set ${rs.metadata.name ?? ''} exists with another template: collisionCount is now ${status.collisionCount}`);
}

async function deleteIgnoringGone(deps: DeploymentSyncDeps, rs: ReplicaSet): Promise<void> {
  try {
    await deps.writes.deleteReplicaSet(rs);
  } catch (e) {
    if (!isApiError(e, 'NotFound')) throw e;
  }
}
