// The two rollout strategies and proportional scaling, as Kubernetes' deployment controller decides them, over
// the in-memory Work. Each step changes ReplicaSet sizes only; the next sync (triggered by the ReplicaSets'
// status changes) takes the next step. Counts of available pods never exceed a ReplicaSet's spec, so a scale-down
// still in flight is not counted twice.

import type { ReplicaSet } from '../api.js';
import type { Work } from './work.js';
import {
  activeOnly,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  effectiveAvailable,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  MAX_REPLICAS,
  replicasOf,
  specReplicas,
  sumAvailable,
  sumSpec,
  DESIRED_REPLICAS,
} from './util.js';

/** How big a new ReplicaSet may grow now: up to replicas + maxSurge pods in all (RollingUpdate), or all at once. */
export function newRSReplicas(w: Work, newRS: ReplicaSet | undefined): number {
  const d = w.d;
  const current = newRS ? specReplicas(newRS) : 0;
  if (!isRollingUpdate(d)) return replicasOf(d);
  const all = sumSpec(w.rss);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (all >= maxTotal) return current;
  return current + Math.max(0, Math.min(maxTotal - all, replicasOf(d) - current));
}

/** Grow (or shrink to size) the new ReplicaSet; true if its size changed. */
export function reconcileNewRS(w: Work, newRS: ReplicaSet): boolean {
  const want = replicasOf(w.d);
  const have = specReplicas(newRS);
  if (have === want) return false;
  if (have > want) return w.scale(newRS, want);
  return w.scale(newRS, newRSReplicas(w, newRS));
}

/**
 * Shrink old ReplicaSets without going below replicas - maxUnavailable available pods: first the pods that are
 * not available anyway (they cost nothing), then available ones, oldest ReplicaSet first.
 */
export function reconcileOldRSs(w: Work, newRS: ReplicaSet, oldRSs: ReplicaSet[]): boolean {
  const active = activeOnly(oldRSs).sort(byCreation);
  if (sumSpec(active) === 0) return false;
  const minAvailable = replicasOf(w.d) - maxUnavailable(w.d);
  const newUnavailable = specReplicas(newRS) - effectiveAvailable(newRS);
  const maxScaledDown = sumSpec(w.rss) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  let cleaned = 0;
  for (const rs of active) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = specReplicas(rs) - effectiveAvailable(rs);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    w.scale(rs, specReplicas(rs) - n);
    cleaned += n;
  }

  let scaled = 0;
  const budget = sumAvailable(w.rss) - minAvailable;
  for (const rs of active) {
    if (scaled >= budget) break;
    if (specReplicas(rs) === 0) continue;
    const n = Math.min(specReplicas(rs), budget - scaled);
    w.scale(rs, specReplicas(rs) - n);
    scaled += n;
  }
  return cleaned + scaled > 0;
}

/** Recreate: every old ReplicaSet to 0 at once; true if one changed. */
export function scaleDownOldForRecreate(w: Work, oldRSs: ReplicaSet[]): boolean {
  let scaled = false;
  for (const rs of activeOnly(oldRSs)) if (w.scale(rs, 0)) scaled = true;
  return scaled;
}

/** Drop the oldest old ReplicaSets beyond revisionHistoryLimit, only those fully scaled down and observed. */
export function cleanup(w: Work, oldRSs: ReplicaSet[]): void {
  const limit = w.d.spec.revisionHistoryLimit;
  if (limit === undefined) return;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const excess = alive.length - limit;
  for (const rs of alive.slice(0, Math.max(0, excess))) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    w.delete(rs);
  }
}

/** True when the Deployment's size changed since its active ReplicaSets were last sized (a scaling event, not a rollout). */
export function isScalingEvent(w: Work): boolean {
  const desired = String(replicasOf(w.d));
  return activeOnly(w.rss).some((rs) => {
    const v = rs.metadata.annotations?.[DESIRED_REPLICAS];
    return v !== undefined && v !== desired;
  });
}

/**
 * Resize for a changed spec.replicas. One active ReplicaSet (or none) takes it all; a saturated new one means the
 * old ones go; otherwise (mid-rollout) every active ReplicaSet grows or shrinks in proportion to its share, and
 * the rounding leftover goes to the largest.
 */
export function proportionalScale(w: Work, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const d = w.d;
  const active = activeOnly(newRS ? [...oldRSs, newRS] : oldRSs);
  if (active.length <= 1) {
    const target = active[0] ?? newRS ?? [...oldRSs].sort(byCreation).at(-1);
    if (target && specReplicas(target) !== replicasOf(d)) w.scale(target, replicasOf(d));
    return;
  }
  if (newRS && isSaturated(w, newRS)) {
    for (const rs of activeOnly(oldRSs)) w.scale(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(active);
  if (toAdd === 0) return;
  const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    const p = proportion(w, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  const first = ordered[0];
  if (first) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const rs of ordered) w.scale(rs, sizes.get(rs) ?? specReplicas(rs));
}

function isSaturated(w: Work, rs: ReplicaSet): boolean {
  const want = replicasOf(w.d);
  return rs.metadata.annotations?.[DESIRED_REPLICAS] === String(want) && specReplicas(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

function proportion(w: Work, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  const allowed = toAdd - added;
  const fraction = shareChange(w, rs);
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** How much `rs` should change to keep its share of the Deployment's new size (max-replicas annotation = old size). */
function shareChange(w: Work, rs: ReplicaSet): number {
  const d = w.d;
  if (replicasOf(d) === 0) return -specReplicas(rs);
  const newTotal = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
  const oldTotal = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
  if (oldTotal <= 0) return 0;
  return Math.round((specReplicas(rs) * newTotal) / oldTotal) - specReplicas(rs);
}
