// Wiring for the Deployment controller: informer handlers that only enqueue Deployment keys, the client-backed
// writes, and the loop. The decisions are in decide.ts, the sync in sync.ts.

import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import type { InformerEvent } from '../../machinery/informer.js';
import { byOwnerUid, type Indexer } from '../../machinery/store.js';
import { controllerRef, type Deployment, type Pod, type ReplicaSet } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { OWNER_INDEX, syncDeployment, type DeploymentWrites } from './sync.js';

const DEPLOYMENTS = lookupResource('apps', 'v1', 'deployments') as ResourceType;
const REPLICASETS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;

export function clientWrites(client: Client): DeploymentWrites {
  const rss = client.resource<ReplicaSet>(REPLICASETS);
  const deployments = client.resource<Deployment>(DEPLOYMENTS);
  return {
    createReplicaSet: (rs) => rss.create(rs, { namespace: rs.metadata.namespace ?? 'default' }),
    updateReplicaSet: (rs) => rss.update(rs),
    deleteReplicaSet: async (rs) => {
      await rss.delete(rs.metadata.name ?? '', { namespace: rs.metadata.namespace ?? 'default', preconditions: { uid: rs.metadata.uid ?? '' } });
    },
    getReplicaSet: (namespace, name) => rss.get(name, { namespace }),
    updateDeploymentStatus: (d) => deployments.update(d, { subresource: 'status' }),
  };
}

/** The key of the Deployment controlling `obj` (a ReplicaSet), if that Deployment is the one cached (same uid). */
function ownerKey(obj: ReplicaSet, deployments: Indexer<Deployment>): string | undefined {
  const ref = controllerRef(obj);
  if (ref?.kind !== 'Deployment') return undefined;
  const key = `${obj.metadata.namespace ?? 'default'}/${ref.name}`;
  return deployments.get(key)?.metadata.uid === ref.uid ? key : undefined;
}

export function startDeploymentController(ctx: ControllerContext): RunningController {
  const deployments = ctx.informers.informerFor<Deployment>('deployments.apps');
  const replicaSets = ctx.informers.informerFor<ReplicaSet>('replicasets.apps');
  const pods = ctx.informers.informerFor<Pod>('pods');
  replicaSets.addIndexers({ [OWNER_INDEX]: byOwnerUid });
  pods.addIndexers({ [OWNER_INDEX]: byOwnerUid });
  const recorder = ctx.recorder('deployment-controller');
  const writes = clientWrites(ctx.client);

  const loop = startLoop(ctx, {
    name: 'deployment',
    waitFor: [deployments, replicaSets, pods],
    sync: (key) =>
      syncDeployment(key, {
        deployments: deployments.store,
        replicaSets: replicaSets.store,
        pods: pods.store,
        writes,
        recorder,
        now: () => ctx.clock.now(),
        enqueueAfter: (k, ms) => loop.enqueueAfter(k, ms),
      }),
  });

  deployments.addHandler((e) => loop.enqueue(`${e.next.metadata.namespace ?? 'default'}/${e.next.metadata.name ?? ''}`));
  replicaSets.addHandler((e: InformerEvent<ReplicaSet>) => {
    const key = ownerKey(e.next, deployments.store);
    if (key) loop.enqueue(key);
    if (e.type === 'update') {
      const before = ownerKey(e.prev, deployments.store);
      if (before && before !== key) loop.enqueue(before);
    }
  });
  // Recreate waits for the old pods to be gone: their deletion moves it on.
  pods.addHandler((e: InformerEvent<Pod>) => {
    if (e.type !== 'delete') return;
    const rsRef = controllerRef(e.next);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = replicaSets.store.get(`${e.next.metadata.namespace ?? 'default'}/${rsRef.name}`);
    const key = rs ? ownerKey(rs, deployments.store) : undefined;
    if (key && deployments.store.get(key)?.spec.strategy?.type === 'Recreate') loop.enqueue(key);
  });
  return loop;
}
