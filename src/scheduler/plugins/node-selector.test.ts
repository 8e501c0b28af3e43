import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import { AFFINITY_MISMATCH, nodeSelector } from './node-selector.js';

describe('NodeSelector filter', () => {
  const snap = newSnapshot([makeNode('ssd', { labels: { disk: 'ssd', zone: 'a' } }), makeNode('hdd', { labels: { disk: 'hdd' } })], []);
  const ssd = snap.get('ssd')!;
  const hdd = snap.get('hdd')!;

  it('passes when there is no selector', () => {
    assert.equal(nodeSelector.filter(makePod('p'), hdd, snap).code, 'Success');
  });

  it('needs every label, with equal values', () => {
    const pod = makePod('p', { nodeSelector: { disk: 'ssd', zone: 'a' } });
    assert.equal(nodeSelector.filter(pod, ssd, snap).code, 'Success');
    assert.deepEqual(nodeSelector.filter(pod, hdd, snap).reasons, [AFFINITY_MISMATCH]);
    const missing = makePod('q', { nodeSelector: { disk: 'ssd', gpu: 'yes' } });
    assert.equal(nodeSelector.filter(missing, ssd, snap).code, 'Unschedulable');
  });
});
