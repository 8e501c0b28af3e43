// Ruleset → `nft -f` input. A full render replaces the table in one transaction; an incremental one (after the
// first successful apply) rewrites only chains whose rules changed, adds and removes only the map elements that
// changed, then removes chains and sets nothing refers to any more: one transaction either way, so the kernel
// never holds a half-updated ruleset.

import { isDeepStrictEqual } from 'node:util';
import { HAIRPIN_SET, type Action, type Chain, type Match, type Rule, type Ruleset, type VMap } from './ruleset.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function renderMatch(m: Match): string {
  switch (m.m) {
    case 'saddr':
    case 'daddr':
      return `ip ${m.m} ${m.not ? '!= ' : ''}${m.value}`;
    case 'dport':
      return `${m.proto} dport ${m.value}`;
    case 'fibLocal':
      return 'fib daddr type local';
    case 'daddrNotLoopback':
      return 'ip daddr != 127.0.0.0/8';
    case 'markUnset':
      return `meta mark & ${hex(m.bit)} == 0`;
    case 'saddrInSet':
      return `ip saddr @${m.set}`;
    case 'addrPairInSet':
      return `ip saddr . ip daddr @${m.set}`;
    case 'ctNew':
      return 'ct state new';
    case 'ctDnat':
      return 'ct status dnat';
  }
}

function renderAction(a: Action): string {
  switch (a.a) {
    case 'jump':
    case 'goto':
      return `${a.a} ${a.chain}`;
    case 'vmap':
      return `${a.key === 'daddr.proto.dport' ? 'ip daddr . meta l4proto . th dport' : 'meta l4proto . th dport'} vmap @${a.map}`;
    case 'numgen':
      return `numgen inc mod ${a.targets.length} vmap { ${a.targets.map((t, i) => `${i} : goto ${t}`).join(', ')} }`;
    case 'dnat':
      return `meta l4proto ${a.proto} dnat to ${a.ip}:${a.port}`;
    case 'dnatRoundRobin':
      return `meta l4proto ${a.proto} dnat ip to numgen inc mod ${a.to.length} map { ${a.to.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`;
    case 'markOr':
      return `meta mark set meta mark | ${hex(a.bit)}`;
    case 'markXor':
      return `meta mark set meta mark xor ${hex(a.bit)}`;
    case 'setUpdate':
      return `update @${a.set} { ip saddr }`;
    case 'masquerade':
      return 'masquerade fully-random';
    case 'return':
    case 'reject':
      return a.a;
  }
}

export function renderRule(rule: Rule): string {
  return [...rule.match.map(renderMatch), renderAction(rule.action)].join(' ');
}

const mapType = (m: VMap): string => (m.key === 'daddr.proto.dport' ? 'ipv4_addr . inet_proto . inet_service' : 'inet_proto . inet_service');

function chainHeader(t: string, c: Chain): string {
  if (!c.base) return `add chain ip ${t} ${c.name}`;
  return `add chain ip ${t} ${c.name} { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ; }`;
}

function fillChain(t: string, c: Chain, out: string[]): void {
  for (const rule of c.rules) out.push(`add rule ip ${t} ${c.name} ${renderRule(rule)}`);
}

/** Map or set elements in one statement (`nft` parses one long element list much faster than many statements). */
function elementLine(t: string, name: string, items: readonly string[], op: 'add' | 'delete'): string[] {
  return items.length ? [`${op} element ip ${t} ${name} { ${items.join(', ')} }`] : [];
}

function elements(t: string, m: VMap, keys: Iterable<string>, op: 'add' | 'delete'): string[] {
  const items: string[] = [];
  for (const k of keys) {
    const e = m.elements.get(k);
    items.push(op === 'add' && e ? `${k} : goto ${e.chain}` : k);
  }
  return elementLine(t, m.name, items, op);
}

const hairpinSet = (t: string): string => `add set ip ${t} ${HAIRPIN_SET} { type ipv4_addr . ipv4_addr ; }`;

/** The whole table, replacing whatever was there. */
export function renderFull(rs: Ruleset): string {
  const t = rs.table;
  const out = [`add table ip ${t}`, `delete table ip ${t}`, `add table ip ${t} { comment "minik8s service proxy" ; }`];
  for (const s of rs.sets.values()) out.push(`add set ip ${t} ${s.name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${s.timeoutSeconds}s ; }`);
  for (const m of rs.maps.values()) out.push(`add map ip ${t} ${m.name} { type ${mapType(m)} : verdict ; }`);
  out.push(hairpinSet(t), ...elementLine(t, HAIRPIN_SET, [...rs.hairpin], 'add'));
  // Declare every chain first: rules may jump forward.
  for (const c of rs.chains.values()) out.push(chainHeader(t, c));
  for (const c of rs.chains.values()) fillChain(t, c, out);
  for (const m of rs.maps.values()) out.push(...elements(t, m, m.elements.keys(), 'add'));
  return out.join('\n') + '\n';
}

/**
 * Only what changed from `prev` (the ruleset last applied successfully) to `next`; empty when nothing did;
 * undefined when only a full render can express the change (an affinity timeout changed: sets cannot be altered).
 */
export function renderIncremental(prev: Ruleset, next: Ruleset): string | undefined {
  const t = next.table;
  if (prev.table !== t) return undefined;
  for (const s of next.sets.values()) {
    const old = prev.sets.get(s.name);
    if (old && old.timeoutSeconds !== s.timeoutSeconds) return undefined;
  }
  const out: string[] = [];
  for (const s of next.sets.values()) {
    const old = prev.sets.get(s.name);
    if (!old) out.push(`add set ip ${t} ${s.name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${s.timeoutSeconds}s ; }`);
  }
  const changed = [...next.chains.values()].filter((c) => {
    const old = prev.chains.get(c.name);
    return old !== c && !isDeepStrictEqual(old, c);
  });
  const hairpinAdded = [...next.hairpin].filter((h) => !prev.hairpin.has(h));
  const hairpinGone = [...prev.hairpin].filter((h) => !next.hairpin.has(h));
  out.push(...elementLine(t, HAIRPIN_SET, hairpinAdded, 'add'));
  for (const c of changed) out.push(chainHeader(t, c));
  for (const c of changed) {
    if (prev.chains.has(c.name)) out.push(`flush chain ip ${t} ${c.name}`);
    fillChain(t, c, out);
  }
  for (const m of next.maps.values()) {
    const old = prev.maps.get(m.name);
    const before = old?.elements ?? new Map<string, { chain: string }>();
    const gone = [...before.keys()].filter((k) => m.elements.get(k)?.chain !== before.get(k)?.chain);
    const fresh = [...m.elements.keys()].filter((k) => m.elements.get(k)?.chain !== before.get(k)?.chain);
    if (old) out.push(...elements(t, old, gone, 'delete'));
    out.push(...elements(t, m, fresh, 'add'));
  }
  out.push(...elementLine(t, HAIRPIN_SET, hairpinGone, 'delete'));
  // Only now nothing refers to the chains and sets that went away.
  const stale = [...prev.chains.values()].filter((c) => !next.chains.has(c.name));
  for (const c of stale) out.push(`flush chain ip ${t} ${c.name}`);
  for (const c of stale) out.push(`delete chain ip ${t} ${c.name}`);
  for (const s of prev.sets.values()) {
    const now = next.sets.get(s.name);
    if (!now) out.push(`delete set ip ${t} ${s.name}`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}
