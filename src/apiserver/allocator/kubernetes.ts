// The `default/kubernetes` Service, kept by the API server as Kubernetes' does: the first address of the service
// range, port 443 (https) to the API server's own port at its advertise address. Its Endpoints carry
// `endpointslice.kubernetes.io/skip-mirror` because the API server writes the EndpointSlice itself.

import { networkInterfaces } from 'node:os';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { Registry } from '../registry.js';

const SERVICES = lookupResource('', 'v1', 'services') as ResourceType;
const ENDPOINTS = lookupResource('', 'v1', 'endpoints') as ResourceType;
const SLICES = lookupResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType;

/** The first non-loopback IPv4 address of this host: the default --advertise-address. */
export function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function put(registry: Registry, rt: ResourceType, obj: KubeObject): Promise<void> {
  const name = obj.metadata.name ?? '';
  try {
    await registry.update(rt, 'default', name, (cur) => ({ ...obj, metadata: { ...cur.metadata, labels: obj.metadata.labels ?? {} } }));
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    await registry.create(rt, 'default', obj);
  }
}

export async function ensureKubernetesService(registry: Registry, opts: { clusterIP: string; address: string; port: number }): Promise<void> {
  const meta = { name: 'kubernetes', namespace: 'default' };
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  try {
    await registry.get(SERVICES, 'default', 'kubernetes');
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    const spec = {
      type: 'ClusterIP',
      clusterIP: opts.clusterIP,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
      sessionAffinity: 'None',
    };
    await registry.create(SERVICES, 'default', { metadata: { ...meta, labels }, spec });
  }
  // The port the Service forwards to follows the API server (it may listen elsewhere after a restart).
  await registry.update(SERVICES, 'default', 'kubernetes', (cur) => {
    const spec = (cur.spec ?? {}) as Record<string, unknown>;
    return { ...cur, spec: { ...spec, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }] } };
  });
  await put(registry, ENDPOINTS, {
    metadata: { ...meta, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.address }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }],
  });
  await put(registry, SLICES, {
    metadata: { ...meta, labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'apiserver.minik8s.io' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }],
  });
}
