import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterCIDRFor, MAX_INDEX, planLab, preferredIndex, validLabName } from './plan.js';

describe('lab plan', () => {
  it('names every namespace, link and address from the lab name and its fabric index', () => {
    const p = planLab({ name: 'demo', nodes: 3, index: 7, baseDir: '/x' });
    assert.equal(p.fabricNetns, 'minik8s-demo-fabric');
    assert.equal(p.hostLink, 'mklab7');
    assert.equal(p.hostIP, '10.200.7.1');
    assert.deepEqual(
      p.nodes.map((n) => [n.name, n.netns, n.ip, n.dockerHost]),
      [
        ['demo-node1', 'minik8s-demo-node1', '10.200.7.11', 'unix:///x/demo/node1/docker.sock'],
        ['demo-node2', 'minik8s-demo-node2', '10.200.7.12', 'unix:///x/demo/node2/docker.sock'],
        ['demo-node3', 'minik8s-demo-node3', '10.200.7.13', 'unix:///x/demo/node3/docker.sock'],
      ],
    );
    // Interface names must fit in 15 bytes for every index.
    assert.ok(planLab({ name: 'demo', nodes: 1, index: MAX_INDEX }).hostLink.length <= 15);
  });

  it('gives every index its own /20 cluster CIDR inside 10.128.0.0/12, never 10.244.0.0/16', () => {
    const seen = new Set<string>();
    for (let k = 1; k <= MAX_INDEX; k++) {
      const cidr = clusterCIDRFor(k);
      const [a, b, c] = cidr.split(/[./]/).map(Number) as [number, number, number];
      assert.equal(a, 10);
      assert.ok(b >= 128 && b < 144, cidr);
      assert.equal(c % 16, 0, cidr);
      assert.ok(cidr.endsWith('/20'), cidr);
      seen.add(cidr);
    }
    assert.equal(seen.size, MAX_INDEX);
  });

  it('rejects names that cannot become namespace and node names, and node counts beyond a /20', () => {
    for (const bad of ['', 'Lab', 'a_b', '-a', 'a-', 'x'.repeat(17)]) assert.equal(validLabName(bad), false, bad);
    assert.equal(validLabName('t12345x0'), true);
    assert.throws(() => planLab({ name: 'ok', nodes: 17, index: 1 }), /--nodes/);
    assert.throws(() => planLab({ name: 'ok', nodes: 0, index: 1 }), /--nodes/);
  });

  it('starts the index search at a stable place for each name', () => {
    assert.equal(preferredIndex('lab'), preferredIndex('lab'));
    for (const n of ['lab', 'a', 't1234x0']) assert.ok(preferredIndex(n) >= 1 && preferredIndex(n) <= MAX_INDEX);
  });
});
