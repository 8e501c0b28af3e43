// The Deployment's status from its ReplicaSets, and its conditions: Available (enough pods available, given
// maxUnavailable) and Progressing (a rollout moved forward, finished, or made no progress for
// progressDeadlineSeconds). Progressing is only judged while a rollout runs, never while paused.

import type { Deployment, ReplicaSet } from '../api.js';
import type { Work } from './work.js';
import { hasProgressDeadline, maxUnavailable, replicasOf, sumActual, sumAvailable, sumReady, sumSpec } from './util.js';

type DeploymentStatus = NonNullable<Deployment['status']>;

/** Counts over all ReplicaSets, the Available condition, and the observed generation. */
export function calculateStatus(w: Work, newRS: ReplicaSet | undefined): void {
  const d = w.d;
  const available = sumAvailable(w.rss);
  const prev = d.status ?? {};
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sumActual(w.rss),
    updatedReplicas: newRS ? (newRS.status?.replicas ?? 0) : 0,
    readyReplicas: sumReady(w.rss),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sumSpec(w.rss) - available),
    ...(prev.collisionCount !== undefined ? { collisionCount: prev.collisionCount } : {}),
    ...(prev.conditions ? { conditions: prev.conditions } : {}),
  };
  d.status = status;
  if (available >= replicasOf(d) - maxUnavailable(d))
    w.setCondition({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  else w.setCondition({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
}

/** Every pod updated and available, none left over, and the latest spec observed. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Progress: more updated, ready or available pods, or fewer old ones, than the last recorded status. */
function isProgressing(before: DeploymentStatus, after: DeploymentStatus): boolean {
  const n = (v: number | undefined): number => v ?? 0;
  const oldBefore = n(before.replicas) - n(before.updatedReplicas);
  const oldAfter = n(after.replicas) - n(after.updatedReplicas);
  return (
    n(after.updatedReplicas) > n(before.updatedReplicas) ||
    oldAfter < oldBefore ||
    n(after.readyReplicas) > n(before.readyReplicas) ||
    n(after.availableReplicas) > n(before.availableReplicas)
  );
}

function timedOut(w: Work): boolean {
  const c = w.condition('Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + (w.d.spec.progressDeadlineSeconds ?? 0) * 1000 < w.now;
}

/**
 * Status for a sync that rolls out: the counts, then Progressing. Returns when to look again if the rollout is
 * neither complete nor timed out (the deadline may pass without any event).
 */
export function rolloutStatus(w: Work, newRS: ReplicaSet | undefined): number | undefined {
  const before = structuredClone(w.d.status ?? {});
  const current = w.condition('Progressing');
  calculateStatus(w, newRS);
  const d = w.d;
  const after = d.status ?? {};
  if (!hasProgressDeadline(d)) {
    w.removeCondition('Progressing');
    return undefined;
  }
  const name = newRS?.metadata.name ?? '';
  const finished = after.replicas === after.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  if (!finished) {
    if (isComplete(d, after))
      w.setCondition({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` });
    else if (isProgressing(before, after)) {
      // Progress refreshes lastUpdateTime even when the reason stays, so the deadline counts from the last progress.
      const at = w.timestamp;
      const transition = current?.status === 'True' ? (current.lastTransitionTime ?? at) : at;
      w.removeCondition('Progressing');
      const message = newRS ? `ReplicaSet "${name}" is progressing.` : 'Deployment is progressing.';
      (after.conditions ??= []).push({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message, lastUpdateTime: at, lastTransitionTime: transition });
    } else if (timedOut(w))
      w.setCondition({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` });
  }
  const c = w.condition('Progressing');
  if (!c || isComplete(d, after) || c.reason === 'ProgressDeadlineExceeded') return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Math.max(1000, from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - w.now + 1000);
}
