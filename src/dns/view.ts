// The zone's view of the cluster, read from the process's shared informer caches (Services and
// Endpoints): lookups are map reads, so a query never waits on the API server.

import type { Endpoints, Service } from '../api/services.js';
import type { Indexer } from '../machinery/store.js';
import type { ClusterView, EndpointsView, ServiceView } from './zone.js';

export function serviceView(svc: Service): ServiceView {
  const spec = svc.spec;
  const out: ServiceView = {
    ports: (spec.ports ?? []).map((p) => ({ port: p.port, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) })),
  };
  if (spec.clusterIP) out.clusterIP = spec.clusterIP;
  if (spec.type) out.type = spec.type;
  if (typeof spec.externalName === 'string') out.externalName = spec.externalName;
  return out;
}

export function endpointsView(ep: Endpoints): EndpointsView {
  const subsets = ep.subsets ?? [];
  return {
    addresses: subsets.flatMap((s) => (s.addresses ?? []).map((a) => ({ ip: a.ip, ...(a.hostname ? { hostname: a.hostname } : {}) }))),
    ports: subsets.flatMap((s) =>
      (s.ports ?? []).map((p) => ({ port: p.port, ...(p.name ? { name: p.name } : {}), ...(p.protocol ? { protocol: p.protocol } : {}) })),
    ),
  };
}

export function informerView(services: Indexer<Service>, endpoints: Indexer<Endpoints>): ClusterView {
  return {
    service: (ns, name) => {
      const s = services.get(`${ns}/${name}`);
      return s ? serviceView(s) : undefined;
    },
    endpoints: (ns, name) => {
      const e = endpoints.get(`${ns}/${name}`);
      return e ? endpointsView(e) : undefined;
    },
  };
}
