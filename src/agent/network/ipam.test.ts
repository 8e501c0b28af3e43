import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIpam, firstFreeIp, gatewayOf } from './ipam.js';

describe('pod IPAM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'minik8s-ipam-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('firstFreeIp starts at .2 (the gateway is .1) and never hands out the broadcast address', () => {
    assert.equal(gatewayOf('10.244.3.0/24'), '10.244.3.1');
    assert.equal(firstFreeIp('10.244.3.0/24', new Set()), '10.244.3.2');
    assert.equal(firstFreeIp('10.244.3.0/24', new Set(['10.244.3.2', '10.244.3.4'])), '10.244.3.3');
    const all = new Set(Array.from({ length: 252 }, (_, i) => `10.244.3.${i + 2}`).filter((ip) => ip !== '10.244.3.254'));
    assert.equal(firstFreeIp('10.244.3.0/24', all), '10.244.3.254');
    all.add('10.244.3.254');
    assert.equal(firstFreeIp('10.244.3.0/24', all), undefined);
    assert.equal(firstFreeIp('10.244.3.0/30', new Set()), '10.244.3.2');
    assert.equal(firstFreeIp('10.244.3.0/30', new Set(['10.244.3.2'])), undefined);
  });

  it('gives a pod the same address each time, and different pods different addresses, even concurrently', async () => {
    const ipam = new FileIpam(join(dir, 'a'), '10.244.1.0/24');
    const ips = await Promise.all(Array.from({ length: 20 }, (_, i) => ipam.allocate(`pod-${i}`)));
    assert.equal(new Set(ips).size, 20, `duplicates in ${ips.join(' ')}`);
    assert.ok(
      ips.every((ip) => /^10\.244\.1\.(\d+)$/.test(ip) && !['10.244.1.0', '10.244.1.1'].includes(ip)),
      ips.join(' '),
    );
    assert.equal(await ipam.allocate('pod-3'), ips[3]);
  });

  it('survives a restart: a new allocator on the same directory never reuses a held address', async () => {
    const first = new FileIpam(join(dir, 'b'), '10.244.2.0/24');
    const a = await first.allocate('pod-a');
    const b = await first.allocate('pod-b');
    // The agent restarts: a fresh instance, nothing in memory.
    const second = new FileIpam(join(dir, 'b'), '10.244.2.0/24');
    assert.deepEqual((await second.allocations()).map((x) => [x.ip, x.uid]).sort(), [
      [a, 'pod-a'],
      [b, 'pod-b'],
    ]);
    const c = await second.allocate('pod-c');
    assert.ok(c !== a && c !== b, `pod-c got ${c}, already held`);
    assert.equal(await second.allocate('pod-a'), a);
    // Released addresses are free again; releasing twice is fine.
    await second.release('pod-a');
    await second.release('pod-a');
    assert.equal(await second.allocate('pod-d'), a);
  });

  it('fails plainly when the range is full', async () => {
    const ipam = new FileIpam(join(dir, 'c'), '10.244.9.0/30');
    await ipam.allocate('one');
    await assert.rejects(ipam.allocate('two'), /no pod IP left in 10\.244\.9\.0\/30/);
  });
});
