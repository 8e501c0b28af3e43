// What the proxy programs, in the terms of kube-proxy: one ServicePort per (Service, port), with its ready
// endpoints. Built purely from Services and EndpointSlices.

import type { EndpointSlice, Service } from '../api/services.js';
import { SERVICE_NAME_LABEL } from '../api/services.js';

export type Proto = 'tcp' | 'udp';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePort {
  /** `namespace/name/protocol/portName`: kube-proxy's service port name, used in chain names. */
  id: string;
  clusterIP: string;
  protocol: Proto;
  port: number;
  nodePort?: number;
  /** Set for `sessionAffinity: ClientIP`: how long a client sticks to its endpoint. */
  affinitySeconds?: number;
  /** Ready endpoints, sorted by address then port: the order round-robin cycles through. */
  endpoints: Endpoint[];
}

const DEFAULT_AFFINITY_SECONDS = 10800;

function ipNumber(ip: string): number {
  return ip.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
}

export function isIPv4(s: string | undefined): s is string {
  return typeof s === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
}

/** Every ServicePort the cluster's Services and EndpointSlices describe (headless and ExternalName ones excluded). */
export function servicePorts(services: readonly Service[], slices: readonly EndpointSlice[]): ServicePort[] {
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || s.addressType !== 'IPv4') continue;
    const key = `${s.metadata.namespace ?? 'default'}/${svc}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out: ServicePort[] = [];
  for (const svc of services) {
    const ip = svc.spec.clusterIP;
    if (!isIPv4(ip) || svc.spec.type === 'ExternalName') continue;
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const mySlices = byService.get(`${ns}/${name}`) ?? [];
    for (const sp of svc.spec.ports ?? []) {
      const protocol = (sp.protocol ?? 'TCP').toLowerCase();
      if (protocol !== 'tcp' && protocol !== 'udp') continue;
      const portName = sp.name ?? '';
      const seen = new Set<string>();
      const endpoints: Endpoint[] = [];
      for (const slice of mySlices) {
        const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP').toLowerCase() === protocol)?.port;
        if (port === undefined) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          const addr = ep.addresses[0];
          if (!isIPv4(addr) || seen.has(`${addr}:${port}`)) continue;
          seen.add(`${addr}:${port}`);
          endpoints.push({ ip: addr, port });
        }
      }
      endpoints.sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
      const wantsNodePort = svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
      out.push({
        id: `${ns}/${name}/${protocol}/${portName}`,
        clusterIP: ip,
        protocol,
        port: sp.port,
        ...(wantsNodePort && typeof sp.nodePort === 'number' ? { nodePort: sp.nodePort } : {}),
        ...(svc.spec.sessionAffinity === 'ClientIP'
          ? { affinitySeconds: svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS }
          : {}),
        endpoints,
      });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
