import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot, type NodeInfo } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import type { Node } from '../types.js';
import { nodeReady, NOT_READY, UNSCHEDULABLE } from './node-ready.js';

function info(node: Node): NodeInfo {
  return newSnapshot([node], []).nodes[0]!;
}

describe('NodeReady filter', () => {
  const pod = makePod('p');

  it('passes a Ready, schedulable node', () => {
    assert.equal(nodeReady.filter(pod, info(makeNode('n')), newSnapshot([], [])).code, 'Success');
  });

  it('refuses a node whose Ready condition is False, or that has none yet', () => {
    for (const ready of [false, 'missing'] as const) {
      const s = nodeReady.filter(pod, info(makeNode('n', { ready })), newSnapshot([], []));
      assert.deepEqual([s.code, s.reasons], ['Unschedulable', [NOT_READY]], `ready=${String(ready)}`);
    }
    const noStatus: Node = { metadata: { name: 'bare' } };
    assert.deepEqual(nodeReady.filter(pod, info(noStatus), newSnapshot([], [])).reasons, [NOT_READY]);
  });

  it('refuses a cordoned node unless the pod tolerates the unschedulable taint', () => {
    const cordoned = info(makeNode('n', { unschedulable: true }));
    assert.deepEqual(nodeReady.filter(pod, cordoned, newSnapshot([], [])).reasons, [UNSCHEDULABLE]);
    const tolerant = makePod('ds', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.equal(nodeReady.filter(tolerant, cordoned, newSnapshot([], [])).code, 'Success');
  });
});
