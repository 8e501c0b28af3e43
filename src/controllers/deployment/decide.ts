// decide(snapshot) → plan: the whole Deployment decision as one pure function. Given the Deployment, the
// ReplicaSets it controls, which of their pods still run and the time, it returns the writes that move the
// Deployment one step towards its spec. sync.ts reads the snapshot from the informers and applies the plan.

import type { Deployment, ReplicaSet } from '../api.js';
import { syncRevision } from './newrs.js';
import { calculateStatus, isComplete, rolloutStatus } from './status.js';
import { cleanup, isScalingEvent, newRSReplicas, proportionalScale, reconcileNewRS, reconcileOldRSs, scaleDownOldForRecreate } from './strategies.js';
import { isRollingUpdate, sumActual } from './util.js';
import { Work, type Plan } from './work.js';

export type { Action, Plan, PlannedEvent } from './work.js';

export interface Snapshot {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls (controller owner reference with its uid). */
  replicaSets: readonly ReplicaSet[];
  /** Per ReplicaSet uid: how many of its pods have not finished (Recreate waits for the old ones to be gone). */
  runningPods: ReadonlyMap<string, number>;
  now: number;
}

export function decide(snap: Snapshot): Plan {
  const w = new Work(snap.deployment, snap.replicaSets, snap.now);
  if (w.d.metadata.deletionTimestamp) {
    const { newRS } = syncRevision(w, { create: false });
    calculateStatus(w, newRS);
    return w.plan(snap.deployment, undefined);
  }
  pausedConditions(w);
  if (w.d.spec.paused || scalingOnly(w)) return scaleOnly(w, snap);
  return isRollingUpdate(w.d) ? rolling(w, snap) : recreate(w, snap);
}

/** Progressing says DeploymentPaused while paused, DeploymentResumed once resumed (until the rollout moves). */
function pausedConditions(w: Work): void {
  if (w.d.spec.progressDeadlineSeconds === undefined) return;
  const reason = w.condition('Progressing')?.reason;
  if (w.d.spec.paused && reason !== 'DeploymentPaused')
    w.setCondition({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
  else if (!w.d.spec.paused && reason === 'DeploymentPaused')
    w.setCondition({ type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' });
}

function scalingOnly(w: Work): boolean {
  syncRevision(w, { create: false });
  return isScalingEvent(w);
}

/** Paused or resized: sizes follow spec.replicas, no new template is rolled out. */
function scaleOnly(w: Work, snap: Snapshot): Plan {
  const { newRS, oldRSs } = syncRevision(w, { create: false });
  proportionalScale(w, newRS, oldRSs);
  if (w.d.spec.paused) cleanup(w, oldRSs);
  calculateStatus(w, newRS);
  return w.plan(snap.deployment, undefined);
}

function rolling(w: Work, snap: Snapshot): Plan {
  const { newRS, oldRSs } = syncRevision(w, { create: true, initialReplicas: (x) => newRSReplicas(x, undefined) });
  if (newRS && !reconcileNewRS(w, newRS) && !reconcileOldRSs(w, newRS, oldRSs)) {
    if (isComplete(w.d, w.d.status ?? {})) cleanup(w, oldRSs);
  }
  return w.plan(snap.deployment, rolloutStatus(w, newRS));
}

function recreate(w: Work, snap: Snapshot): Plan {
  let { newRS, oldRSs } = syncRevision(w, { create: false });
  if (scaleDownOldForRecreate(w, oldRSs) || oldPodsRunning(oldRSs, snap.runningPods)) return w.plan(snap.deployment, rolloutStatus(w, newRS));
  if (!newRS) ({ newRS, oldRSs } = syncRevision(w, { create: true }));
  if (newRS) w.scale(newRS, w.d.spec.replicas ?? 1);
  if (isComplete(w.d, w.d.status ?? {})) cleanup(w, oldRSs);
  return w.plan(snap.deployment, rolloutStatus(w, newRS));
}

function oldPodsRunning(oldRSs: readonly ReplicaSet[], runningPods: ReadonlyMap<string, number>): boolean {
  if (sumActual(oldRSs) > 0) return true;
  return oldRSs.some((rs) => (runningPods.get(rs.metadata.uid ?? '') ?? 0) > 0);
}
