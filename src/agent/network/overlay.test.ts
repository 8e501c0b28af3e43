// The overlay and masquerade against the real kernel and nft, in a network namespace of the test's own
// (every command runs through `ip netns exec`): the device is made once and kept, peers are programmed and a
// second pass changes nothing, a peer that leaves is removed, and cleanup leaves nothing behind.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { desiredOverlay, PUBLIC_IP_ANNOTATION, VTEP_MAC_ANNOTATION, type OverlayNode } from './desired.js';
import { execCommand, IpRoute, type Exec } from './ip.js';
import { Masquerade, PODNET_TABLE } from './masq.js';
import { Overlay, podMtu, VXLAN_DEVICE } from './overlay.js';

const NS = `mk-ovl-${process.pid}`;
const inNs: Exec = (cmd, args, stdin) => execCommand('ip', ['netns', 'exec', NS, cmd, ...args], stdin);

function peer(name: string, cidr: string, mac: string, ip: string): OverlayNode {
  return { metadata: { name, annotations: { [VTEP_MAC_ANNOTATION]: mac, [PUBLIC_IP_ANNOTATION]: ip } }, spec: { podCIDR: cidr } };
}

describe('overlay and masquerade on the kernel', () => {
  const ip = new IpRoute(inNs);
  const overlay = new Overlay(ip);
  const self = peer('self', '10.244.1.0/24', '02:00:00:00:00:01', '10.250.0.1');
  const a = peer('a', '10.244.2.0/24', '02:00:00:00:00:02', '10.250.0.2');
  const b = peer('b', '10.244.3.0/24', '02:00:00:00:00:03', '10.250.0.3');

  before(async () => {
    await execCommand('ip', ['netns', 'add', NS]);
    await inNs('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
    await inNs('ip', ['addr', 'add', '10.250.0.1/24', 'dev', 'eth0']);
    await inNs('ip', ['link', 'set', 'eth0', 'up']);
  });
  after(async () => {
    await execCommand('ip', ['netns', 'del', NS]).catch(() => undefined);
  });

  it('podMtu leaves room for VXLAN on small underlays', () => {
    assert.equal(podMtu(1500), 1450);
    assert.equal(podMtu(9000), 1450);
    assert.equal(podMtu(1400), 1350);
    assert.equal(podMtu(undefined), 1450);
  });

  it('creates the VTEP once, programs peers idempotently, removes a peer that leaves, and cleans up', async () => {
    const mac = await overlay.ensureDevice('10.250.0.1', '10.244.1.0/24', 1450);
    assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    const link = await ip.link(VXLAN_DEVICE);
    assert.deepEqual(
      { kind: link?.kind, vni: link?.vni, port: link?.port, local: link?.local, learning: link?.learning, mtu: link?.mtu, up: link?.up },
      { kind: 'vxlan', vni: 1, port: 8472, local: '10.250.0.1', learning: false, mtu: 1450, up: true },
    );
    assert.deepEqual(await ip.addresses(VXLAN_DEVICE), ['10.244.1.0/32']);
    assert.equal(await overlay.ensureDevice('10.250.0.1', '10.244.1.0/24', 1450), mac, 'an existing, correct device is kept (same MAC)');

    assert.equal(await overlay.apply(desiredOverlay('self', [self, a, b])), 6);
    assert.equal(await overlay.apply(desiredOverlay('self', [self, a, b])), 0, 'a second pass changes nothing');
    const routes = (await inNs('ip', ['-4', 'route', 'show', 'dev', VXLAN_DEVICE]))
      .split('\n')
      .map((r) => r.trim())
      .filter(Boolean);
    assert.deepEqual(routes, ['10.244.2.0/24 via 10.244.2.0 onlink', '10.244.3.0/24 via 10.244.3.0 onlink']);
    assert.match(await inNs('bridge', ['fdb', 'show', 'dev', VXLAN_DEVICE]), /02:00:00:00:00:03 dst 10\.250\.0\.3 self permanent/);
    assert.match(await inNs('ip', ['neigh', 'show', 'dev', VXLAN_DEVICE]), /10\.244\.3\.0 lladdr 02:00:00:00:00:03 PERMANENT/);

    assert.equal(await overlay.apply(desiredOverlay('self', [self, a])), 3, 'b leaves: its neighbour, FDB entry and route go');
    assert.doesNotMatch(await inNs('ip', ['-4', 'route', 'show', 'dev', VXLAN_DEVICE]), /10\.244\.3\.0/);
    assert.doesNotMatch(await inNs('bridge', ['fdb', 'show', 'dev', VXLAN_DEVICE]), /10\.250\.0\.3/);

    // A pod CIDR change moves the VTEP address.
    await overlay.ensureDevice('10.250.0.1', '10.244.9.0/24', 1450);
    assert.deepEqual(await ip.addresses(VXLAN_DEVICE), ['10.244.9.0/32']);

    await overlay.remove();
    await overlay.remove();
    assert.equal(await ip.link(VXLAN_DEVICE), undefined);
    assert.equal((await inNs('ip', ['-4', 'route', 'show'])).includes('10.244.'), false);
  });

  it('masquerades pod egress outside the pod CIDRs only, shares the table between agents, and drops it with the last', async () => {
    const one = new Masquerade(inNs);
    const two = new Masquerade(inNs);
    await one.apply('10.244.1.0/24', ['10.244.1.0/24', '10.244.2.0/24']);
    await one.apply('10.244.1.0/24', ['10.244.1.0/24', '10.244.2.0/24']);
    await two.apply('10.244.2.0/24', ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
    const table = await inNs('nft', ['list', 'table', 'ip', PODNET_TABLE]);
    assert.match(table, /ip saddr @pod-cidrs ip daddr != @cluster-cidrs counter packets \d+ bytes \d+ masquerade/);
    assert.equal(table.match(/masquerade/g)?.length, 1, `one rule, however many agents:\n${table}`);
    assert.match(table, /elements = \{ 10\.244\.1\.0\/24, 10\.244\.2\.0\/24 \}/);
    await one.cleanup('10.244.1.0/24');
    assert.match(await inNs('nft', ['list', 'set', 'ip', PODNET_TABLE, 'pod-cidrs']), /elements = \{ 10\.244\.2\.0\/24 \}/);
    // Agents of one namespace that disagree on the cluster CIDR (one has the flag, another only its Nodes' CIDRs):
    // overlapping ranges merge instead of failing the transaction.
    const three = new Masquerade(inNs);
    await three.apply('10.244.3.0/24', ['10.244.0.0/16', '10.70.0.0/16']);
    await three.apply('10.244.3.0/24', ['10.244.0.0/16', '10.70.0.0/16', '10.70.1.0/24']);
    assert.match(await inNs('nft', ['list', 'set', 'ip', PODNET_TABLE, 'cluster-cidrs']), /10\.244\.0\.0\/16/);
    await three.cleanup('10.244.3.0/24');
    await two.cleanup('10.244.2.0/24');
    assert.doesNotMatch(await inNs('nft', ['list', 'tables']), new RegExp(PODNET_TABLE));

    // A table an older agent made (no auto-merge) holding a range the new one overlaps: the rule and the
    // agent's own pod CIDR still go in.
    await inNs(
      'nft',
      ['-f', '-'],
      `table ip ${PODNET_TABLE} {\n set cluster-cidrs { type ipv4_addr; flags interval; }\n}\nadd element ip ${PODNET_TABLE} cluster-cidrs { 10.64.0.0/24 }\n`,
    );
    const four = new Masquerade(inNs);
    await four.apply('10.64.0.0/24', ['10.64.0.0/16', '10.99.0.0/24']);
    const after4 = await inNs('nft', ['list', 'table', 'ip', PODNET_TABLE]);
    assert.match(after4, /masquerade/);
    assert.match(after4, /10\.99\.0\.0\/24/);
    await four.cleanup('10.64.0.0/24');
    assert.doesNotMatch(await inNs('nft', ['list', 'tables']), new RegExp(PODNET_TABLE));
    await two.cleanup('10.244.2.0/24');
  });
});
