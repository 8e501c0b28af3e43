// The DNS server over real sockets on 127.0.0.1: answers from the zone over UDP and TCP, forwards
// other names to a fake upstream (a UDP socket this test answers from), SERVFAIL when the upstream
// is silent, FORMERR for garbage, and TC over UDP for a reply that only fits over TCP.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { CLASS_IN, decode, encode, RCODE, TYPE, type Message } from './message.js';
import { DnsServer, parseUpstreams } from './server.js';
import { Zone, type ClusterView } from './zone.js';
import { silentLogger } from '../util/logger.js';

const many = Array.from({ length: 80 }, (_, i) => ({ ip: `10.244.0.${i + 2}` }));
const view: ClusterView = {
  service: (ns, n) =>
    ns === 'default' && n === 'web' ? { clusterIP: '10.96.0.20', ports: [] } : ns === 'default' && n === 'big' ? { clusterIP: 'None', ports: [] } : undefined,
  endpoints: (ns, n) => (ns === 'default' && n === 'big' ? { addresses: many, ports: [] } : undefined),
};

function query(name: string, type: number = TYPE.A, id = Math.floor(Math.random() * 65535)): Buffer {
  const m: Message = {
    id,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
  };
  return encode(m);
}

function udpAsk(port: number, msg: Buffer, timeoutMs = 3000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      reject(new Error('no UDP reply'));
    }, timeoutMs);
    s.on('message', (b) => {
      clearTimeout(t);
      s.close();
      resolve(decode(b));
    });
    s.send(msg, port, '127.0.0.1');
  });
}

function tcpAsk(port: number, msg: Buffer): Promise<Message> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.end();
        resolve(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    const head = Buffer.alloc(2);
    head.writeUInt16BE(msg.length);
    // Split in two writes: the server must reassemble a length-prefixed message.
    s.write(Buffer.concat([head, msg.subarray(0, 5)]));
    setTimeout(() => s.write(msg.subarray(5)), 20);
  });
}

describe('DNS server', () => {
  let upstream: Socket;
  let upstreamPort = 0;
  const forwarded: string[] = [];
  let server: DnsServer;
  let port = 0;

  before(async () => {
    upstream = createSocket('udp4');
    upstream.on('message', (b, rinfo) => {
      const q = decode(b);
      const name = q.questions[0]?.name ?? '';
      forwarded.push(name);
      if (name === 'silent.example') return;
      const r: Message = {
        ...q,
        flags: { ...q.flags, qr: true, ra: true },
        answers: [{ name, class: CLASS_IN, ttl: 60, data: { type: 'A', address: '203.0.113.7' } }],
      };
      upstream.send(encode(r), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    upstreamPort = upstream.address().port;
    const zone = new Zone({ domain: 'cluster.local' });
    server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      upstreams: parseUpstreams(`127.0.0.1:${upstreamPort}`),
      forwardTimeoutMs: 300,
      logger: silentLogger,
      resolvers: [{ answer: (q) => zone.answer(q, view) }],
    });
    port = (await server.start()).port;
  });
  after(async () => {
    await server.stop();
    upstream.close();
  });

  it('answers cluster names over UDP and TCP, authoritatively, echoing ID and question', async () => {
    const r = await udpAsk(port, query('web.default.svc.cluster.local', TYPE.A, 4242));
    assert.equal(r.id, 4242);
    assert.equal(r.flags.qr && r.flags.aa && r.flags.rd, true);
    assert.equal(r.questions[0]?.name, 'web.default.svc.cluster.local');
    assert.deepEqual(r.answers[0]?.data, { type: 'A', address: '10.96.0.20' });
    const t = await tcpAsk(port, query('web.default.svc.cluster.local'));
    assert.deepEqual(t.answers[0]?.data, { type: 'A', address: '10.96.0.20' });
    assert.equal((await udpAsk(port, query('nope.default.svc.cluster.local'))).flags.rcode, RCODE.NXDOMAIN);
    assert.ok(!forwarded.some((n) => n.endsWith('cluster.local')), `cluster names must not be forwarded: ${forwarded.join(', ')}`);
  });

  it('forwards other names upstream and relays the reply; SERVFAIL when the upstream is silent', async () => {
    const r = await udpAsk(port, query('www.example.org', TYPE.A, 777));
    assert.equal(r.id, 777);
    assert.deepEqual(r.answers[0]?.data, { type: 'A', address: '203.0.113.7' });
    assert.ok(forwarded.includes('www.example.org'));
    const t = await tcpAsk(port, query('tcp.example.org'));
    assert.deepEqual(t.answers[0]?.data, { type: 'A', address: '203.0.113.7' });
    assert.equal((await udpAsk(port, query('silent.example'))).flags.rcode, RCODE.SERVFAIL);
  });

  it('sets TC over UDP when a reply exceeds 512 bytes, honours a larger EDNS size, and gives TCP the whole reply', async () => {
    const u = await udpAsk(port, query('big.default.svc.cluster.local'));
    assert.equal(u.flags.tc, true);
    assert.equal(u.answers.length, 0);
    const withEdns = decode(query('big.default.svc.cluster.local'));
    withEdns.additionals.push({ name: '', class: 4096, ttl: 0, data: { type: 'raw', rtype: TYPE.OPT, data: Buffer.alloc(0) } });
    assert.equal((await udpAsk(port, encode(withEdns))).answers.length, 80);
    assert.equal((await tcpAsk(port, query('big.default.svc.cluster.local'))).answers.length, 80);
  });

  it('answers garbage with FORMERR and an unknown opcode with NOTIMP', async () => {
    const junk = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 0x61]);
    const r = await udpAsk(port, junk);
    assert.equal(r.id, 0x1234);
    assert.equal(r.flags.rcode, RCODE.FORMERR);
    const status = query('web.default.svc.cluster.local');
    status.writeUInt16BE(0x1000 | 0x0100, 2);
    assert.equal((await udpAsk(port, status)).flags.rcode, RCODE.NOTIMP);
  });
});
