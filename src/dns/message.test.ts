import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_IN, decode, DnsFormatError, encode, encodeWithin, RCODE, TYPE, type Message } from './message.js';

const query = (name: string, type: number, id = 0x1234): Message => ({
  id,
  flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
  questions: [{ name, type, class: CLASS_IN }],
  answers: [],
  authorities: [],
  additionals: [],
});

describe('DNS messages', () => {
  it('encodes a query byte for byte as RFC 1035 lays it out', () => {
    const b = encode(query('ab.c', TYPE.A, 0xbeef));
    assert.deepEqual([...b], [0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0x61, 0x62, 1, 0x63, 0, 0, 1, 0, 1]);
  });

  it('round-trips every record type it knows, with names compressed', () => {
    const msg: Message = {
      ...query('web.default.svc.cluster.local', TYPE.SRV),
      flags: { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: RCODE.NOERROR },
      answers: [
        { name: 'web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: 'A', address: '10.96.0.20' } },
        { name: 'web.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: 'AAAA', address: 'fd00:0:0:0:0:0:0:1' } },
        {
          name: '_http._tcp.web.default.svc.cluster.local',
          class: CLASS_IN,
          ttl: 5,
          data: { type: 'SRV', priority: 0, weight: 100, port: 8080, target: 'web.default.svc.cluster.local' },
        },
        { name: 'ext.default.svc.cluster.local', class: CLASS_IN, ttl: 5, data: { type: 'CNAME', target: 'example.org' } },
        { name: '1.0.96.10.in-addr.arpa', class: CLASS_IN, ttl: 5, data: { type: 'PTR', target: 'kubernetes.default.svc.cluster.local' } },
        { name: 'cluster.local', class: CLASS_IN, ttl: 5, data: { type: 'TXT', text: ['hello', 'world'] } },
      ],
      authorities: [
        {
          name: 'cluster.local',
          class: CLASS_IN,
          ttl: 5,
          data: {
            type: 'SOA',
            mname: 'ns.dns.cluster.local',
            rname: 'hostmaster.cluster.local',
            serial: 1,
            refresh: 7200,
            retry: 1800,
            expire: 86400,
            minimum: 5,
          },
        },
      ],
      additionals: [{ name: '', class: 1232, ttl: 0, data: { type: 'raw', rtype: TYPE.OPT, data: Buffer.alloc(0) } }],
    };
    const b = encode(msg);
    assert.deepEqual(decode(b), msg);
    // Compression: "cluster.local" is written once in full; a repeated name costs a 2-byte pointer.
    assert.equal(b.toString('latin1').split('cluster').length - 1, 1);
  });

  it('decodes names behind pointers and rejects pointer loops, truncation and overlong labels', () => {
    const b = encode({ ...query('a.example', TYPE.A), answers: [{ name: 'a.example', class: CLASS_IN, ttl: 1, data: { type: 'A', address: '1.2.3.4' } }] });
    assert.equal(decode(b).answers[0]?.name, 'a.example');
    // A pointer to itself.
    const loop = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    assert.throws(() => decode(loop), DnsFormatError);
    assert.throws(() => decode(b.subarray(0, b.length - 3)), DnsFormatError);
    assert.throws(() => encode(query(`${'x'.repeat(64)}.example`, TYPE.A)), DnsFormatError);
  });

  it('cuts a reply that does not fit to an empty one with TC set', () => {
    const big: Message = {
      ...query('h.default.svc.cluster.local', TYPE.A),
      answers: Array.from({ length: 60 }, (_, i) => ({
        name: 'h.default.svc.cluster.local',
        class: CLASS_IN,
        ttl: 5,
        data: { type: 'A' as const, address: `10.0.0.${i}` },
      })),
    };
    assert.ok(encode(big).length > 512);
    const cut = decode(encodeWithin(big, 512));
    assert.equal(cut.flags.tc, true);
    assert.equal(cut.answers.length, 0);
    assert.equal(decode(encodeWithin(big, 4096)).answers.length, 60);
  });
});
