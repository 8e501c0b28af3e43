// Wiring for the garbage collector: one shared informer per kind in the scheme (Events aside: nothing owns them
// here, and they are the busiest kind), each indexed by owner uid; handlers only enqueue keys; the writes go
// through the client.

import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { RESOURCES, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import type { InformerEvent } from '../../machinery/informer.js';
import { byOwnerUid } from '../../machinery/store.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { pendingFinalizer } from './decide.js';
import { dependentsOf, gcKey, OWNER_INDEX, ownerKey, resourceId, syncGarbage, type GcDeps, type GcWrites, type Watched } from './sync.js';

/** The kinds the GC watches: every kind in the scheme but Event. */
export const GC_RESOURCES: readonly ResourceType[] = RESOURCES.filter((r) => r.kind !== 'Event');

export function clientGcWrites(client: Client): GcWrites {
  return {
    getLive: async (rt, namespace, name) => {
      try {
        return await client.resource(rt).get(name, rt.namespaced && namespace ? { namespace } : {});
      } catch (e) {
        if (isApiError(e, 'NotFound')) return undefined;
        throw e;
      }
    },
    delete: async (rt, obj, propagationPolicy) => {
      const ns = obj.metadata.namespace;
      await client
        .resource(rt)
        .delete(obj.metadata.name ?? '', { ...(ns ? { namespace: ns } : {}), propagationPolicy, preconditions: { uid: obj.metadata.uid ?? '' } });
    },
    setOwners: async (rt, obj, refs) => {
      const ops: unknown[] = [
        { op: 'test', path: '/metadata/uid', value: obj.metadata.uid },
        { op: 'test', path: '/metadata/ownerReferences', value: obj.metadata.ownerReferences ?? [] },
        refs.length ? { op: 'replace', path: '/metadata/ownerReferences', value: refs } : { op: 'remove', path: '/metadata/ownerReferences' },
      ];
      const ns = obj.metadata.namespace;
      await client.resource(rt).patch(obj.metadata.name ?? '', 'json', ops, ns ? { namespace: ns } : {});
    },
    removeFinalizer: async (rt, obj, finalizer) => {
      const cur = obj.metadata.finalizers ?? [];
      const rest = cur.filter((f) => f !== finalizer);
      const ops: unknown[] = [
        { op: 'test', path: '/metadata/uid', value: obj.metadata.uid },
        { op: 'test', path: '/metadata/finalizers', value: cur },
        rest.length ? { op: 'replace', path: '/metadata/finalizers', value: rest } : { op: 'remove', path: '/metadata/finalizers' },
      ];
      const ns = obj.metadata.namespace;
      await client.resource(rt).patch(obj.metadata.name ?? '', 'json', ops, ns ? { namespace: ns } : {});
    },
  };
}

function sameOwners(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata.ownerReferences ?? []) === JSON.stringify(b.metadata.ownerReferences ?? []);
}

/**
 * What to enqueue for an event on an object of `rt`: the object itself when it has owners or a GC finalizer to
 * act on; its owners when it went away or changed its references (a foreground owner may be waiting on it); its
 * dependents when it went away or started a foreground deletion (they may now be dangling or waiting).
 */
export function gcHandler(deps: GcDeps, rt: ResourceType, enqueue: (key: string) => void): (e: InformerEvent<KubeObject>) => void {
  const enqueueOwners = (obj: KubeObject): void => {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const at = ownerKey(ref, obj.metadata.namespace);
      if (at && deps.watched.has(resourceId(at.rt))) enqueue(at.key);
    }
  };
  const enqueueDependents = (obj: KubeObject): void => {
    for (const d of dependentsOf(deps, obj.metadata.uid ?? '')) enqueue(gcKey(d.rt, d.obj));
  };
  return (e) => {
    const obj = e.next;
    if (e.type === 'delete') {
      enqueueOwners(e.prev);
      enqueueDependents(e.prev);
      return;
    }
    if (obj.metadata.ownerReferences?.length || pendingFinalizer(obj)) enqueue(gcKey(rt, obj));
    if (e.type === 'update') {
      const startedDeleting = obj.metadata.deletionTimestamp !== undefined && e.prev.metadata.deletionTimestamp === undefined;
      if (!sameOwners(e.prev, obj)) enqueueOwners(e.prev);
      if (startedDeleting) {
        enqueueOwners(obj);
        enqueueDependents(obj);
      }
    }
  };
}

export function startGarbageCollector(ctx: ControllerContext): RunningController {
  const watched = new Map<string, Watched>();
  const informers = GC_RESOURCES.map((rt) => {
    const informer = ctx.informers.informerFor<KubeObject>(resourceId(rt));
    informer.addIndexers({ [OWNER_INDEX]: byOwnerUid });
    watched.set(resourceId(rt), { rt, store: informer.store });
    return { rt, informer };
  });
  const deps: GcDeps = { watched, writes: clientGcWrites(ctx.client) };
  // One waiter that waits for each cache in turn, so a dozen informers do not pile listeners on one abort signal.
  const allSynced = {
    waitForSync: async (signal?: AbortSignal): Promise<void> => {
      for (const { informer } of informers) await informer.waitForSync(signal);
    },
  };
  const loop = startLoop(ctx, { name: 'garbagecollector', waitFor: [allSynced], sync: (key) => syncGarbage(deps, key) });
  const offs = informers.map(({ rt, informer }) => informer.addHandler(gcHandler(deps, rt, (k) => loop.enqueue(k))));
  return {
    stop: async () => {
      for (const off of offs) off();
      await loop.stop();
    },
  };
}
