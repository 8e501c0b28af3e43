// The nftables ruleset as plain data, laid out as kube-proxy's nftables mode lays it out but without its chain per
// endpoint, except where sessionAffinity needs one (see README.md for every chain and why). buildRuleset is pure:
// the same ServicePorts give the same Ruleset. render.ts turns it into `nft` input, trace.ts runs packets through it.

import { createHash } from 'node:crypto';
import type { Endpoint, Proto, ServicePort } from './model.js';

export const TABLE = 'minik8s-proxy';
/** The packet mark bit that asks nat-postrouting to masquerade (kube-proxy's 0x4000). */
export const MASQ_MARK = 0x4000;

/** A match; a rule's matches must all hold. */
export type Match =
  | { m: 'saddr' | 'daddr'; not?: boolean; value: string }
  | { m: 'dport'; proto: Proto; value: number }
  | { m: 'fibLocal' }
  | { m: 'daddrNotLoopback' }
  | { m: 'markUnset'; bit: number }
  | { m: 'saddrInSet'; set: string }
  /** `ip saddr . ip daddr` is an element of the named `ipv4_addr . ipv4_addr` set. */
  | { m: 'addrPairInSet'; set: string }
  | { m: 'ctNew' }
  /** The connection was DNATed (`ct status dnat`). */
  | { m: 'ctDnat' };

/** The one statement a rule ends with. */
export type Action =
  | { a: 'jump' | 'goto'; chain: string }
  | { a: 'vmap'; key: 'daddr.proto.dport' | 'proto.dport'; map: string }
  | { a: 'numgen'; targets: readonly string[] }
  | { a: 'dnat'; proto: Proto; ip: string; port: number }
  /** `dnat ip to numgen inc mod N map { i : ip . port }`: per-connection round-robin without a chain per endpoint. */
  | { a: 'dnatRoundRobin'; proto: Proto; to: readonly Endpoint[] }
  | { a: 'markOr' | 'markXor'; bit: number }
  | { a: 'setUpdate'; set: string }
  | { a: 'masquerade' | 'return' | 'reject' };

export interface Rule {
  match: readonly Match[];
  action: Action;
}

export interface BaseChain {
  type: 'nat' | 'filter';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  priority: number;
}

export interface Chain {
  name: string;
  base?: BaseChain;
  rules: readonly Rule[];
}

export type MapKey = { ip: string; proto: Proto; port: number } | { proto: Proto; port: number };

/** A verdict map: key → `goto chain`. */
export interface VMap {
  name: string;
  key: 'daddr.proto.dport' | 'proto.dport';
  elements: ReadonlyMap<string, { key: MapKey; chain: string }>;
}

/** A per-endpoint set of client addresses for sessionAffinity: ClientIP. */
export interface AffinitySet {
  name: string;
  timeoutSeconds: number;
}

export interface Ruleset {
  table: string;
  chains: ReadonlyMap<string, Chain>;
  maps: ReadonlyMap<string, VMap>;
  sets: ReadonlyMap<string, AffinitySet>;
  /** The elements of set `hairpin` (`ipv4_addr . ipv4_addr`): `X . X` for every endpoint address X. */
  hairpin: ReadonlySet<string>;
}

/** The set nat-postrouting looks a DNATed connection's `saddr . daddr` up in: a pod sent back to itself. */
export const HAIRPIN_SET = 'hairpin';

export interface BuildOptions {
  /** Pod addresses (--cluster-cidr): traffic to a cluster IP from anywhere else is masqueraded. */
  clusterCidr: string;
  table?: string;
}

export function keyString(k: MapKey): string {
  return 'ip' in k ? `${k.ip} . ${k.proto} . ${k.port}` : `${k.proto} . ${k.port}`;
}

/** kube-proxy's chain-name prefix: a short hash that keeps names unique whatever the readable part holds. */
function hashed(prefix: string, id: string): string {
  const h = createHash('sha256').update(id).digest();
  let s = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  for (let i = 0; i < 8; i++) s += alphabet[(h[i] ?? 0) % 32];
  return `${prefix}-${s}-${id}`;
}

export const serviceChain = (sp: ServicePort): string => hashed('service', sp.id);
export const externalChain = (sp: ServicePort): string => hashed('external', sp.id);
export const endpointChain = (sp: ServicePort, ep: Endpoint): string => hashed('endpoint', `${sp.id}__${ep.ip}/${ep.port}`);
export const affinitySet = (sp: ServicePort, ep: Endpoint): string => hashed('affinity', `${sp.id}__${ep.ip}/${ep.port}`);

const r = (match: Match[], action: Action): Rule => ({ match, action });

/** The fixed chains: hooks, dispatch through the verdict maps, masquerading, and rejecting Services without endpoints. */
function fixedChains(): Chain[] {
  const check = [r([{ m: 'ctNew' }], { a: 'jump', chain: 'service-endpoints-check' })];
  return [
    { name: 'nat-prerouting', base: { type: 'nat', hook: 'prerouting', priority: -100 }, rules: [r([], { a: 'jump', chain: 'services' })] },
    { name: 'nat-output', base: { type: 'nat', hook: 'output', priority: -100 }, rules: [r([], { a: 'jump', chain: 'services' })] },
    {
      name: 'nat-postrouting',
      base: { type: 'nat', hook: 'postrouting', priority: 100 },
      rules: [
        // Hairpin: a pod sent back to itself must see the reply come from the node, not from itself.
        r([{ m: 'ctDnat' }, { m: 'addrPairInSet', set: HAIRPIN_SET }], { a: 'jump', chain: 'mark-for-masquerade' }),
        r([], { a: 'jump', chain: 'masquerading' }),
      ],
    },
    {
      name: 'filter-input',
      base: { type: 'filter', hook: 'input', priority: -110 },
      rules: [r([{ m: 'ctNew' }], { a: 'jump', chain: 'nodeport-endpoints-check' }), ...check],
    },
    { name: 'filter-forward', base: { type: 'filter', hook: 'forward', priority: -110 }, rules: check },
    { name: 'filter-output', base: { type: 'filter', hook: 'output', priority: -110 }, rules: check },
    {
      name: 'services',
      rules: [
        r([], { a: 'vmap', key: 'daddr.proto.dport', map: 'service-ips' }),
        r([{ m: 'fibLocal' }, { m: 'daddrNotLoopback' }], { a: 'vmap', key: 'proto.dport', map: 'service-nodeports' }),
      ],
    },
    { name: 'service-endpoints-check', rules: [r([], { a: 'vmap', key: 'daddr.proto.dport', map: 'no-endpoint-services' })] },
    {
      name: 'nodeport-endpoints-check',
      rules: [r([{ m: 'fibLocal' }, { m: 'daddrNotLoopback' }], { a: 'vmap', key: 'proto.dport', map: 'no-endpoint-nodeports' })],
    },
    { name: 'mark-for-masquerade', rules: [r([], { a: 'markOr', bit: MASQ_MARK })] },
    {
      name: 'masquerading',
      rules: [r([{ m: 'markUnset', bit: MASQ_MARK }], { a: 'return' }), r([], { a: 'markXor', bit: MASQ_MARK }), r([], { a: 'masquerade' })],
    },
    { name: 'reject-chain', rules: [r([], { a: 'reject' })] },
  ];
}

/** What one ServicePort contributes: its chains, its map elements, its affinity sets, its hairpin elements. */
interface Fragment {
  chains: Chain[];
  elements: { map: MapName; key: MapKey; chain: string }[];
  sets: AffinitySet[];
  hairpin: string[];
}

type MapName = 'service-ips' | 'service-nodeports' | 'no-endpoint-services' | 'no-endpoint-nodeports';

function fragment(sp: ServicePort, clusterCidr: string): Fragment {
  const ipKey = { ip: sp.clusterIP, proto: sp.protocol, port: sp.port };
  const npKey = sp.nodePort !== undefined ? { proto: sp.protocol, port: sp.nodePort } : undefined;
  const out: Fragment = { chains: [], elements: [], sets: [], hairpin: [] };
  if (sp.endpoints.length === 0) {
    // No endpoints: new connections are refused at once (a TCP reset / ICMP unreachable), not left to time out.
    out.elements.push({ map: 'no-endpoint-services', key: ipKey, chain: 'reject-chain' });
    if (npKey) out.elements.push({ map: 'no-endpoint-nodeports', key: npKey, chain: 'reject-chain' });
    return out;
  }
  const svcChain = serviceChain(sp);
  const affinity = sp.affinitySeconds !== undefined;
  const rules: Rule[] = [];
  if (affinity) {
    // A client with a live affinity entry goes back to its endpoint before round-robin is consulted.
    for (const ep of sp.endpoints) rules.push(r([{ m: 'saddrInSet', set: affinitySet(sp, ep) }], { a: 'goto', chain: endpointChain(sp, ep) }));
  }
  // Traffic from outside the pod network (the node itself, other hosts) is masqueraded so that replies come back
  // through this node. Only `service-ips` (this cluster IP and port) and this Service's external chain lead here.
  rules.push(r([{ m: 'saddr', not: true, value: clusterCidr }], { a: 'jump', chain: 'mark-for-masquerade' }));
  const [only] = sp.endpoints;
  if (affinity) rules.push(r([], { a: 'numgen', targets: sp.endpoints.map((ep) => endpointChain(sp, ep)) }));
  else if (only && sp.endpoints.length === 1) rules.push(r([], { a: 'dnat', proto: sp.protocol, ip: only.ip, port: only.port }));
  else rules.push(r([], { a: 'dnatRoundRobin', proto: sp.protocol, to: sp.endpoints }));
  out.chains.push({ name: svcChain, rules });
  out.elements.push({ map: 'service-ips', key: ipKey, chain: svcChain });
  if (npKey) {
    const ext = externalChain(sp);
    out.chains.push({ name: ext, rules: [r([], { a: 'jump', chain: 'mark-for-masquerade' }), r([], { a: 'goto', chain: svcChain })] });
    out.elements.push({ map: 'service-nodeports', key: npKey, chain: ext });
  }
  for (const ep of sp.endpoints) out.hairpin.push(`${ep.ip} . ${ep.ip}`);
  const seconds = sp.affinitySeconds;
  if (seconds === undefined) return out;
  // Affinity needs to know which endpoint a connection went to: one chain per endpoint records the client.
  for (const ep of sp.endpoints) {
    const set = affinitySet(sp, ep);
    out.sets.push({ name: set, timeoutSeconds: seconds });
    out.chains.push({
      name: endpointChain(sp, ep),
      rules: [r([], { a: 'setUpdate', set }), r([], { a: 'dnat', proto: sp.protocol, ip: ep.ip, port: ep.port })],
    });
  }
  return out;
}

/**
 * Remembers each ServicePort's fragment between builds, so that an unchanged Service yields the very same Chain
 * objects and an incremental render compares it by identity (1,000 Services: the rebuild costs a lookup each).
 */
export class FragmentCache {
  private entries = new Map<string, Fragment>();

  get(sp: ServicePort, clusterCidr: string, used: Map<string, Fragment>): Fragment {
    const key = `${clusterCidr}|${JSON.stringify(sp)}`;
    const f = this.entries.get(key) ?? fragment(sp, clusterCidr);
    used.set(key, f);
    return f;
  }

  /** Keeps only what the last build used. */
  retain(used: Map<string, Fragment>): void {
    this.entries = used;
  }
}

export function buildRuleset(ports: readonly ServicePort[], opts: BuildOptions, cache: FragmentCache = new FragmentCache()): Ruleset {
  const chains = new Map<string, Chain>(fixedChains().map((c) => [c.name, c]));
  const maps: Record<MapName, Map<string, { key: MapKey; chain: string }>> = {
    'service-ips': new Map(),
    'service-nodeports': new Map(),
    'no-endpoint-services': new Map(),
    'no-endpoint-nodeports': new Map(),
  };
  const sets = new Map<string, AffinitySet>();
  const hairpin = new Set<string>();
  const used = new Map<string, Fragment>();
  for (const sp of ports) {
    const f = cache.get(sp, opts.clusterCidr, used);
    for (const c of f.chains) chains.set(c.name, c);
    for (const e of f.elements) maps[e.map].set(keyString(e.key), { key: e.key, chain: e.chain });
    for (const s of f.sets) sets.set(s.name, s);
    for (const h of f.hairpin) hairpin.add(h);
  }
  cache.retain(used);
  const vmaps = new Map<string, VMap>(
    Object.entries(maps).map(([name, elements]) => [name, { name, key: name.endsWith('nodeports') ? 'proto.dport' : 'daddr.proto.dport', elements }]),
  );
  return { table: opts.table ?? TABLE, chains, maps: vmaps, sets, hairpin };
}
