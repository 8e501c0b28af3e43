// What a Service's Endpoints and EndpointSlices should hold, as pure functions of the Service and the pods (or, for
// a Service without a selector, of its hand-written Endpoints, which are mirrored into slices).

import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSlice, Service, SliceEndpoint } from '../../api/services.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/services.js';
import { isPodReady, newControllerRef, type Pod } from '../api.js';

export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MIRRORED_BY = 'endpointslicemirroring-controller.k8s.io';

interface Backend {
  pod: Pod;
  ip: string;
  ready: boolean;
  terminating: boolean;
  serving: boolean;
  ports: EndpointPort[];
}

export function selects(svc: Service, pod: Pod): boolean {
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  if (pod.metadata.namespace !== svc.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

/** A named targetPort is looked up among the pod's container ports; undefined when the pod has no such port. */
export function resolveTargetPort(pod: Pod, target: number | string | undefined, fallback: number): number | undefined {
  if (target === undefined) return fallback;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const containers = Array.isArray(pod.spec['containers']) ? (pod.spec['containers'] as { ports?: { name?: string; containerPort?: number }[] }[]) : [];
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === target && typeof p.containerPort === 'number') return p.containerPort;
  return undefined;
}

function backends(svc: Service, pods: readonly Pod[]): Backend[] {
  const out: Backend[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || phase === 'Succeeded' || phase === 'Failed' || !selects(svc, pod)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp.targetPort, sp.port);
      if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
    }
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    const podReady = isPodReady(pod);
    const ready = !terminating && (podReady || svc.spec.publishNotReadyAddresses === true);
    out.push({ pod, ip, ready, terminating, serving: podReady || svc.spec.publishNotReadyAddresses === true, ports });
  }
  return out.sort((a, b) => compareIPs(a.ip, b.ip) || (a.pod.metadata.name ?? '').localeCompare(b.pod.metadata.name ?? ''));
}

function compareIPs(a: string, b: string): number {
  const n = (s: string): number => s.split('.').reduce((acc, x) => acc * 256 + Number(x), 0);
  return n(a) - n(b);
}

function signature(ports: readonly EndpointPort[]): string {
  return ports.map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port}`).join(',');
}

function groupByPorts(list: Backend[]): Map<string, Backend[]> {
  const groups = new Map<string, Backend[]>();
  for (const b of list) {
    const key = signature(b.ports);
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  return groups;
}

function address(b: Backend): EndpointAddress {
  const ref = { kind: 'Pod', namespace: b.pod.metadata.namespace ?? '', name: b.pod.metadata.name ?? '', uid: b.pod.metadata.uid ?? '' };
  return { ip: b.ip, ...(b.pod.spec.nodeName ? { nodeName: b.pod.spec.nodeName } : {}), targetRef: ref };
}

/** The Endpoints of a Service with a selector: ready addresses, the rest as notReadyAddresses, per port set. */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints {
  const subsets = [];
  for (const group of groupByPorts(backends(svc, pods).filter((b) => !b.terminating)).values()) {
    const ready = group.filter((b) => b.ready).map(address);
    const notReady = group.filter((b) => !b.ready).map(address);
    const ports = group[0]?.ports ?? [];
    if (ports.length === 0) continue;
    subsets.push({ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports });
  }
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name ?? '', namespace: svc.metadata.namespace ?? 'default', labels: { ...(svc.metadata.labels ?? {}) } },
    subsets,
  };
}

function sliceName(svc: Service, sig: string): string {
  const h = createHash('sha256').update(sig).digest('hex').slice(0, 5);
  return `${svc.metadata.name ?? ''}-${h}`;
}

function slice(svc: Service, sig: string, ports: EndpointPort[], endpoints: SliceEndpoint[], managedBy: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(svc, sig),
      namespace: svc.metadata.namespace ?? 'default',
      labels: { [SERVICE_NAME_LABEL]: svc.metadata.name ?? '', [MANAGED_BY_LABEL]: managedBy },
      ownerReferences: [newControllerRef(svc, 'v1', 'Service')],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

/** The EndpointSlices of a Service with a selector: one per distinct port set (one empty slice when none). */
export function desiredSlices(svc: Service, pods: readonly Pod[]): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const [sig, group] of groupByPorts(backends(svc, pods))) {
    const endpoints = group.map((b): SliceEndpoint => {
      const a = address(b);
      return {
        addresses: [b.ip],
        conditions: { ready: b.ready, serving: b.serving, terminating: b.terminating },
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      };
    });
    out.push(slice(svc, sig, group[0]?.ports ?? [], endpoints, MANAGED_BY));
  }
  return out.length ? out : [slice(svc, '', [], [], MANAGED_BY)];
}

/** A selectorless Service's Endpoints, mirrored into slices (one per subset). */
export function mirroredSlices(svc: Service, ep: Endpoints | undefined): EndpointSlice[] {
  const out: EndpointSlice[] = [];
  for (const sub of ep?.subsets ?? []) {
    const ports = (sub.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' }));
    const eps =
      (ready: boolean) =>
      (a: EndpointAddress): SliceEndpoint => ({
        addresses: [a.ip],
        conditions: { ready, serving: ready, terminating: false },
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    const endpoints = [...(sub.addresses ?? []).map(eps(true)), ...(sub.notReadyAddresses ?? []).map(eps(false))];
    const sig = signature(ports);
    const existing = out.find((s) => s.metadata.name === sliceName(svc, sig));
    if (existing) existing.endpoints = [...(existing.endpoints ?? []), ...endpoints];
    else out.push(slice(svc, sig, ports, endpoints, MIRRORED_BY));
  }
  return out;
}
