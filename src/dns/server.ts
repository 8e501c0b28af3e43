// The DNS server: UDP and TCP on one port (dgram and net). Each query is answered by the first
// resolver that claims its name (the cluster zone; later, Ingress hosts), else forwarded as is to
// an upstream server over UDP and its reply relayed with the client's ID. Over UDP a reply larger
// than the client accepts (512 bytes, or its EDNS size) is cut to a TC reply; TCP gets it whole.

import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { readFileSync } from 'node:fs';
import { consoleLogger, type Logger } from '../util/logger.js';
import { decode, DnsFormatError, encode, encodeWithin, RCODE, TYPE, type Message, type Question } from './message.js';
import type { ZoneAnswer } from './zone.js';

/** Something that answers some names (undefined: not mine). */
export interface Resolver {
  answer(q: Question): ZoneAnswer | undefined;
}

export interface Upstream {
  host: string;
  port: number;
}

export interface DnsServerOptions {
  address: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  resolvers: Resolver[];
  upstreams: Upstream[];
  /** Per upstream try (default 2 s). */
  forwardTimeoutMs?: number;
  logger?: Logger;
}

/** `nameserver` lines of a resolv.conf (default the host's), as upstreams on port 53. */
export function upstreamsFromResolvConf(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((h): h is string => h !== undefined)
      .map((host) => ({ host, port: 53 }));
  } catch {
    return [];
  }
}

/** "HOST[:PORT],..." → upstreams (port 53 by default). */
export function parseUpstreams(spec: string): Upstream[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(.*):(\d+)$/.exec(s);
      const port = m ? Number(m[2]) : 53;
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`upstream "${s}": bad port`);
      return { host: m?.[1] ?? s, port };
    });
}

function reply(query: Message, rcode: number, extra: Partial<Message> = {}, aa = false): Message {
  return {
    id: query.id,
    flags: { qr: true, opcode: query.flags.opcode, aa, tc: false, rd: query.flags.rd, ra: true, rcode },
    questions: query.questions,
    answers: [],
    authorities: [],
    additionals: [],
    ...extra,
  };
}

export class DnsServer {
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<TcpSocket>();
  private readonly logger: Logger;
  port = 0;

  constructor(private readonly opts: DnsServerOptions) {
    this.logger = opts.logger ?? consoleLogger;
  }

  async start(): Promise<{ port: number }> {
    // With port 0, UDP picks the port and TCP must get the same one: retry if TCP finds it taken.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: this.opts.address.includes(':') ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port, this.opts.address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = createServer((s) => this.serveTcp(s));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, this.opts.address, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        udp.close();
        if (this.opts.port !== 0 || attempt >= 10) throw e;
        continue;
      }
      udp.on('message', (msg, rinfo) => {
        this.handle(msg, 'udp').then(
          (out) => {
            if (out) udp.send(out, rinfo.port, rinfo.address);
          },
          (e: unknown) => this.logger.warn('dns: query failed', { error: e instanceof Error ? e.message : String(e) }),
        );
      });
      udp.on('error', (e) => this.logger.warn('dns: udp socket error', { error: e.message }));
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      return { port };
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  /** TCP: each message is preceded by its 16-bit length (RFC 1035 4.2.2); a connection may carry several. */
  private serveTcp(s: TcpSocket): void {
    this.conns.add(s);
    s.on('close', () => this.conns.delete(s));
    s.on('error', () => s.destroy());
    s.setTimeout(10_000, () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        this.handle(msg, 'tcp').then(
          (out) => {
            if (!out || s.destroyed) return;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            s.write(Buffer.concat([head, out]));
          },
          () => s.destroy(),
        );
      }
    });
  }

  /** One query in, one reply out (undefined: drop it, as for a message too short to answer). */
  async handle(raw: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: Message;
    try {
      query = decode(raw);
    } catch (e) {
      if (!(e instanceof DnsFormatError) || raw.length < 12) return undefined;
      const id = raw.readUInt16BE(0);
      return encode({
        id,
        flags: { qr: true, opcode: 0, aa: false, tc: false, rd: false, ra: true, rcode: RCODE.FORMERR },
        questions: [],
        answers: [],
        authorities: [],
        additionals: [],
      });
    }
    if (query.flags.qr) return undefined;
    if (query.flags.opcode !== 0) return encode(reply(query, RCODE.NOTIMP));
    const q = query.questions[0];
    if (!q || query.questions.length !== 1) return encode(reply(query, RCODE.FORMERR));
    // EDNS (RFC 6891): an OPT record's class is the largest UDP reply the client takes.
    const opt = query.additionals.find((rr) => rr.data.type === 'raw' && rr.data.rtype === TYPE.OPT);
    const maxUdp = Math.max(512, opt?.class ?? 512);
    for (const r of this.opts.resolvers) {
      const a = r.answer(q);
      if (!a) continue;
      const msg = reply(query, a.rcode, { answers: a.answers, authorities: a.authorities, additionals: a.additionals }, true);
      return transport === 'udp' ? encodeWithin(msg, maxUdp) : encode(msg);
    }
    return (await this.forward(raw)) ?? encode(reply(query, RCODE.SERVFAIL));
  }

  /** Relays the query's bytes to each upstream in turn; the first reply with the query's ID wins. */
  private async forward(raw: Buffer): Promise<Buffer | undefined> {
    const id = raw.readUInt16BE(0);
    for (const up of this.opts.upstreams) {
      const got = await new Promise<Buffer | undefined>((resolve) => {
        const sock = createSocket(up.host.includes(':') ? 'udp6' : 'udp4');
        const done = (b: Buffer | undefined): void => {
          clearTimeout(timer);
          sock.close();
          resolve(b);
        };
        const timer = setTimeout(() => done(undefined), this.opts.forwardTimeoutMs ?? 2000);
        sock.on('error', () => done(undefined));
        sock.on('message', (msg) => {
          if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(msg);
        });
        sock.send(raw, up.port, up.host);
      });
      if (got) return got;
      this.logger.warn('dns: upstream did not answer', { upstream: `${up.host}:${up.port}` });
    }
    return undefined;
  }
}
