import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../machinery/store.js';
import { parseCidr } from '../../util/cidr.js';
import type { EventRecorder } from '../../client/events.js';
import type { Node } from '../api.js';
import { decide, syncNode, type NodeIpamDeps } from './sync.js';

class RecordingRecorder implements EventRecorder {
  readonly events: { reason: string; message: string }[] = [];
  event(_obj: unknown, _type: string, reason: string, message: string): void {
    this.events.push({ reason, message });
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

function node(name: string, podCIDR?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1' },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  };
}

/** A Node cache and an API that records writes and (like the informer, later) applies them to the cache. */
function harness(
  cluster = '10.244.0.0/16',
  maskSize = 24,
): { deps: NodeIpamDeps; store: Store<Node>; writes: [string, string][]; deliver(): void; recorder: RecordingRecorder } {
  const store = new Store<Node>({ freeze: 'deep' });
  const writes: [string, string][] = [];
  const undelivered: Node[] = [];
  const recorder = new RecordingRecorder();
  const deps: NodeIpamDeps = {
    nodes: store,
    api: {
      setPodCIDR: (n, cidr) => {
        writes.push([n.metadata.name ?? '', cidr]);
        undelivered.push(node(n.metadata.name ?? '', cidr));
        return Promise.resolve();
      },
    },
    cluster: parseCidr(cluster),
    maskSize,
    state: { pending: new Map() },
    recorder,
  };
  return { deps, store, writes, recorder, deliver: () => undelivered.splice(0).forEach((n) => store.upsert(n)) };
}

describe('nodeipam', () => {
  it('decide keeps a Node that has a CIDR and gives the others the lowest free /24', () => {
    const cluster = parseCidr('10.244.0.0/16');
    const nodes = [node('a', '10.244.0.0/24'), node('b'), node('c', '10.244.2.0/24')];
    assert.deepEqual(decide(nodes[0] as Node, nodes, new Map(), cluster, 24), { type: 'none' });
    assert.deepEqual(decide(nodes[1] as Node, nodes, new Map(), cluster, 24), { type: 'assign', cidr: '10.244.1.0/24' });
    // A CIDR written for another node but not yet in the cache is taken too.
    const pending = new Map([['x', { uid: 'uid-x', cidr: '10.244.1.0/24' }]]);
    assert.deepEqual(decide(nodes[1] as Node, nodes, pending, cluster, 24), { type: 'assign', cidr: '10.244.3.0/24' });
  });

  it('never gives one CIDR twice, even while the cache lags behind its writes', async () => {
    const h = harness();
    for (const n of ['n1', 'n2', 'n3']) h.store.upsert(node(n));
    await Promise.all(['n1', 'n2', 'n3'].map((n) => syncNode(n, h.deps)));
    // Synced again before the cache shows the writes: the same answers, no new CIDRs.
    await Promise.all(['n1', 'n2', 'n3'].map((n) => syncNode(n, h.deps)));
    const byNode = new Map<string, Set<string>>();
    for (const [n, c] of h.writes) byNode.set(n, (byNode.get(n) ?? new Set()).add(c));
    assert.deepEqual(
      [...byNode].map(([n, s]) => [n, [...s]]),
      [
        ['n1', ['10.244.0.0/24']],
        ['n2', ['10.244.1.0/24']],
        ['n3', ['10.244.2.0/24']],
      ],
    );
    h.deliver();
    const before = h.writes.length;
    for (const n of ['n1', 'n2', 'n3']) await syncNode(n, h.deps);
    assert.equal(h.writes.length, before, 'nodes with a CIDR are left alone');
    assert.equal(h.deps.state.pending.size, 0, 'pending writes are forgotten once the cache shows them');
  });

  it("frees a deleted Node's CIDR for the next Node, and reports exhaustion with an event", async () => {
    const h = harness('10.244.0.0/23', 24);
    h.store.upsert(node('a', '10.244.0.0/24'));
    h.store.upsert(node('b', '10.244.1.0/24'));
    h.store.upsert(node('c'));
    await syncNode('c', h.deps);
    assert.deepEqual(h.writes, []);
    assert.deepEqual(
      h.recorder.events.map((e) => e.reason),
      ['CIDRNotAvailable'],
    );
    h.store.delete('a');
    await syncNode('a', h.deps);
    await syncNode('c', h.deps);
    assert.deepEqual(h.writes, [['c', '10.244.0.0/24']]);
  });

  it('a Node re-created under the same name gets a fresh decision, not the old pending CIDR', async () => {
    const h = harness('10.244.0.0/23', 24);
    h.store.upsert(node('a'));
    await syncNode('a', h.deps);
    h.store.delete('a');
    h.store.upsert({ ...node('b', '10.244.0.0/24') });
    h.store.upsert({ ...node('a'), metadata: { name: 'a', uid: 'uid-a2', resourceVersion: '5' } });
    await syncNode('a', h.deps);
    assert.deepEqual(h.writes, [
      ['a', '10.244.0.0/24'],
      ['a', '10.244.1.0/24'],
    ]);
  });
});
