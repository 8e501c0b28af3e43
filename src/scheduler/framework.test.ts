import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot, resourcesOf } from './framework.js';
import { makeNode, makePod } from './testing.js';

describe('Snapshot', () => {
  it('sorts nodes by name and assigns each node its non-terminal pods', () => {
    const snap = newSnapshot(
      [makeNode('b'), makeNode('a'), makeNode('c')],
      [
        makePod('x', { nodeName: 'a', cpu: '1' }),
        makePod('y', { nodeName: 'a', cpu: '500m' }),
        makePod('z', { nodeName: 'gone', cpu: '1' }),
        makePod('done', { nodeName: 'b', phase: 'Failed' }),
        makePod('pending'),
      ],
    );
    assert.deepEqual(
      snap.nodes.map((n) => n.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      snap.get('a')!.pods.map((p) => p.metadata.name),
      ['x', 'y'],
    );
    assert.deepEqual(snap.get('a')!.requested, { milliCPU: 1500, memory: 0, pods: 2, scalar: {} });
    assert.equal(snap.get('b')!.pods.length, 0);
    assert.equal(snap.get('gone'), undefined);
  });

  it('uses capacity when a node reports no allocatable', () => {
    const node = makeNode('n');
    node.status = { capacity: { cpu: '2', memory: '1Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] };
    assert.deepEqual(newSnapshot([node], []).get('n')!.allocatable, resourcesOf({ cpu: '2', memory: '1Gi', pods: '10' }));
  });

  it('counts unparsable quantities as zero', () => {
    assert.deepEqual(resourcesOf({ cpu: 'lots', memory: '1Gi', pods: 'many' }), { milliCPU: 0, memory: 2 ** 30, pods: 0, scalar: {} });
  });
});
