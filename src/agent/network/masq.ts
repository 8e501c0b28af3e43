// Pod egress masquerade in nftables `table ip minik8s-podnet`: traffic from this node's pods to anything
// outside the pod CIDRs the node knows leaves with the node's address; pod-to-pod traffic keeps its real source.
//
//   table ip minik8s-podnet
//     set pod-cidrs      this node's pod CIDR (every agent sharing the namespace adds its own)
//     set cluster-cidrs  --cluster-cidr and every Node's pod CIDR the agent has seen (auto-merge: ranges overlap)
//     chain postrouting  (nat, srcnat)  ip saddr @pod-cidrs ip daddr != @cluster-cidrs masquerade
//
// Sets rather than one rule per CIDR so that several agents in one network namespace (tests on the host's
// Docker) share the table: each adds its elements; cleanup removes its own and drops the table once no
// agent's pod CIDR is left in it. Applied as one `nft -f` transaction; every step is idempotent.

import { execCommand, type Exec } from './ip.js';

export const PODNET_TABLE = 'minik8s-podnet';

/** PURE: the nft script that makes the table hold at least these elements. */
export function masqueradeScript(o: { podCIDR: string; clusterCIDRs: readonly string[] }): string {
  const t = `ip ${PODNET_TABLE}`;
  const lines = [
    `table ${t} {`,
    '  set pod-cidrs { type ipv4_addr; flags interval; }',
    '  set cluster-cidrs { type ipv4_addr; flags interval; auto-merge; }',
    '  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }',
    '}',
    `flush chain ${t} postrouting`,
    `add rule ${t} postrouting ip saddr @pod-cidrs ip daddr != @cluster-cidrs counter masquerade`,
    `add element ${t} pod-cidrs { ${o.podCIDR} }`,
  ];
  const cluster = clusterElements(o);
  if (cluster.length) lines.push(`add element ${t} cluster-cidrs { ${cluster.join(', ')} }`);
  return `${lines.join('\n')}\n`;
}

/** The pod CIDR and the cluster CIDRs, once each. */
function clusterElements(o: { podCIDR: string; clusterCIDRs: readonly string[] }): string[] {
  return [...new Set([o.podCIDR, ...o.clusterCIDRs])];
}

interface NftSet {
  set?: { name: string; elem?: (string | { prefix?: { addr: string; len: number } })[] };
}

function elements(json: string, name: string): string[] {
  const parsed = JSON.parse(json) as { nftables?: NftSet[] };
  const set = (parsed.nftables ?? []).find((x) => x.set?.name === name)?.set;
  return (set?.elem ?? []).map((e) => (typeof e === 'string' ? `${e}/32` : `${e.prefix?.addr ?? ''}/${e.prefix?.len ?? 32}`));
}

export class Masquerade {
  /** Cluster CIDRs already added (additions only while running: another agent's may share the set). */
  private readonly added = new Set<string>();

  constructor(private readonly exec: Exec = execCommand) {}

  async apply(podCIDR: string, clusterCIDRs: readonly string[]): Promise<void> {
    const fresh = clusterCIDRs.filter((c) => !this.added.has(c));
    if (this.added.has(podCIDR) && fresh.length === 0 && (await this.present(podCIDR))) return;
    try {
      await this.exec('nft', ['-f', '-'], masqueradeScript({ podCIDR, clusterCIDRs }));
    } catch {
      // A range overlapping one already there that nft would not merge (a table an older agent made without
      // auto-merge): make the table and rule, then add the ranges one by one, keeping those that fit.
      await this.exec('nft', ['-f', '-'], masqueradeScript({ podCIDR, clusterCIDRs: [] }).replace(/^add element .* cluster-cidrs .*$/m, ''));
      for (const c of clusterElements({ podCIDR, clusterCIDRs })) {
        await this.exec('nft', ['add', 'element', 'ip', PODNET_TABLE, 'cluster-cidrs', `{ ${c} }`]).catch(() => undefined);
      }
    }
    this.added.add(podCIDR);
    for (const c of clusterCIDRs) this.added.add(c);
  }

  private async present(podCIDR: string): Promise<boolean> {
    try {
      return elements(await this.exec('nft', ['-j', 'list', 'set', 'ip', PODNET_TABLE, 'pod-cidrs']), 'pod-cidrs').includes(podCIDR);
    } catch {
      return false;
    }
  }

  /** Removes this node's elements; drops the table when no pod CIDR is left in it. */
  async cleanup(podCIDR: string): Promise<void> {
    let left: string[];
    try {
      left = elements(await this.exec('nft', ['-j', 'list', 'set', 'ip', PODNET_TABLE, 'pod-cidrs']), 'pod-cidrs');
    } catch {
      return; // no table
    }
    if (left.every((c) => c === podCIDR)) {
      await this.exec('nft', ['delete', 'table', 'ip', PODNET_TABLE]);
      return;
    }
    await this.exec('nft', ['delete', 'element', 'ip', PODNET_TABLE, 'pod-cidrs', `{ ${podCIDR} }`]);
  }
}
