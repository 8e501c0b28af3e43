// The `kube-system/kube-dns` Service that pods' resolv.conf points at: cluster IP 10.96.0.10 (the
// agent's --cluster-dns), port 53 over UDP and TCP, no selector, and an Endpoints object written
// here pointing at wherever this DNS server listens (the endpoints controller mirrors it into an
// EndpointSlice; the service proxy DNATs the cluster IP to it). Kept on every start, so a server
// that moved (another address or port) repoints it.

import { ApiError } from '../api/errors.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Endpoints, Service } from '../api/services.js';
import type { Client } from '../client/client.js';

const SERVICES = lookupResource('', 'v1', 'services') as ResourceType;
const ENDPOINTS = lookupResource('', 'v1', 'endpoints') as ResourceType;

export const DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns' } as const;
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';
const LABELS = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'MiniK8sDNS' };

export function dnsService(clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: DNS_SERVICE.name, namespace: DNS_SERVICE.namespace, labels: LABELS },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      ],
    },
  };
}

export function dnsEndpoints(address: string, port: number): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: DNS_SERVICE.name, namespace: DNS_SERVICE.namespace, labels: LABELS },
    subsets: [
      {
        addresses: [{ ip: address }],
        ports: [
          { name: 'dns', protocol: 'UDP', port },
          { name: 'dns-tcp', protocol: 'TCP', port },
        ],
      },
    ],
  };
}

const isReason = (e: unknown, reason: string): boolean => e instanceof ApiError && e.reason === reason;

/** Creates the Service if missing (an existing one is left as users changed it) and writes its Endpoints. */
export async function ensureDnsService(client: Client, opts: { clusterIP: string; address: string; port: number }): Promise<void> {
  const scope = { namespace: DNS_SERVICE.namespace };
  try {
    await client.resource<Service>(SERVICES).create(dnsService(opts.clusterIP), scope);
  } catch (e) {
    if (!isReason(e, 'AlreadyExists')) throw e;
  }
  const eps = client.resource<Endpoints>(ENDPOINTS);
  const want = dnsEndpoints(opts.address, opts.port);
  for (let attempt = 0; ; attempt++) {
    try {
      const cur = await eps.get(DNS_SERVICE.name, scope);
      await eps.update({ ...want, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, ...LABELS } } });
      return;
    } catch (e) {
      if (isReason(e, 'NotFound')) {
        try {
          await eps.create(want, scope);
          return;
        } catch (c) {
          if (!isReason(c, 'AlreadyExists') || attempt > 3) throw c;
          continue;
        }
      }
      if (!isReason(e, 'Conflict') || attempt > 3) throw e;
    }
  }
}
