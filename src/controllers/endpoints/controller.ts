// Wiring for the endpoints controller: handlers that only enqueue Service keys, client-backed writes, the loop.
// A pod event enqueues every Service in its namespace that selects it (before or after the change), so a pod that
// turns not-ready leaves its Services' endpoints as soon as its status reaches the informer.

import type { KubeObject } from '../../api/meta.js';
import { isApiError } from '../../api/errors.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Endpoints, EndpointSlice, Service } from '../../api/services.js';
import { SERVICE_NAME_LABEL } from '../../api/services.js';
import type { Client } from '../../client/client.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../machinery/informer.js';
import { objectKey } from '../../machinery/store.js';
import type { Pod } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { selects } from './desired.js';
import { syncEndpoints, type EndpointWrites, type Kind } from './sync.js';

const TYPES: Record<Kind, ResourceType> = {
  endpoints: lookupResource('', 'v1', 'endpoints') as ResourceType,
  endpointslices: lookupResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType,
};

export function clientWrites(client: Client): EndpointWrites {
  return {
    create: async (kind, obj) => {
      await client.resource(TYPES[kind]).create(obj, { namespace: obj.metadata.namespace ?? 'default' });
    },
    update: async (kind, obj) => {
      await client.resource(TYPES[kind]).update(obj);
    },
    delete: async (kind, namespace, name) => {
      try {
        await client.resource(TYPES[kind]).delete(name, { namespace });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    },
  };
}

/** What about a pod matters to endpoints: labels, IP, readiness, phase, deletion, node, containers' ports. */
function relevant(pod: Pod): string {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify([pod.metadata.labels, pod.status?.podIP, ready, pod.status?.phase, pod.metadata.deletionTimestamp, pod.spec.nodeName]);
}

export function startEndpointsController(ctx: ControllerContext): RunningController {
  const services = ctx.informers.informerFor<Service>('services');
  const pods = ctx.informers.informerFor<Pod>('pods');
  const endpoints = ctx.informers.informerFor<Endpoints>('endpoints');
  const slices = ctx.informers.informerFor<EndpointSlice>('endpointslices.discovery.k8s.io');
  const waitFor = [services, pods, endpoints, slices] as unknown as SharedInformer<KubeObject>[];
  const loop = startLoop(ctx, {
    name: 'endpoints',
    waitFor,
    sync: (key) =>
      syncEndpoints({ services: services.store, pods: pods.store, endpoints: endpoints.store, slices: slices.store, writes: clientWrites(ctx.client) }, key),
  });
  const forPod = (pod: Pod): void => {
    for (const svc of services.store.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? 'default')) if (selects(svc, pod)) loop.enqueue(objectKey(svc));
  };
  const offs = [
    services.addHandler((e) => loop.enqueue(objectKey(e.next))),
    pods.addHandler((e) => {
      if (e.type === 'update' && relevant(e.prev) === relevant(e.next)) return;
      if (e.prev) forPod(e.prev);
      forPod(e.next);
    }),
    // Someone else's change to what this controller writes is repaired; a selectorless Service's Endpoints are mirrored.
    endpoints.addHandler((e) => loop.enqueue(objectKey(e.next))),
    slices.addHandler((e) => {
      const svc = e.next.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) loop.enqueue(`${e.next.metadata.namespace ?? 'default'}/${svc}`);
    }),
  ];
  return {
    stop: async () => {
      for (const off of offs) off();
      await loop.stop();
    },
  };
}
