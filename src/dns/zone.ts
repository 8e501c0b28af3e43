// The cluster zone, answered from a read-only view of Services and Endpoints, following the
// Kubernetes DNS specification (github.com/kubernetes/dns, docs/specification.md):
//
//   <svc>.<ns>.svc.<domain>                 A: the cluster IP; headless: every ready endpoint's IP;
//                                           ExternalName: a CNAME to spec.externalName
//   <host>.<svc>.<ns>.svc.<domain>          A: a headless endpoint, by its hostname or its dashed IP
//   _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV: named ports (headless: one per endpoint)
//   <a-b-c-d>.<ns>.pod.<domain>             A: a-b-c-d, as kube-dns answers pod names
//
// A name in the zone that matches nothing is NXDOMAIN; a name that exists without records of the
// asked type is NODATA (NOERROR, no answers); both carry the zone's SOA. Names outside the zone
// get `undefined`: the server forwards them.

import { TYPE, CLASS_IN, RCODE, type Question, type ResourceRecord } from './message.js';

export const DEFAULT_TTL = 5;

export interface ServicePortView {
  name?: string;
  port: number;
  protocol?: string;
}

export interface ServiceView {
  /** An address, 'None' (headless), or absent (ExternalName). */
  clusterIP?: string;
  type?: string;
  externalName?: string;
  ports: ServicePortView[];
}

export interface EndpointAddressView {
  ip: string;
  hostname?: string;
}

export interface EndpointsView {
  addresses: EndpointAddressView[];
  ports: ServicePortView[];
}

/** What the zone reads: implemented over informer caches (view.ts) and by plain maps in tests. */
export interface ClusterView {
  service(namespace: string, name: string): ServiceView | undefined;
  /** Ready addresses of a service's Endpoints (all subsets together). */
  endpoints(namespace: string, name: string): EndpointsView | undefined;
}

export interface ZoneAnswer {
  rcode: number;
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

const IPV4 = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

function dashedIP(label: string): string | undefined {
  const m = IPV4.exec(label);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts.join('.') : undefined;
}

export class Zone {
  readonly domain: string;
  private readonly ttl: number;

  constructor(opts: { domain: string; ttl?: number }) {
    this.domain = opts.domain.replace(/\.$/, '').toLowerCase();
    this.ttl = opts.ttl ?? DEFAULT_TTL;
  }

  /** Whether a name belongs to this zone (the server forwards the others). */
  contains(name: string): boolean {
    const n = name.toLowerCase();
    return n === this.domain || n.endsWith(`.${this.domain}`);
  }

  soa(): ResourceRecord {
    return {
      name: this.domain,
      class: CLASS_IN,
      ttl: this.ttl,
      data: {
        type: 'SOA',
        mname: `ns.dns.${this.domain}`,
        rname: `hostmaster.${this.domain}`,
        serial: 1,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  answer(q: Question, view: ClusterView): ZoneAnswer | undefined {
    if (!this.contains(q.name)) return undefined;
    const rel = q.name.toLowerCase().slice(0, Math.max(0, q.name.length - this.domain.length - 1));
    const labels = rel === '' ? [] : rel.split('.');
    const found = this.lookup(labels, q, view);
    if (found === 'nxdomain') return { rcode: RCODE.NXDOMAIN, answers: [], authorities: [this.soa()], additionals: [] };
    const answers = found.records.filter((r) => q.type === TYPE.ANY || r.data.type === 'CNAME' || q.type === TYPE[r.data.type as keyof typeof TYPE]);
    return {
      rcode: RCODE.NOERROR,
      answers,
      authorities: answers.length ? [] : [this.soa()],
      additionals: answers.length ? found.additionals : [],
    };
  }

  private rr(name: string, data: ResourceRecord['data']): ResourceRecord {
    return { name, class: CLASS_IN, ttl: this.ttl, data };
  }

  /** The records a name holds (of every type), or NXDOMAIN. */
  private lookup(labels: string[], q: Question, view: ClusterView): { records: ResourceRecord[]; additionals: ResourceRecord[] } | 'nxdomain' {
    const none = { records: [], additionals: [] };
    const last = labels[labels.length - 1];
    // The zone apex and the empty non-terminals "svc", "<ns>.svc", "pod", "<ns>.pod" exist, with no records.
    if (labels.length === 0) return { records: [this.soa()], additionals: [] };
    if ((last === 'svc' || last === 'pod') && labels.length <= 2) return none;
    if (last === 'pod' && labels.length === 3) {
      const ip = dashedIP(labels[0] ?? '');
      return ip ? { records: [this.rr(q.name, { type: 'A', address: ip })], additionals: [] } : 'nxdomain';
    }
    if (last !== 'svc') return 'nxdomain';
    const [ns, svcName] = [labels[labels.length - 2] ?? '', labels[labels.length - 3] ?? ''];
    const svc = view.service(ns, svcName);
    if (!svc) return 'nxdomain';
    const svcFqdn = `${svcName}.${ns}.svc.${this.domain}`;
    const headless = svc.clusterIP === 'None';
    const eps = view.endpoints(ns, svcName);
    const hostOf = (a: EndpointAddressView): string => a.hostname ?? a.ip.replaceAll('.', '-');
    if (labels.length === 3) {
      if (svc.type === 'ExternalName' && svc.externalName)
        return { records: [this.rr(q.name, { type: 'CNAME', target: svc.externalName.replace(/\.$/, '') })], additionals: [] };
      if (!headless) return svc.clusterIP ? { records: [this.rr(q.name, { type: 'A', address: svc.clusterIP })], additionals: [] } : none;
      return { records: (eps?.addresses ?? []).map((a) => this.rr(q.name, { type: 'A', address: a.ip })), additionals: [] };
    }
    if (labels.length === 4) {
      if (!headless) return 'nxdomain';
      const host = labels[0] ?? '';
      const matches = (eps?.addresses ?? []).filter((a) => hostOf(a) === host);
      return matches.length ? { records: matches.map((a) => this.rr(q.name, { type: 'A', address: a.ip })), additionals: [] } : 'nxdomain';
    }
    if (labels.length === 5 && labels[0]?.startsWith('_') && labels[1]?.startsWith('_')) {
      const portName = labels[0].slice(1);
      const proto = labels[1].slice(1).toUpperCase();
      const named = (p: ServicePortView): boolean => p.name === portName && (p.protocol ?? 'TCP').toUpperCase() === proto;
      if (!headless) {
        const port = svc.ports.find(named);
        if (!port) return 'nxdomain';
        return {
          records: [this.rr(q.name, { type: 'SRV', priority: 0, weight: 100, port: port.port, target: svcFqdn })],
          additionals: svc.clusterIP ? [this.rr(svcFqdn, { type: 'A', address: svc.clusterIP })] : [],
        };
      }
      const port = eps?.ports.find(named);
      const addrs = eps?.addresses ?? [];
      if (!port || addrs.length === 0) return 'nxdomain';
      const weight = Math.max(1, Math.floor(100 / addrs.length));
      return {
        records: addrs.map((a) => this.rr(q.name, { type: 'SRV', priority: 0, weight, port: port.port, target: `${hostOf(a)}.${svcFqdn}` })),
        additionals: addrs.map((a) => this.rr(`${hostOf(a)}.${svcFqdn}`, { type: 'A', address: a.ip })),
      };
    }
    return 'nxdomain';
  }
}
