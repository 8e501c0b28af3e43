// Wiring for the ReplicaSet controller: informer handlers that only enqueue keys (and count expectations down),
// the client-backed writes, and the loop. The decisions are in decide.ts, the sync in sync.ts.

import { isApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import { Expectations } from '../../machinery/expectations.js';
import type { InformerEvent } from '../../machinery/informer.js';
import { NAMESPACE_INDEX } from '../../machinery/informer.js';
import { objectKey, type Indexer } from '../../machinery/store.js';
import { controllerRef, isPodReady, type Pod, type ReplicaSet } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { RS_KIND, selects, type RsStatus } from './decide.js';
import { syncReplicaSet, type ReplicaSetWrites } from './sync.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const REPLICASETS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;

export function clientWrites(client: Client): ReplicaSetWrites {
  const pods = client.resource<Pod>(PODS);
  const rss = client.resource<ReplicaSet>(REPLICASETS);
  return {
    createPod: (pod) => pods.create(pod, { namespace: pod.metadata.namespace ?? 'default' }),
    deletePod: async (pod) => {
      await pods.delete(pod.metadata.name ?? '', { namespace: pod.metadata.namespace ?? 'default', preconditions: { uid: pod.metadata.uid ?? '' } });
    },
    setPodOwners: async (pod, refs: OwnerReference[]) => {
      // A JSON patch guarded by `test`s: it fails (and sync retries from a fresher cache) if the pod was replaced
      // or someone else changed its owners meanwhile.
      const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: pod.metadata.uid }];
      const cur = pod.metadata.ownerReferences;
      if (cur) ops.push({ op: 'test', path: '/metadata/ownerReferences', value: cur });
      ops.push(refs.length ? { op: 'add', path: '/metadata/ownerReferences', value: refs } : { op: 'remove', path: '/metadata/ownerReferences' });
      await pods.patch(pod.metadata.name ?? '', 'json', ops, { namespace: pod.metadata.namespace ?? 'default' });
    },
    updateStatus: async (rs, status: RsStatus) => {
      try {
        await rss.update({ ...rs, status }, { subresource: 'status' });
      } catch (e) {
        // Our own last status write usually outran the cache: the status is computed from the pods, so write it
        // over the fresh object once (as Kubernetes' updateReplicaSetStatus does) instead of failing the sync.
        if (!isApiError(e, 'Conflict')) throw e;
        const fresh = await rss.get(rs.metadata.name ?? '', { namespace: rs.metadata.namespace ?? 'default' });
        if (fresh.metadata.uid !== rs.metadata.uid) return;
        await rss.update(
          { ...fresh, status: { ...status, observedGeneration: Math.min(status.observedGeneration ?? 0, fresh.metadata.generation ?? 0) } },
          { subresource: 'status' },
        );
      }
    },
  };
}

/** The RS key a pod's controller reference names, if that is a ReplicaSet. */
function ownerKey(pod: Pod, ref: OwnerReference | undefined): string | undefined {
  return ref?.kind === RS_KIND ? `${pod.metadata.namespace ?? 'default'}/${ref.name}` : undefined;
}

function sameOwners(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata.ownerReferences ?? []) === JSON.stringify(b.metadata.ownerReferences ?? []);
}

function sameLabels(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) === JSON.stringify(b.metadata.labels ?? {});
}

/**
 * The pod handler: counts expectations down (a create seen, a deletion seen: the pod got a deletionTimestamp, or
 * vanished without one) and enqueues the RS that controls the pod, or, for an orphan, every RS that selects it.
 */
export function podHandler(opts: {
  replicaSets: Indexer<ReplicaSet>;
  expectations: Expectations;
  enqueue: (key: string) => void;
  enqueueAfter: (key: string, ms: number) => void;
}): (e: InformerEvent<Pod>) => void {
  const { replicaSets, expectations, enqueue } = opts;
  /** The controlling RS's key, only if that RS is the one in the cache (same uid). */
  const controller = (pod: Pod): string | undefined => {
    const ref = controllerRef(pod);
    const key = ownerKey(pod, ref);
    if (!key || !ref) return undefined;
    return replicaSets.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const enqueueSelecting = (pod: Pod): void => {
    for (const rs of replicaSets.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? 'default')) if (selects(rs, pod)) enqueue(objectKey(rs));
  };
  return (e) => {
    const pod = e.next;
    if (e.type === 'add') {
      const key = controller(pod);
      if (pod.metadata.deletionTimestamp) {
        if (key) {
          expectations.deletionObserved(key);
          enqueue(key);
        }
        return;
      }
      if (key) {
        expectations.creationObserved(key);
        enqueue(key);
      } else if (!controllerRef(pod)) enqueueSelecting(pod);
      return;
    }
    if (e.type === 'delete') {
      const key = controller(e.prev) ?? ownerKey(e.prev, controllerRef(e.prev));
      if (!key) return;
      if (!e.prev.metadata.deletionTimestamp) expectations.deletionObserved(key);
      enqueue(key);
      return;
    }
    const { prev } = e;
    const key = controller(pod);
    if (pod.metadata.deletionTimestamp && !prev.metadata.deletionTimestamp && key) expectations.deletionObserved(key);
    if (!sameOwners(prev, pod)) {
      const oldKey = ownerKey(prev, controllerRef(prev));
      if (oldKey) enqueue(oldKey);
    }
    if (key) {
      enqueue(key);
      const rs = replicaSets.get(key);
      const minReady = rs?.spec.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod) && !isPodReady(prev)) opts.enqueueAfter(key, minReady * 1000 + 1000);
    } else if (!controllerRef(pod) && (!sameLabels(prev, pod) || !sameOwners(prev, pod))) enqueueSelecting(pod);
  };
}

export function startReplicaSetController(ctx: ControllerContext): RunningController {
  const rsInformer = ctx.informers.informerFor<ReplicaSet>('replicasets.apps');
  const podInformer = ctx.informers.informerFor<Pod>('pods');
  const expectations = new Expectations({ clock: ctx.clock });
  const recorder = ctx.recorder('replicaset-controller');
  const loop = startLoop(ctx, {
    name: 'replicaset',
    waitFor: [rsInformer, podInformer],
    sync: (key) =>
      syncReplicaSet(
        {
          replicaSets: rsInformer.store,
          pods: podInformer.store,
          writes: clientWrites(ctx.client),
          expectations,
          recorder,
          clock: ctx.clock,
          enqueueAfter: (k, ms) => loop.enqueueAfter(k, ms),
        },
        key,
      ),
  });
  const offRs = rsInformer.addHandler((e) => {
    const key = objectKey(e.next);
    if (e.type === 'delete') expectations.delete(key);
    loop.enqueue(key);
  });
  const offPods = podInformer.addHandler(
    podHandler({ replicaSets: rsInformer.store, expectations, enqueue: (k) => loop.enqueue(k), enqueueAfter: (k, ms) => loop.enqueueAfter(k, ms) }),
  );
  return {
    stop: async () => {
      offRs();
      offPods();
      await loop.stop();
    },
  };
}
