// sync(key) for one ReplicaSet: read it and its namespace's pods from the caches, claim pods (adopt, release),
// create or delete pods toward spec.replicas unless expectations say the cache is still catching up, then write
// the status. Throws to be retried. The writes go through a narrow interface so tests can record them.

import { isApiError } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Expectations } from '../../machinery/expectations.js';
import { NAMESPACE_INDEX } from '../../machinery/informer.js';
import type { Indexer } from '../../machinery/store.js';
import type { Clock } from '../../util/clock.js';
import type { Pod, ReplicaSet } from '../api.js';
import {
  activePods,
  claimPods,
  computeStatus,
  podFromTemplate,
  podsToDelete,
  RS_API_VERSION,
  RS_KIND,
  slowStartBatches,
  type ManageFailure,
  type RsStatus,
} from './decide.js';
import { newControllerRef } from '../api.js';
import { isDeepStrictEqual } from 'node:util';

/** Everything sync writes. */
export interface ReplicaSetWrites {
  createPod(pod: Pod): Promise<Pod>;
  /** Delete with a uid precondition, so a same-named successor is never hit. */
  deletePod(pod: Pod): Promise<void>;
  /** Replace the pod's ownerReferences, failing if the pod's uid or references changed since `pod` was read. */
  setPodOwners(pod: Pod, refs: OwnerReference[]): Promise<void>;
  updateStatus(rs: ReplicaSet, status: RsStatus): Promise<void>;
}

export interface ReplicaSetSyncDeps {
  replicaSets: Indexer<ReplicaSet>;
  pods: Indexer<Pod>;
  writes: ReplicaSetWrites;
  expectations: Expectations;
  recorder: EventRecorder;
  clock: Clock;
  /** Sync `key` again after `ms` (to notice pods becoming available after minReadySeconds). */
  enqueueAfter(key: string, ms: number): void;
  /** Most pods created or deleted in one sync (Kubernetes' burstReplicas, 500). */
  burstReplicas?: number;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export async function syncReplicaSet(deps: ReplicaSetSyncDeps, key: string): Promise<void> {
  const rs = deps.replicaSets.get(key);
  if (!rs) {
    deps.expectations.delete(key);
    return;
  }
  const needsSync = deps.expectations.satisfied(key);
  const ns = rs.metadata.namespace ?? 'default';
  const claim = claimPods(rs, deps.pods.byIndex(NAMESPACE_INDEX, ns));
  const owned = [...claim.owned, ...(await adoptAndRelease(deps, rs, claim.adopt, claim.release))];
  const active = activePods(owned);
  let failure: ManageFailure | undefined;
  let manageError: unknown;
  if (needsSync && !rs.metadata.deletionTimestamp) {
    try {
      await manageReplicas(deps, rs, key, active);
    } catch (e) {
      manageError = e;
      failure = { reason: e instanceof DeleteError ? 'FailedDelete' : 'FailedCreate', message: errorMessage(e) };
    }
  }
  const status = computeStatus(rs, active, { now: deps.clock.now(), failure });
  if (!isDeepStrictEqual(normalize(rs.status), normalize(status))) {
    try {
      await deps.writes.updateStatus(rs, status);
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e; // deleted meanwhile: its delete event ends it here
    }
  }
  if (manageError !== undefined) throw asError(manageError);
  const minReady = rs.spec.minReadySeconds ?? 0;
  if (minReady > 0 && status.readyReplicas !== status.availableReplicas && status.replicas === (rs.spec.replicas ?? 1)) {
    deps.enqueueAfter(key, minReady * 1000);
  }
}

function normalize(s: RsStatus | undefined): unknown {
  return JSON.parse(JSON.stringify(s ?? {})) as unknown;
}

/** Adopt orphans and release pods that stopped matching; returns the pods adopted. A pod that vanished is skipped. */
async function adoptAndRelease(deps: ReplicaSetSyncDeps, rs: ReplicaSet, adopt: Pod[], release: Pod[]): Promise<Pod[]> {
  const adopted: Pod[] = [];
  const uid = rs.metadata.uid ?? '';
  for (const pod of release) {
    try {
      await deps.writes.setPodOwners(
        pod,
        (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
  for (const pod of adopt) {
    try {
      await deps.writes.setPodOwners(pod, [...(pod.metadata.ownerReferences ?? []), newControllerRef(rs, RS_API_VERSION, RS_KIND)]);
      adopted.push(pod);
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
  return adopted;
}

class DeleteError extends Error {}

async function manageReplicas(deps: ReplicaSetSyncDeps, rs: ReplicaSet, key: string, active: Pod[]): Promise<void> {
  const burst = deps.burstReplicas ?? 500;
  const diff = active.length - (rs.spec.replicas ?? 1);
  if (diff < 0) await createPods(deps, rs, key, Math.min(-diff, burst));
  else if (diff > 0) await deletePods(deps, rs, key, podsToDelete(active, Math.min(diff, burst)));
}

async function createPods(deps: ReplicaSetSyncDeps, rs: ReplicaSet, key: string, n: number): Promise<void> {
  // Expect all n first: the add events of the first pods may arrive before the last create returns.
  deps.expectations.expectCreations(key, n);
  let done = 0;
  let firstError: unknown;
  for (const size of slowStartBatches(n)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => deps.writes.createPod(podFromTemplate(rs))));
    for (const r of results) {
      done++;
      if (r.status === 'fulfilled') {
        deps.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
        continue;
      }
      // The create never happened, so its add event will never come.
      deps.expectations.creationObserved(key);
      if (isApiError(r.reason, 'Forbidden') && /being terminated/.test(errorMessage(r.reason))) continue;
      firstError ??= r.reason;
      deps.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.reason)}`);
    }
    if (firstError !== undefined) break;
  }
  // Pods of batches never started will not be seen either.
  for (let i = done; i < n; i++) deps.expectations.creationObserved(key);
  if (firstError !== undefined) throw asError(firstError);
}

async function deletePods(deps: ReplicaSetSyncDeps, rs: ReplicaSet, key: string, victims: Pod[]): Promise<void> {
  deps.expectations.expectDeletions(key, victims.length);
  const results = await Promise.allSettled(victims.map((p) => deps.writes.deletePod(p)));
  let firstError: unknown;
  results.forEach((r, i) => {
    const name = victims[i]?.metadata.name ?? '';
    if (r.status === 'fulfilled') {
      deps.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      return;
    }
    deps.expectations.deletionObserved(key);
    if (isApiError(r.reason, 'NotFound')) return;
    firstError ??= r.reason;
    deps.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(r.reason)}`);
  });
  if (firstError !== undefined) throw new DeleteError(errorMessage(firstError));
}
