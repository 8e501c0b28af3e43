// The small pure helpers the rollout decisions are built from: surge/unavailable arithmetic, the pod-template
// hash, template equality, revisions and replica counts over a set of ReplicaSets. Kubernetes' semantics
// (pkg/controller/deployment/util), written from its documented behaviour.

import {
  ANNOTATIONS_TO_SKIP,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  canonicalTemplate,
  equalIgnoreHash,
} from '../../api/podtemplate.js';
import type { Deployment, ReplicaSet } from '../api.js';

export { ANNOTATIONS_TO_SKIP, POD_TEMPLATE_HASH, canonicalTemplate, equalIgnoreHash };
export const REVISION = REVISION_ANNOTATION;
export const DESIRED_REPLICAS = DESIRED_REPLICAS_ANNOTATION;
export const MAX_REPLICAS = MAX_REPLICAS_ANNOTATION;

/** `spec.progressDeadlineSeconds` of MaxInt32 means "no deadline", as in Kubernetes. */
const NO_DEADLINE = 2147483647;

/** An int, or a percentage of `total` rounded up (surge) or down (unavailable). Malformed values count as 0. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return Math.max(0, Math.trunc(v));
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) return /^\d+$/.test(v.trim()) ? Number(v.trim()) : 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function replicasOf(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge and maxUnavailable resolved against spec.replicas; both 0 would deadlock, so unavailable becomes 1. */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** How many pods may be unavailable (never more than the replicas; 0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicasOf(d));
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== NO_DEADLINE;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The pod-template-hash: FNV-1a (32 bit) of the canonical template and the collision count, in a vowel-free alphabet. */
export function templateHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const text = canonicalTemplate(template) + (collisionCount === undefined ? '' : `#${collisionCount}`);
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length] ?? 'b').join('');
}

export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = Number(obj.metadata.annotations?.[REVISION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

export function specReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

/** Available pods an RS will still have once it has converged: never more than its spec (a scale-down in flight). */
export function effectiveAvailable(rs: ReplicaSet): number {
  return Math.min(specReplicas(rs), rs.status?.availableReplicas ?? 0);
}

export const sumSpec = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumActual = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
export const sumReady = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: readonly ReplicaSet[]): number => rss.reduce((n, rs) => n + effectiveAvailable(rs), 0);

export const activeOnly = (rss: readonly ReplicaSet[]): ReplicaSet[] => rss.filter((rs) => specReplicas(rs) > 0);

function created(rs: ReplicaSet): number {
  const t = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** Oldest first; ties broken by name so the order is total. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Larger first, newer first among equals (where a scale-up adds leftovers). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Larger first, older first among equals (where a scale-down takes leftovers). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}
