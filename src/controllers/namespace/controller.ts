// Wiring for the namespace controller: the namespaces informer enqueues namespaces being deleted; the writes go
// through the client (finalize is a PUT on the namespace's finalize subresource).

import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Client } from '../../client/client.js';
import type { Namespace } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { syncNamespace, type NamespaceWrites } from './sync.js';

const NAMESPACES = lookupResource('', 'v1', 'namespaces') as ResourceType;

export function clientNamespaceWrites(client: Client): NamespaceWrites {
  const namespaces = client.resource<Namespace>(NAMESPACES);
  return {
    list: async (rt, namespace) => (await client.resource(rt).list({ namespace })).items,
    delete: async (rt, obj) => {
      await client
        .resource(rt)
        .delete(obj.metadata.name ?? '', {
          namespace: obj.metadata.namespace ?? '',
          propagationPolicy: 'Background',
          preconditions: { uid: obj.metadata.uid ?? '' },
        });
    },
    finalize: async (ns, finalizers) => {
      const body: Namespace = { ...ns, spec: { ...ns.spec, finalizers } };
      await client.rest.json({ method: 'PUT', path: namespaces.path(undefined, ns.metadata.name ?? '', 'finalize'), body });
    },
    updateStatus: async (ns, status) => {
      await namespaces.update({ ...ns, status }, { subresource: 'status' });
    },
  };
}

export function startNamespaceController(ctx: ControllerContext): RunningController {
  const informer = ctx.informers.informerFor<Namespace>('namespaces');
  const writes = clientNamespaceWrites(ctx.client);
  const loop = startLoop(ctx, {
    name: 'namespace',
    waitFor: [informer],
    sync: (name) => syncNamespace({ namespaces: informer.store, writes, clock: ctx.clock, enqueueAfter: (n, ms) => loop.enqueueAfter(n, ms) }, name),
  });
  const off = informer.addHandler((e) => {
    if (e.type !== 'delete' && e.next.metadata.deletionTimestamp) loop.enqueue(e.next.metadata.name ?? '');
  });
  return {
    stop: async () => {
      off();
      await loop.stop();
    },
  };
}
