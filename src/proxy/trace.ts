// A packet tracer over the Ruleset data: what the kernel would do with the first packet of a connection, hook by
// hook, with nftables' jump/goto/return semantics, numgen counters (verdict maps and DNAT maps alike) and affinity
// sets kept in a TraceState so that successive connections see round-robin and stickiness as the kernel's would,
// and the hairpin set looked up by `saddr . daddr` after DNAT. Tests use it instead of comparing rule text.

import { containsIp, parseCidr, parseIPv4 } from '../util/cidr.js';
import type { Proto } from './model.js';
import { HAIRPIN_SET, keyString, type Action, type Chain, type Match, type MapKey, type Ruleset } from './ruleset.js';

export interface Packet {
  src: string;
  dst: string;
  proto: Proto;
  dport: number;
}

export interface TraceState {
  /** numgen counters, by chain name and rule index (a rewritten chain starts again at 0, as in the kernel). */
  counters: Map<string, number>;
  /** Affinity sets: client address → expiry (ms). */
  sets: Map<string, Map<string, number>>;
  now: number;
}

export function newTraceState(): TraceState {
  return { counters: new Map(), sets: new Map(), now: 0 };
}

export interface TraceResult {
  verdict: 'accept' | 'reject';
  /** Where the connection was sent, `ip:port`, if it was DNATed. */
  dnat?: string;
  masquerade: boolean;
  /** Every chain entered, in order. */
  chains: string[];
}

interface Ctx {
  rs: Ruleset;
  pkt: Packet;
  mark: number;
  local: readonly string[];
  state: TraceState;
  chains: string[];
  dnat?: { ip: string; port: number };
}

type Outcome = { v: 'continue' } | { v: 'accept' } | { v: 'reject' } | { v: 'dnat'; ip: string; port: number } | { v: 'masquerade' };

function inNet(value: string, ip: string): boolean {
  const n = parseIPv4(ip);
  if (n === undefined) return false;
  if (!value.includes('/')) return value === ip;
  return containsIp(parseCidr(value), n);
}

function matches(m: Match, c: Ctx): boolean {
  const p = c.pkt;
  switch (m.m) {
    case 'saddr':
    case 'daddr': {
      const hit = inNet(m.value, m.m === 'saddr' ? p.src : p.dst);
      return m.not ? !hit : hit;
    }
    case 'dport':
      return p.proto === m.proto && p.dport === m.value;
    case 'fibLocal':
      return c.local.includes(p.dst);
    case 'daddrNotLoopback':
      return !inNet('127.0.0.0/8', p.dst);
    case 'markUnset':
      return (c.mark & m.bit) === 0;
    case 'saddrInSet': {
      const expiry = c.state.sets.get(m.set)?.get(p.src);
      return expiry !== undefined && expiry > c.state.now;
    }
    case 'addrPairInSet':
      if (m.set !== HAIRPIN_SET) throw new Error(`trace: no set ${m.set}`);
      return c.rs.hairpin.has(`${p.src} . ${p.dst}`);
    case 'ctNew':
      return true; // the tracer follows first packets only
    case 'ctDnat':
      return c.dnat !== undefined;
  }
}

function lookup(c: Ctx, a: Extract<Action, { a: 'vmap' }>): string | undefined {
  const p = c.pkt;
  const key: MapKey = a.key === 'daddr.proto.dport' ? { ip: p.dst, proto: p.proto, port: p.dport } : { proto: p.proto, port: p.dport };
  return c.rs.maps.get(a.map)?.elements.get(keyString(key))?.chain;
}

/** `numgen inc mod n`: one counter per rule, advanced by every packet that reaches it. */
function numgen(c: Ctx, id: string, n: number): number {
  const value = c.state.counters.get(id) ?? 0;
  c.state.counters.set(id, value + 1);
  return value % n;
}

type Step = Outcome | { v: 'jump'; chain: string } | { v: 'goto'; chain: string };

function act(c: Ctx, chain: Chain, index: number, a: Action): Step {
  switch (a.a) {
    case 'jump':
      return { v: 'jump', chain: a.chain };
    case 'goto':
      return { v: 'goto', chain: a.chain };
    case 'vmap': {
      const target = lookup(c, a);
      return target ? { v: 'goto', chain: target } : { v: 'continue' };
    }
    case 'numgen': {
      const target = a.targets[numgen(c, `${chain.name}#${index}`, a.targets.length)];
      return target ? { v: 'goto', chain: target } : { v: 'continue' };
    }
    // Both DNATs are rendered after `meta l4proto P`: a packet of another protocol does not reach them.
    case 'dnat':
      return c.pkt.proto === a.proto ? { v: 'dnat', ip: a.ip, port: a.port } : { v: 'continue' };
    case 'dnatRoundRobin': {
      if (c.pkt.proto !== a.proto) return { v: 'continue' };
      const to = a.to[numgen(c, `${chain.name}#${index}`, a.to.length)];
      return to ? { v: 'dnat', ip: to.ip, port: to.port } : { v: 'continue' };
    }
    case 'markOr':
      c.mark |= a.bit;
      return { v: 'continue' };
    case 'markXor':
      c.mark ^= a.bit;
      return { v: 'continue' };
    case 'setUpdate': {
      const timeout = c.rs.sets.get(a.set)?.timeoutSeconds ?? 0;
      const set = c.state.sets.get(a.set) ?? new Map<string, number>();
      set.set(c.pkt.src, c.state.now + timeout * 1000);
      c.state.sets.set(a.set, set);
      return { v: 'continue' };
    }
    case 'masquerade':
      return { v: 'masquerade' };
    case 'reject':
      return { v: 'reject' };
    case 'return':
      return { v: 'continue' }; // handled by the caller: ends this chain
  }
}

function runChain(c: Ctx, name: string, depth = 0): Outcome {
  const chain = c.rs.chains.get(name);
  if (!chain) throw new Error(`trace: no chain ${name}`);
  if (depth > 32) throw new Error(`trace: chain loop at ${name}`);
  c.chains.push(name);
  for (const [i, rule] of chain.rules.entries()) {
    if (!rule.match.every((m) => matches(m, c))) continue;
    if (rule.action.a === 'return') return { v: 'continue' };
    const out = act(c, chain, i, rule.action);
    if (out.v === 'jump') {
      const sub = runChain(c, out.chain, depth + 1);
      if (sub.v !== 'continue') return sub;
      continue;
    }
    if (out.v === 'goto') return runChain(c, out.chain, depth + 1);
    if (out.v !== 'continue') return out;
  }
  return { v: 'continue' };
}

function baseChains(rs: Ruleset, type: 'nat' | 'filter', hook: string): string[] {
  return [...rs.chains.values()]
    .filter((ch) => ch.base?.type === type && ch.base.hook === hook)
    .sort((a, b) => (a.base?.priority ?? 0) - (b.base?.priority ?? 0))
    .map((ch) => ch.name);
}

function hook(c: Ctx, type: 'nat' | 'filter', name: string): Outcome {
  for (const chain of baseChains(c.rs, type, name)) {
    const out = runChain(c, chain);
    if (out.v !== 'continue') return out;
  }
  return { v: 'continue' };
}

/**
 * The first packet of a connection through the table's hooks. `from: 'pod'` (or another host) enters at
 * prerouting; `from: 'local'` is a process on the node (output). `local` lists the node's own addresses (fib).
 */
export function trace(rs: Ruleset, pkt: Packet, opts: { from: 'remote' | 'local'; local: readonly string[]; state: TraceState }): TraceResult {
  const c: Ctx = { rs, pkt: { ...pkt }, mark: 0, local: opts.local, state: opts.state, chains: [] };
  const done = (verdict: 'accept' | 'reject', masquerade = false): TraceResult => ({
    verdict,
    masquerade,
    chains: c.chains,
    ...(c.dnat ? { dnat: `${c.dnat.ip}:${c.dnat.port}` } : {}),
  });
  const order: ['nat' | 'filter', string][] =
    opts.from === 'local'
      ? [
          ['filter', 'output'],
          ['nat', 'output'],
        ]
      : [['nat', 'prerouting']];
  for (const [type, name] of order) {
    const out = hook(c, type, name);
    if (out.v === 'reject') return done('reject');
    if (out.v === 'dnat') {
      c.dnat = { ip: out.ip, port: out.port };
      c.pkt = { ...c.pkt, dst: out.ip, dport: out.port };
    }
  }
  if (opts.from === 'remote') {
    const out = hook(c, 'filter', c.local.includes(c.pkt.dst) ? 'input' : 'forward');
    if (out.v === 'reject') return done('reject');
  }
  const post = hook(c, 'nat', 'postrouting');
  return done('accept', post.v === 'masquerade');
}
