// IPv4 CIDR arithmetic for pod CIDR and Service IP allocation and the proxy: pure functions over 32-bit unsigned
// integers.

export interface Cidr {
  /** The network address as an unsigned 32-bit integer (host bits zero). */
  base: number;
  /** Prefix length, 0..32. */
  bits: number;
}

/** The address as a number, or undefined when `ip` is not a dotted-quad IPv4 address. */
export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** The address as a number; throws when `ip` is not a dotted-quad IPv4 address. */
export function ipToInt(ip: string): number {
  const n = parseIPv4(ip);
  if (n === undefined) throw new Error(`${ip}: not an IPv4 address`);
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses `a.b.c.d/n`; throws on anything else, or when host bits are set (10.244.0.1/16 is not a network). */
export function parseCidr(s: string): Cidr {
  const [ip, len, extra] = s.split('/');
  const bits = Number(len);
  if (ip === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len) || bits > 32) throw new Error(`${s}: not an IPv4 CIDR`);
  const addr = ipToInt(ip);
  const base = (addr & mask(bits)) >>> 0;
  if (base !== addr) throw new Error(`${s}: host bits are set (did you mean ${intToIp(base)}/${bits}?)`);
  return { base, bits };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.bits}`;
}

/** Number of addresses in the range. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function containsIp(c: Cidr, ip: number): boolean {
  return (ip & mask(c.bits)) >>> 0 === c.base;
}

/** True when the two ranges share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & mask(bits)) >>> 0 === (b.base & mask(bits)) >>> 0;
}

/** How many /maskSize subnets `cluster` holds. */
export function subnetCount(cluster: Cidr, maskSize: number): number {
  if (maskSize < cluster.bits || maskSize > 32) throw new Error(`a /${maskSize} does not fit in ${formatCidr(cluster)}`);
  return 2 ** (maskSize - cluster.bits);
}

/** The i-th /maskSize subnet of `cluster`. */
export function subnetAt(cluster: Cidr, maskSize: number, i: number): Cidr {
  return { base: (cluster.base + i * 2 ** (32 - maskSize)) >>> 0, bits: maskSize };
}

/**
 * The first /maskSize subnet of `cluster` that overlaps none of `used` (CIDR strings; unparsable ones are
 * ignored), or undefined when the range is exhausted. Lowest first, so allocation is deterministic.
 */
export function firstFreeSubnet(cluster: Cidr, maskSize: number, used: Iterable<string>): string | undefined {
  const taken: Cidr[] = [];
  for (const u of used) {
    try {
      taken.push(parseCidr(u));
    } catch {
      // A malformed podCIDR on some Node blocks nothing.
    }
  }
  const n = subnetCount(cluster, maskSize);
  for (let i = 0; i < n; i++) {
    const s = subnetAt(cluster, maskSize, i);
    if (!taken.some((t) => overlaps(t, s))) return formatCidr(s);
  }
  return undefined;
}
