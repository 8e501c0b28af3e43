import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { macForIp, type Exec, IpRoute } from './ip.js';

describe('IpRoute.plumbPod', () => {
  it('gives eth0 the MAC Docker would (02:42 + the address), so a reused address keeps its MAC', async () => {
    assert.equal(macForIp('10.244.1.5'), '02:42:0a:f4:01:05');
    assert.equal(macForIp('192.168.255.0'), '02:42:c0:a8:ff:00');
    const calls: { cmd: string; args: string[]; stdin?: string }[] = [];
    const exec: Exec = (cmd, args, stdin) => {
      calls.push({ cmd, args, ...(stdin !== undefined ? { stdin } : {}) });
      return Promise.resolve('');
    };
    await new IpRoute(exec).plumbPod({ pid: 42, hostIf: 'vethabc', bridge: 'br-1', ip: '10.244.1.5', prefixLength: 24, gateway: '10.244.1.1', mtu: 1450 });
    assert.deepEqual(
      calls.map((c) => [c.cmd, ...c.args]),
      [
        ['ip', '-batch', '-'],
        ['nsenter', '-t', '42', '-n', 'ip', '-batch', '-'],
      ],
    );
    assert.match(
      calls[0]?.stdin ?? '',
      /^link add vethabc mtu 1450 type veth peer name eth0 mtu 1450 address 02:42:0a:f4:01:05 netns 42\nlink set dev vethabc master br-1 up\n/,
    );
    assert.match(calls[1]?.stdin ?? '', /addr add 10\.244\.1\.5\/24 dev eth0\n.*route add default via 10\.244\.1\.1 dev eth0\n$/s);
  });
});
