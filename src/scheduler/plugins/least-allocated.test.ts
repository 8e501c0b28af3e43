import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import { leastAllocated } from './least-allocated.js';

describe('NodeResourcesLeastAllocated score', () => {
  it('scores the room left after placing the pod, cpu and memory weighed equally', () => {
    const snap = newSnapshot([makeNode('n', { cpu: '4', memory: '4Gi' })], [makePod('a', { cpu: '1', memory: '1Gi', nodeName: 'n' })]);
    // cpu: (4000 - 2000) * 100 / 4000 = 50; memory: (4Gi - 2Gi) * 100 / 4Gi = 50.
    assert.equal(leastAllocated.score(makePod('p', { cpu: '1', memory: '1Gi' }), snap.get('n')!, snap), 50);
  });

  it('prefers the emptier node, and counts defaults for pods without requests', () => {
    const snap = newSnapshot([makeNode('busy'), makeNode('idle')], [makePod('x', { nodeName: 'busy' }), makePod('y', { nodeName: 'busy' })]);
    const pod = makePod('p');
    assert.ok(leastAllocated.score(pod, snap.get('idle')!, snap) > leastAllocated.score(pod, snap.get('busy')!, snap));
  });

  it('scores 0 when the node is full or offers nothing', () => {
    const snap = newSnapshot([makeNode('tiny', { cpu: '100m', memory: '1Mi' }), makeNode('zero', { cpu: '0', memory: '0' })], []);
    const pod = makePod('p', { cpu: '1', memory: '1Gi' });
    assert.equal(leastAllocated.score(pod, snap.get('tiny')!, snap), 0);
    assert.equal(leastAllocated.score(pod, snap.get('zero')!, snap), 0);
  });
});
