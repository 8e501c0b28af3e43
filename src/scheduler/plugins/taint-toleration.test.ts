import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import type { Taint, Toleration } from '../types.js';
import { taintToleration, toleratesTaint } from './taint-toleration.js';

describe('TaintToleration filter', () => {
  const gpu: Taint = { key: 'gpu', value: 'true', effect: 'NoSchedule' };

  it('matches tolerations the upstream way', () => {
    const table: [Toleration, Taint, boolean][] = [
      [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }, gpu, true],
      [{ key: 'gpu', value: 'true' }, gpu, true], // operator defaults to Equal, empty effect matches all
      [{ key: 'gpu', operator: 'Equal', value: 'false' }, gpu, false],
      [{ key: 'gpu', operator: 'Exists' }, gpu, true],
      [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
      [{ key: 'other', operator: 'Exists' }, gpu, false],
      [{ operator: 'Exists' }, gpu, true], // empty key + Exists tolerates everything
      [{ operator: 'Exists', effect: 'NoExecute' }, gpu, false],
      [{ operator: 'Equal', value: 'true' }, gpu, false], // empty key needs Exists
      [{ key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoSchedule' }, true], // empty values are equal
    ];
    for (const [t, taint, want] of table) assert.equal(toleratesTaint(t, taint), want, `${JSON.stringify(t)} vs ${JSON.stringify(taint)}`);
  });

  it('NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule is ignored', () => {
    const snap = newSnapshot(
      [
        makeNode('a', { taints: [gpu] }),
        makeNode('b', { taints: [{ key: 'maint', effect: 'NoExecute' }] }),
        makeNode('c', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      ],
      [],
    );
    const plain = makePod('p');
    assert.deepEqual(taintToleration.filter(plain, snap.get('a')!, snap).reasons, ['node(s) had untolerated taint {gpu: true}']);
    assert.deepEqual(taintToleration.filter(plain, snap.get('b')!, snap).reasons, ['node(s) had untolerated taint {maint: }']);
    assert.equal(taintToleration.filter(plain, snap.get('c')!, snap).code, 'Success');
    const tolerant = makePod('t', { tolerations: [{ key: 'gpu', operator: 'Exists' }] });
    assert.equal(taintToleration.filter(tolerant, snap.get('a')!, snap).code, 'Success');
    assert.equal(taintToleration.filter(tolerant, snap.get('b')!, snap).code, 'Unschedulable');
    const all = makePod('all', { tolerations: [{ operator: 'Exists' }] });
    for (const n of snap.nodes) assert.equal(taintToleration.filter(all, n, snap).code, 'Success');
  });
});
