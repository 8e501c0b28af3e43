// PURE: what the VXLAN overlay of one node should hold, from the Node objects, and the steps that take the
// kernel's current entries there. Flannel's vxlan backend, per peer node M with pod CIDR 10.244.M.0/24:
//   neighbour  10.244.M.0 → M's VTEP MAC      (ARP for the peer's VTEP address never leaves the node)
//   FDB        M's VTEP MAC → M's node IP     (where the kernel sends the encapsulated frame)
//   route      10.244.M.0/24 via 10.244.M.0 dev minik8s.1 onlink
// A peer that lacks a pod CIDR or either annotation is not programmed yet (it is still starting).

import type { FdbEntry, NeighEntry, RouteEntry } from './ip.js';

export const VTEP_MAC_ANNOTATION = 'minik8s.io/vtep-mac';
export const PUBLIC_IP_ANNOTATION = 'minik8s.io/public-ip';

/** The fields of a Node the overlay reads. */
export interface OverlayNode {
  metadata: { name?: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string };
}

export interface OverlayState {
  neighbours: { ip: string; mac: string }[];
  fdb: FdbEntry[];
  routes: RouteEntry[];
}

/** The network address of a CIDR (`10.244.3.0/24` → `10.244.3.0`): the VTEP address of that node. */
export function networkAddress(cidr: string): string {
  return cidr.split('/')[0] ?? '';
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function desiredOverlay(self: string, nodes: readonly OverlayNode[]): OverlayState {
  const out: OverlayState = { neighbours: [], fdb: [], routes: [] };
  const seen = new Set<string>();
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const n of sorted) {
    if (n.metadata.name === self) continue;
    const cidr = n.spec?.podCIDR;
    const mac = n.metadata.annotations?.[VTEP_MAC_ANNOTATION]?.toLowerCase();
    const ip = n.metadata.annotations?.[PUBLIC_IP_ANNOTATION];
    if (!cidr || !mac || !ip || !MAC.test(mac) || !IPV4.test(ip)) continue;
    // Two Nodes claiming one CIDR (a stale object): program the first by name only, deterministically.
    if (seen.has(cidr)) continue;
    seen.add(cidr);
    const vtep = networkAddress(cidr);
    out.neighbours.push({ ip: vtep, mac });
    out.fdb.push({ mac, dst: ip });
    out.routes.push({ dst: cidr, via: vtep, onlink: true });
  }
  return out;
}

export type OverlayStep =
  | { op: 'replaceNeighbour'; ip: string; mac: string }
  | { op: 'deleteNeighbour'; ip: string }
  | { op: 'replaceFdb'; mac: string; dst: string }
  | { op: 'deleteFdb'; mac: string; dst: string }
  | { op: 'replaceRoute'; dst: string; via: string; onlink: boolean }
  | { op: 'deleteRoute'; dst: string };

/**
 * The steps from `current` to `desired`: deletions of what should not be there (stale peers) first, then
 * replacements of what is missing or different. Entries already right produce no step (idempotent).
 */
export function overlaySteps(desired: OverlayState, current: { neighbours: NeighEntry[]; fdb: FdbEntry[]; routes: RouteEntry[] }): OverlayStep[] {
  const del: OverlayStep[] = [];
  const add: OverlayStep[] = [];
  const wantNeigh = new Map(desired.neighbours.map((n) => [n.ip, n.mac]));
  for (const n of current.neighbours) if (wantNeigh.get(n.ip) !== n.mac.toLowerCase()) del.push({ op: 'deleteNeighbour', ip: n.ip });
  for (const n of desired.neighbours) {
    if (!current.neighbours.some((c) => c.ip === n.ip && c.mac.toLowerCase() === n.mac && c.permanent))
      add.push({ op: 'replaceNeighbour', ip: n.ip, mac: n.mac });
  }
  const fdbKey = (f: FdbEntry): string => `${f.mac.toLowerCase()}>${f.dst}`;
  const wantFdb = new Set(desired.fdb.map(fdbKey));
  const haveFdb = new Set(current.fdb.map(fdbKey));
  for (const f of current.fdb) if (!wantFdb.has(fdbKey(f))) del.push({ op: 'deleteFdb', mac: f.mac, dst: f.dst });
  for (const f of desired.fdb) if (!haveFdb.has(fdbKey(f))) add.push({ op: 'replaceFdb', mac: f.mac, dst: f.dst });
  const routeKey = (r: RouteEntry): string => `${r.dst}>${r.via}>${r.onlink}`;
  const wantRoutes = new Map(desired.routes.map((r) => [r.dst, routeKey(r)]));
  const haveRoutes = new Set(current.routes.map(routeKey));
  for (const r of current.routes) if (wantRoutes.get(r.dst) === undefined) del.push({ op: 'deleteRoute', dst: r.dst });
  for (const r of desired.routes) if (!haveRoutes.has(routeKey(r))) add.push({ op: 'replaceRoute', dst: r.dst, via: r.via, onlink: r.onlink });
  return [...del, ...add];
}
