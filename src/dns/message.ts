// The DNS wire format (RFC 1035, with SRV from RFC 2782 and AAAA from RFC 3596), written by hand:
// a message is a 12-byte header, then questions and three sections of resource records. Names are
// label sequences, compressed on encode with pointers to earlier suffixes. Decoding never trusts a
// length or a pointer: every read is bounds-checked, pointers must point backwards.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  /** Without the trailing dot; the root is ''. */
  name: string;
  type: number;
  class: number;
}

export type RData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'PTR'; target: string }
  | { type: 'NS'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'TXT'; text: string[] }
  /** Any other type, kept as bytes (an EDNS OPT record, say). */
  | { type: 'raw'; rtype: number; data: Buffer };

export interface ResourceRecord {
  name: string;
  /** For OPT records this is the requester's UDP payload size (RFC 6891). */
  class: number;
  ttl: number;
  data: RData;
}

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

export interface Message {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export class DnsFormatError extends Error {
  readonly reason = 'FormErr';
}

export function rrType(d: RData): number {
  return d.type === 'raw' ? d.rtype : TYPE[d.type];
}

export function typeName(t: number): string {
  for (const [k, v] of Object.entries(TYPE)) if (v === t) return k;
  return `TYPE${t}`;
}

// ---- decode ----

class Reader {
  off = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.off + n > this.buf.length) throw new DnsFormatError(`message truncated at byte ${this.off} (wanted ${n} more)`);
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.off++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
  name(): string {
    const labels: string[] = [];
    let pos = this.off;
    let jumped = false;
    let total = 0;
    for (;;) {
      if (pos >= this.buf.length) throw new DnsFormatError('name runs past the end of the message');
      const len = this.buf.readUInt8(pos);
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsFormatError('truncated name pointer');
        const target = ((len & 0x3f) << 8) | this.buf.readUInt8(pos + 1);
        // Only backwards pointers: that alone rules out loops.
        if (target >= pos) throw new DnsFormatError(`name pointer ${target} does not point backwards`);
        if (!jumped) this.off = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if (len & 0xc0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`);
      if (len === 0) {
        if (!jumped) this.off = pos + 1;
        return labels.join('.');
      }
      if (pos + 1 + len > this.buf.length) throw new DnsFormatError('label runs past the end of the message');
      total += len + 1;
      if (total > 255) throw new DnsFormatError('name longer than 255 bytes');
      labels.push(this.buf.toString('latin1', pos + 1, pos + 1 + len));
      pos += 1 + len;
    }
  }
}

function decodeRData(r: Reader, type: number, len: number): RData {
  const end = r.off + len;
  r.need(len);
  let d: RData;
  switch (type) {
    case TYPE.A:
      if (len !== 4) throw new DnsFormatError(`A record of ${len} bytes`);
      d = { type: 'A', address: [...r.bytes(4)].join('.') };
      break;
    case TYPE.AAAA: {
      if (len !== 16) throw new DnsFormatError(`AAAA record of ${len} bytes`);
      const b = r.bytes(16);
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
      d = { type: 'AAAA', address: groups.join(':') };
      break;
    }
    case TYPE.CNAME:
    case TYPE.PTR:
    case TYPE.NS:
      d = { type: type === TYPE.CNAME ? 'CNAME' : type === TYPE.PTR ? 'PTR' : 'NS', target: r.name() };
      break;
    case TYPE.SRV:
      d = { type: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
      break;
    case TYPE.SOA:
      d = { type: 'SOA', mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    case TYPE.TXT: {
      const text: string[] = [];
      while (r.off < end) text.push(r.bytes(r.u8()).toString('utf8'));
      d = { type: 'TXT', text };
      break;
    }
    default:
      d = { type: 'raw', rtype: type, data: Buffer.from(r.bytes(len)) };
  }
  if (r.off !== end) throw new DnsFormatError(`${typeName(type)} record data is ${len} bytes but ${r.off - (end - len)} were read`);
  return d;
}

function decodeRR(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const len = r.u16();
  return { name, class: cls, ttl, data: decodeRData(r, type, len) };
}

export function decodeFlags(v: number): Flags {
  return {
    qr: (v & 0x8000) !== 0,
    opcode: (v >> 11) & 0xf,
    aa: (v & 0x400) !== 0,
    tc: (v & 0x200) !== 0,
    rd: (v & 0x100) !== 0,
    ra: (v & 0x80) !== 0,
    rcode: v & 0xf,
  };
}

export function encodeFlags(f: Flags): number {
  return (f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x400 : 0) | (f.tc ? 0x200 : 0) | (f.rd ? 0x100 : 0) | (f.ra ? 0x80 : 0) | (f.rcode & 0xf);
}

export function decode(buf: Buffer): Message {
  const r = new Reader(buf);
  const id = r.u16();
  const flags = decodeFlags(r.u16());
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const section = (n: number): ResourceRecord[] => Array.from({ length: n }, () => decodeRR(r));
  return { id, flags, questions, answers: section(counts[1]), authorities: section(counts[2]), additionals: section(counts[3]) };
}

// ---- encode ----

class Writer {
  private chunks: Buffer[] = [];
  len = 0;
  private readonly names = new Map<string, number>();
  push(b: Buffer): void {
    this.chunks.push(b);
    this.len += b.length;
  }
  u8(v: number): void {
    const b = Buffer.alloc(1);
    b.writeUInt8(v);
    this.push(b);
  }
  u16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.push(b);
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.push(b);
  }
  name(name: string): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (this.len < 0x4000) this.names.set(suffix, this.len);
      const label = Buffer.from(labels[i] ?? '', 'latin1');
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`label "${labels[i] ?? ''}" in "${name}" must be 1..63 bytes`);
      this.u8(label.length);
      this.push(label);
    }
    this.u8(0);
  }
  /** Writes a 16-bit length, then what `body` writes, and fills the length in. */
  sized(body: () => void): void {
    const lenBuf = Buffer.alloc(2);
    this.push(lenBuf);
    const start = this.len;
    body();
    lenBuf.writeUInt16BE(this.len - start);
  }
  result(): Buffer {
    return Buffer.concat(this.chunks, this.len);
  }
}

function ipv4(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`"${address}" is not an IPv4 address`);
  return Buffer.from(parts);
}

function ipv6(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array.from({ length: 8 - h.length - t.length }, () => '0');
  const groups = [...h, ...fill, ...t];
  if (groups.length !== 8) throw new DnsFormatError(`"${address}" is not an IPv6 address`);
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2));
  return b;
}

function encodeRR(w: Writer, rr: ResourceRecord): void {
  const d = rr.data;
  w.name(rr.name);
  w.u16(rrType(d));
  w.u16(rr.class);
  w.u32(rr.ttl);
  w.sized(() => {
    switch (d.type) {
      case 'A':
        w.push(ipv4(d.address));
        break;
      case 'AAAA':
        w.push(ipv6(d.address));
        break;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        w.name(d.target);
        break;
      case 'SRV':
        w.u16(d.priority);
        w.u16(d.weight);
        w.u16(d.port);
        w.name(d.target);
        break;
      case 'SOA':
        w.name(d.mname);
        w.name(d.rname);
        for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v);
        break;
      case 'TXT':
        for (const s of d.text) {
          const b = Buffer.from(s, 'utf8');
          w.u8(Math.min(b.length, 255));
          w.push(b.subarray(0, 255));
        }
        break;
      case 'raw':
        w.push(d.data);
    }
  });
}

export function encode(msg: Message): Buffer {
  const w = new Writer();
  w.u16(msg.id);
  w.u16(encodeFlags(msg.flags));
  for (const n of [msg.questions.length, msg.answers.length, msg.authorities.length, msg.additionals.length]) w.u16(n);
  for (const q of msg.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...msg.answers, ...msg.authorities, ...msg.additionals]) encodeRR(w, rr);
  return w.result();
}

/**
 * Encodes a response to fit `maxSize` bytes (512 over UDP without EDNS): when it does not fit, the
 * records are dropped and TC is set, telling the client to ask again over TCP (RFC 1035 4.2.1).
 */
export function encodeWithin(msg: Message, maxSize: number): Buffer {
  const full = encode(msg);
  if (full.length <= maxSize) return full;
  return encode({ ...msg, flags: { ...msg.flags, tc: true }, answers: [], authorities: [], additionals: [] });
}
