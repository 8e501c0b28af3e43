// sync(key) of the garbage collector. A key names one object of one resource (`<resource>|<namespace>/<name>`).
// - An object being deleted with the `orphan` finalizer: strip its uid from every dependent, then drop the finalizer.
// - An object being deleted with `foregroundDeletion`: delete its dependents; drop the finalizer once none of
//   those with blockOwnerDeletion remain (the API server then removes the object).
// - Any other object with owner references: when every owner is gone (uid no longer exists) or waiting in the
//   foreground, delete it; when only some are, drop those references.
// Owners missing from the cache are looked up on the server before anything is deleted: a lagging cache must never
// make the GC delete a live object's dependents.

import { isApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { lookupKind, type ResourceType } from '../../api/scheme.js';
import type { Indexer } from '../../machinery/store.js';
import { blockingDependents, decideDependent, FOREGROUND, ORPHAN, ownerState, pendingFinalizer, withoutOwners } from './decide.js';

export const OWNER_INDEX = 'ownerUid';

/** One watched resource: its type and its cache (indexed by OWNER_INDEX). */
export interface Watched {
  rt: ResourceType;
  store: Indexer<KubeObject>;
}

export interface GcWrites {
  /** The object on the server, or undefined when it does not exist. */
  getLive(rt: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** Delete with a uid precondition. */
  delete(rt: ResourceType, obj: KubeObject, propagationPolicy: 'Background' | 'Foreground'): Promise<void>;
  /** Replace ownerReferences, failing if they changed since `obj` was read. */
  setOwners(rt: ResourceType, obj: KubeObject, refs: OwnerReference[]): Promise<void>;
  /** Remove one finalizer, failing if the finalizers changed since `obj` was read. */
  removeFinalizer(rt: ResourceType, obj: KubeObject, finalizer: string): Promise<void>;
}

export interface GcDeps {
  /** By resource id (`pods`, `replicasets.apps`). */
  watched: ReadonlyMap<string, Watched>;
  writes: GcWrites;
}

/** The id informers and GC keys use for a resource: the plural, with `.group` outside the core group. */
export function resourceId(rt: Pick<ResourceType, 'plural' | 'group'>): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

export function gcKey(rt: ResourceType, obj: KubeObject): string {
  const { namespace, name = '' } = obj.metadata;
  return `${resourceId(rt)}|${rt.namespaced && namespace ? `${namespace}/${name}` : name}`;
}

/** The key of the owner a reference names, for a dependent in `namespace` (undefined when it cannot be resolved). */
export function ownerKey(ref: OwnerReference, namespace: string | undefined): { rt: ResourceType; key: string; objKey: string } | undefined {
  const rt = lookupKind(ref.apiVersion, ref.kind);
  if (!rt) return undefined;
  if (rt.namespaced && !namespace) return undefined;
  const objKey = rt.namespaced ? `${namespace ?? ''}/${ref.name}` : ref.name;
  return { rt, objKey, key: `${resourceId(rt)}|${objKey}` };
}

export function dependentsOf(deps: GcDeps, uid: string): { rt: ResourceType; obj: KubeObject }[] {
  const out: { rt: ResourceType; obj: KubeObject }[] = [];
  for (const w of deps.watched.values()) for (const obj of w.store.byIndex(OWNER_INDEX, uid)) out.push({ rt: w.rt, obj });
  return out;
}

export async function syncGarbage(deps: GcDeps, key: string): Promise<void> {
  const bar = key.indexOf('|');
  const watched = deps.watched.get(key.slice(0, bar));
  const obj = watched?.store.get(key.slice(bar + 1));
  if (!watched || !obj) return;
  const fin = pendingFinalizer(obj);
  if (fin === ORPHAN) return orphanDependents(deps, watched.rt, obj);
  if (fin === FOREGROUND) return deleteDependents(deps, watched.rt, obj);
  if (obj.metadata.deletionTimestamp || !obj.metadata.ownerReferences?.length) return;
  await collect(deps, watched.rt, obj);
}

async function orphanDependents(deps: GcDeps, rt: ResourceType, owner: KubeObject): Promise<void> {
  const uid = owner.metadata.uid ?? '';
  for (const d of dependentsOf(deps, uid)) await ignoreNotFound(deps.writes.setOwners(d.rt, d.obj, withoutOwners(d.obj, [uid])));
  await ignoreNotFound(deps.writes.removeFinalizer(rt, owner, ORPHAN));
}

async function deleteDependents(deps: GcDeps, rt: ResourceType, owner: KubeObject): Promise<void> {
  const uid = owner.metadata.uid ?? '';
  const dependents = dependentsOf(deps, uid);
  for (const d of dependents) {
    if (d.obj.metadata.deletionTimestamp) continue;
    const policy = dependentsOf(deps, d.obj.metadata.uid ?? '').length ? 'Foreground' : 'Background';
    await ignoreNotFound(deps.writes.delete(d.rt, d.obj, policy));
  }
  // Dependents being deleted still block until they are gone; their delete events bring the owner back here.
  if (
    blockingDependents(
      uid,
      dependents.map((d) => d.obj),
    ).length === 0
  )
    await ignoreNotFound(deps.writes.removeFinalizer(rt, owner, FOREGROUND));
}

async function collect(deps: GcDeps, rt: ResourceType, obj: KubeObject): Promise<void> {
  const refs: { ref: OwnerReference; state: ReturnType<typeof ownerState> }[] = [];
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const at = ownerKey(ref, obj.metadata.namespace);
    // An owner of a kind this server does not know cannot be checked: count it as present (never delete for it).
    if (!at) {
      refs.push({ ref, state: 'solid' });
      continue;
    }
    const cached = deps.watched.get(resourceId(at.rt))?.store.get(at.objKey);
    const owner = cached?.metadata.uid === ref.uid ? cached : await deps.writes.getLive(at.rt, obj.metadata.namespace, ref.name);
    refs.push({ ref, state: ownerState(ref, owner) });
  }
  const action = decideDependent(refs, dependentsOf(deps, obj.metadata.uid ?? '').length > 0);
  if (action.type === 'removeRefs') await ignoreNotFound(deps.writes.setOwners(rt, obj, withoutOwners(obj, action.uids)));
  else if (action.type === 'delete') await ignoreNotFound(deps.writes.delete(rt, obj, action.propagationPolicy));
}

async function ignoreNotFound(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isApiError(e, 'NotFound')) throw e;
  }
}
