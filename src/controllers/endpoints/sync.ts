// sync(key) for one Service: read the Service, its pods and what exists from the caches, write the difference.
// Endpoints are written only for Services with a selector (a selectorless Service's Endpoints belong to whoever
// wrote them); EndpointSlices are written for both, touching only slices this controller manages.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/meta.js';
import type { Endpoints, EndpointSlice, Service } from '../../api/services.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL, SKIP_MIRROR_LABEL } from '../../api/services.js';
import { NAMESPACE_INDEX } from '../../machinery/informer.js';
import { splitKey, type Indexer } from '../../machinery/store.js';
import type { Pod } from '../api.js';
import { desiredEndpoints, desiredSlices, MANAGED_BY, MIRRORED_BY, mirroredSlices } from './desired.js';

export type Kind = 'endpoints' | 'endpointslices';

/** The writes sync makes; the controller backs them with the client, tests record them. */
export interface EndpointWrites {
  create(kind: Kind, obj: KubeObject): Promise<void>;
  update(kind: Kind, obj: KubeObject): Promise<void>;
  delete(kind: Kind, namespace: string, name: string): Promise<void>;
}

export interface EndpointsSyncDeps {
  services: Indexer<Service>;
  pods: Indexer<Pod>;
  endpoints: Indexer<Endpoints>;
  slices: Indexer<EndpointSlice>;
  writes: EndpointWrites;
}

function ownSlices(deps: EndpointsSyncDeps, namespace: string, name: string): EndpointSlice[] {
  return deps.slices.byIndex(NAMESPACE_INDEX, namespace).filter((s) => {
    const labels = s.metadata.labels ?? {};
    return labels[SERVICE_NAME_LABEL] === name && (labels[MANAGED_BY_LABEL] === MANAGED_BY || labels[MANAGED_BY_LABEL] === MIRRORED_BY);
  });
}

/** The stored object with the desired content, keeping identity and resourceVersion; undefined when equal. */
function changed<T extends KubeObject>(cur: T, want: T, fields: readonly string[]): T | undefined {
  const same =
    fields.every((f) => isDeepStrictEqual((cur as Record<string, unknown>)[f] ?? null, (want as Record<string, unknown>)[f] ?? null)) &&
    isDeepStrictEqual(cur.metadata.labels ?? {}, want.metadata.labels ?? {}) &&
    isDeepStrictEqual(cur.metadata.ownerReferences ?? [], want.metadata.ownerReferences ?? []);
  if (same) return undefined;
  return {
    ...cur,
    ...want,
    metadata: { ...cur.metadata, labels: want.metadata.labels, ...(want.metadata.ownerReferences ? { ownerReferences: want.metadata.ownerReferences } : {}) },
  };
}

export async function syncEndpoints(deps: EndpointsSyncDeps, key: string): Promise<void> {
  const { namespace = 'default', name } = splitKey(key);
  const svc = deps.services.get(key);
  const slices = ownSlices(deps, namespace, name);
  if (!svc || svc.spec.type === 'ExternalName') {
    for (const s of slices) await deps.writes.delete('endpointslices', namespace, s.metadata.name ?? '');
    const ep = deps.endpoints.get(key);
    // Endpoints of a Service that is gone are removed; those of a live ExternalName Service are not ours.
    if (!svc && ep && !ep.metadata.labels?.[SKIP_MIRROR_LABEL]) await deps.writes.delete('endpoints', namespace, name);
    return;
  }
  const selector = svc.spec.selector && Object.keys(svc.spec.selector).length > 0;
  const pods = selector ? deps.pods.byIndex(NAMESPACE_INDEX, namespace) : [];
  let want: EndpointSlice[];
  if (selector) want = desiredSlices(svc, pods);
  else {
    const ep = deps.endpoints.get(key);
    want = ep?.metadata.labels?.[SKIP_MIRROR_LABEL] ? [] : mirroredSlices(svc, ep);
  }
  // Slices first: they are what the service proxies read, so a readiness change reaches them one write sooner.
  for (const s of want) {
    const cur = slices.find((c) => c.metadata.name === s.metadata.name);
    if (!cur) await deps.writes.create('endpointslices', s);
    else {
      const next = changed(cur, s, ['addressType', 'endpoints', 'ports']);
      if (next) await deps.writes.update('endpointslices', next);
    }
  }
  for (const c of slices)
    if (!want.some((s) => s.metadata.name === c.metadata.name)) await deps.writes.delete('endpointslices', namespace, c.metadata.name ?? '');
  if (!selector) return;
  const ep = desiredEndpoints(svc, pods);
  const cur = deps.endpoints.get(key);
  if (!cur) await deps.writes.create('endpoints', ep);
  else {
    const next = changed(cur, ep, ['subsets']);
    if (next) await deps.writes.update('endpoints', next);
  }
}
