// The garbage collector's decisions, pure: what state each owner reference is in, what to do with a dependent
// given its owners, and what an owner being deleted (foreground or orphan) still waits for.

import type { KubeObject, OwnerReference } from '../../api/meta.js';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

/**
 * An owner reference's state:
 * - solid: the owner exists with that uid (and is not waiting for its dependents);
 * - dangling: no object with that name and uid exists any more;
 * - waiting: the owner is being deleted in the foreground, waiting for its dependents to go.
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

export function ownerState(ref: OwnerReference, owner: KubeObject | undefined): OwnerState {
  if (!owner || owner.metadata.uid !== ref.uid) return 'dangling';
  if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND)) return 'waiting';
  return 'solid';
}

export type DependentAction =
  | { type: 'none' }
  /** Some owners remain: drop only the references to owners that are gone or going. */
  | { type: 'removeRefs'; uids: string[] }
  /** Every owner is gone or going: delete the dependent (foreground when an owner waits for it). */
  | { type: 'delete'; propagationPolicy: 'Background' | 'Foreground' };

/** Kubernetes' attemptToDeleteItem: what to do with a dependent whose owner references are in `states`. */
export function decideDependent(refs: readonly { ref: OwnerReference; state: OwnerState }[], hasDependents: boolean): DependentAction {
  if (refs.length === 0) return { type: 'none' };
  const solid = refs.filter((r) => r.state === 'solid');
  const gone = refs.filter((r) => r.state !== 'solid');
  if (solid.length > 0) return gone.length ? { type: 'removeRefs', uids: gone.map((r) => r.ref.uid) } : { type: 'none' };
  const waiting = refs.some((r) => r.state === 'waiting');
  // A dependent that has dependents of its own is deleted in the foreground when its owner waits, so the wait
  // covers the whole tree.
  return { type: 'delete', propagationPolicy: waiting && hasDependents ? 'Foreground' : 'Background' };
}

/** The finalizer the GC must act on for an object being deleted, if any (orphan first, as Kubernetes). */
export function pendingFinalizer(obj: KubeObject): typeof ORPHAN | typeof FOREGROUND | undefined {
  if (!obj.metadata.deletionTimestamp) return undefined;
  const f = obj.metadata.finalizers ?? [];
  if (f.includes(ORPHAN)) return ORPHAN;
  if (f.includes(FOREGROUND)) return FOREGROUND;
  return undefined;
}

/** Dependents that still hold up a foreground deletion of `ownerUid`: those whose reference blocks it. */
export function blockingDependents<T extends KubeObject>(ownerUid: string, dependents: readonly T[]): T[] {
  return dependents.filter((d) => d.metadata.ownerReferences?.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true));
}

/** The owner references of `obj` without those to `uids`. */
export function withoutOwners(obj: KubeObject, uids: readonly string[]): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
}
