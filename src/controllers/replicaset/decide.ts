// The ReplicaSet controller's decisions, as pure functions of the objects it read: which pods it owns, adopts or
// releases, which pods go first when scaling down, the pod a template makes, the slow-start batch sizes, and the
// status to report. sync.ts does the I/O around them.

import { matchesLabels, selectorFromSpec, type Requirement } from '../../api/selector.js';
import { controllerRef, isPodActive, isPodReady, newControllerRef, type Condition, type Pod, type ReplicaSet } from '../api.js';

export const RS_API_VERSION = 'apps/v1';
export const RS_KIND = 'ReplicaSet';

/** The RS's selector as requirements; an empty or malformed selector selects nothing (never every pod). */
export function rsSelector(rs: ReplicaSet): Requirement[] | undefined {
  try {
    const reqs = selectorFromSpec(rs.spec.selector);
    return reqs.length ? reqs : undefined;
  } catch {
    return undefined;
  }
}

export function selects(rs: ReplicaSet, pod: Pod): boolean {
  const sel = rsSelector(rs);
  return sel !== undefined && matchesLabels(sel, pod.metadata.labels);
}

export interface Claim {
  /** Pods this RS controls and still selects. */
  owned: Pod[];
  /** Orphans it selects: take them over (set its controller reference). */
  adopt: Pod[];
  /** Pods it controls but no longer selects: drop its controller reference. */
  release: Pod[];
}

/** Kubernetes' ControllerRefManager rules, over the pods of the RS's namespace. */
export function claimPods(rs: ReplicaSet, pods: readonly Pod[]): Claim {
  const claim: Claim = { owned: [], adopt: [], release: [] };
  const deleting = rs.metadata.deletionTimestamp !== undefined;
  for (const pod of pods) {
    if (pod.metadata.namespace !== rs.metadata.namespace) continue;
    const ref = controllerRef(pod);
    const match = selects(rs, pod);
    if (ref) {
      if (ref.uid !== rs.metadata.uid) continue; // someone else's
      if (match) claim.owned.push(pod);
      else if (!deleting) claim.release.push(pod);
    } else if (match && !deleting && !pod.metadata.deletionTimestamp) claim.adopt.push(pod);
  }
  return claim;
}

/** The pod the template makes: generateName `<rs>-`, the template's labels and annotations, the RS as controller. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t = rs.spec.template;
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name ?? ''}-`,
      namespace: rs.metadata.namespace ?? 'default',
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(rs, RS_API_VERSION, RS_KIND)],
    },
    spec: structuredClone(t.spec),
  };
}

/** Slow start: batches of 1, 2, 4, ... up to `total` in all (what Kubernetes' slowStartBatch does). */
export function slowStartBatches(total: number, initial = 1): number[] {
  const out: number[] = [];
  let left = total;
  for (let size = Math.min(left, initial); left > 0; size = Math.min(2 * size, left)) {
    out.push(size);
    left -= size;
  }
  return out;
}

function ms(ts: string | undefined): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function readySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c ? ms(c.lastTransitionTime ?? pod.status?.startTime ?? pod.metadata.creationTimestamp) : undefined;
}

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => Math.max(n, c.restartCount), 0);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Ranks pods from least to most valuable, as Kubernetes' ActivePodsWithRanks: unscheduled before scheduled, Pending
 * before Unknown before Running, not ready before ready, on a crowded node (more of these pods) before a quiet one,
 * ready for less time before longer, more restarts before fewer, younger before older. Negative: `a` goes first.
 */
export function compareForDeletion(a: Pod, b: Pod, onNode: (p: Pod) => number): number {
  const aBound = a.spec.nodeName ? 1 : 0;
  const bBound = b.spec.nodeName ? 1 : 0;
  if (aBound !== bBound) return aBound - bBound;
  const aPhase = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const bPhase = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (aPhase !== bPhase) return aPhase - bPhase;
  const aReady = isPodReady(a) ? 1 : 0;
  const bReady = isPodReady(b) ? 1 : 0;
  if (aReady !== bReady) return aReady - bReady;
  const crowd = onNode(b) - onNode(a);
  if (crowd !== 0) return crowd;
  if (aReady && bReady) {
    const since = (readySince(b) ?? 0) - (readySince(a) ?? 0);
    if (since !== 0) return since;
  }
  const r = restarts(b) - restarts(a);
  if (r !== 0) return r;
  return ms(b.metadata.creationTimestamp) - ms(a.metadata.creationTimestamp);
}

/** The `n` least valuable of `pods` (the RS's active pods), to delete when scaling down. */
export function podsToDelete(pods: readonly Pod[], n: number): Pod[] {
  if (n <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const onNode = (p: Pod): number => (p.spec.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, onNode)).slice(0, n);
}

/** Ready for at least `minReadySeconds` at `now` (ms). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

export type RsStatus = NonNullable<ReplicaSet['status']>;

/** What a failed create/delete round leaves in the ReplicaFailure condition. */
export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

function rfc3339(now: number): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The status the RS should report for its active pods. */
export function computeStatus(rs: ReplicaSet, active: readonly Pod[], opts: { now: number; failure?: ManageFailure | undefined }): RsStatus {
  const minReady = rs.spec.minReadySeconds ?? 0;
  const templateLabels = rs.spec.template.metadata?.labels ?? {};
  const fullyLabeled = active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
  const ready = active.filter((p) => isPodReady(p)).length;
  const available = active.filter((p) => isPodAvailable(p, minReady, opts.now)).length;
  const conditions: Condition[] = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const old = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (opts.failure) {
    const same = old && old.status === 'True' && old.reason === opts.failure.reason && old.message === opts.failure.message;
    conditions.push(
      same
        ? old
        : { type: 'ReplicaFailure', status: 'True', reason: opts.failure.reason, message: opts.failure.message, lastTransitionTime: rfc3339(opts.now) },
    );
  }
  const status: RsStatus = { replicas: active.length, fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available };
  if (rs.metadata.generation !== undefined) status.observedGeneration = rs.metadata.generation;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** The RS's active pods among `pods` (not finished, not being deleted). */
export function activePods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => isPodActive(p));
}
