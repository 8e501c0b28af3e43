// Processes on a node reach cluster IPs only if the kernel can route the service range somewhere before nftables'
// output hook rewrites the destination. A node with a default route needs nothing; a node without one (the lab's
// nodes) gets `SERVICE_CIDR dev <pod bridge>`, the bridge being the device holding an address of the cluster CIDR.

import { containsIp, intToIp, parseCidr, parseIPv4 } from '../util/cidr.js';
import type { PacketFilter } from './nft.js';

/** The pod bridges of this node: devices holding an address of the cluster CIDR. */
async function podBridges(filter: PacketFilter, clusterCidr: string): Promise<{ dev: string; addr: string }[]> {
  const cluster = parseCidr(clusterCidr);
  const out: { dev: string; addr: string }[] = [];
  for (const line of (await filter.ip(['-4', '-o', 'addr', 'show'])).split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//.exec(line);
    const addr = m?.[2] ? parseIPv4(m[2]) : undefined;
    if (m?.[1] && m[2] && addr !== undefined && containsIp(cluster, addr) && !m[1].startsWith('minik8s.')) out.push({ dev: m[1], addr: m[2] });
  }
  return out;
}

/** Returns what it did: 'present' (routable already), 'added', or 'no-device' (no pod bridge yet: try later). */
export async function ensureServiceRoute(filter: PacketFilter, opts: { serviceCidr: string; clusterCidr: string }): Promise<'present' | 'added' | 'no-device'> {
  const svc = parseCidr(opts.serviceCidr);
  try {
    await filter.ip(['-4', 'route', 'get', intToIp(svc.base + 1)]);
    return 'present';
  } catch {
    // unreachable: add a route below
  }
  const [bridge] = await podBridges(filter, opts.clusterCidr);
  if (!bridge) return 'no-device';
  await filter.ip(['route', 'replace', opts.serviceCidr, 'dev', bridge.dev, 'src', bridge.addr]);
  return 'added';
}

/**
 * A pod whose connection to its own Service is sent back to itself leaves and re-enters through the same bridge
 * port: the port needs hairpin mode (Docker turns it on only with --userland-proxy=false, which the host's engine
 * may not have). Turns it on for every port of the pod bridges that lacks it.
 */
export async function ensureHairpin(filter: PacketFilter, clusterCidr: string): Promise<number> {
  let changed = 0;
  for (const { dev } of await podBridges(filter, clusterCidr)) {
    for (const line of (await filter.ip(['-d', '-o', 'link', 'show', 'master', dev])).split('\n')) {
      const m = /^\d+:\s+([^@:\s]+)/.exec(line);
      if (!m?.[1] || !line.includes('hairpin off')) continue;
      await filter.ip(['link', 'set', 'dev', m[1], 'type', 'bridge_slave', 'hairpin', 'on']).catch(() => undefined);
      changed++;
    }
  }
  return changed;
}

/** Removes a route for exactly the service range, if there is one. */
export async function removeServiceRoute(filter: PacketFilter, serviceCidr: string): Promise<void> {
  if ((await filter.ip(['-4', 'route', 'show', serviceCidr])).trim() === '') return;
  await filter.ip(['route', 'del', serviceCidr]).catch(() => undefined);
}
