// Processes on a node reach cluster IPs only if the kernel can route the service range somewhere before nftables'
// output hook rewrites the destination. A node with a default route needs nothing; a node without one (the lab's
// nodes) gets `SERVICE_CIDR dev <pod bridge>`, the bridge being the device holding an address of the cluster CIDR.

import { cidrContains, parseCidr, parseIPv4, formatIPv4 } from '../apiserver/allocator/cidr.js';
import type { PacketFilter } from './nft.js';

/** Returns what it did: 'present' (routable already), 'added', or 'no-device' (no pod bridge yet: try later). */
export async function ensureServiceRoute(filter: PacketFilter, opts: { serviceCidr: string; clusterCidr: string }): Promise<'present' | 'added' | 'no-device'> {
  const svc = parseCidr(opts.serviceCidr);
  try {
    await filter.ip(['-4', 'route', 'get', formatIPv4(svc.base + 1)]);
    return 'present';
  } catch {
    // unreachable: add a route below
  }
  const cluster = parseCidr(opts.clusterCidr);
  for (const line of (await filter.ip(['-4', '-o', 'addr', 'show'])).split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    const addr = m?.[2] ? parseIPv4(m[2]) : undefined;
    if (!m?.[1] || addr === undefined || !cidrContains(cluster, addr)) continue;
    await filter.ip(['route', 'replace', opts.serviceCidr, 'dev', m[1], 'src', m[2] ?? '']);
    return 'added';
  }
  return 'no-device';
}

/** Removes a route for exactly the service range, if there is one. */
export async function removeServiceRoute(filter: PacketFilter, serviceCidr: string): Promise<void> {
  if ((await filter.ip(['-4', 'route', 'show', serviceCidr])).trim() === '') return;
  await filter.ip(['route', 'del', serviceCidr]).catch(() => undefined);
}
