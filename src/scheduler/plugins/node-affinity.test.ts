import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot } from '../framework.js';
import { makeNode, makePod } from '../testing.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../types.js';
import { matchesRequirement, nodeAffinity } from './node-affinity.js';
import { AFFINITY_MISMATCH } from './node-selector.js';

const node = makeNode('n1', { labels: { zone: 'a', disk: 'ssd', cores: '8' } });
const snap = newSnapshot([node], []);
const info = snap.get('n1')!;

function fits(terms: NodeSelectorTerm[]): boolean {
  return nodeAffinity.filter(makePod('p', { affinity: terms }), info, snap).code === 'Success';
}

describe('NodeAffinity filter', () => {
  it('each operator', () => {
    const r = (operator: NodeSelectorRequirement['operator'], values?: string[]): NodeSelectorRequirement => ({
      key: 'k',
      operator,
      ...(values ? { values } : {}),
    });
    const table: [NodeSelectorRequirement, string | undefined, boolean][] = [
      [r('In', ['a', 'b']), 'a', true],
      [r('In', ['a', 'b']), 'c', false],
      [r('In', ['a']), undefined, false],
      [r('NotIn', ['a']), 'b', true],
      [r('NotIn', ['a']), 'a', false],
      [r('NotIn', ['a']), undefined, true],
      [r('Exists'), '', true],
      [r('Exists'), undefined, false],
      [r('DoesNotExist'), undefined, true],
      [r('DoesNotExist'), 'x', false],
      [r('Gt', ['4']), '8', true],
      [r('Gt', ['8']), '8', false],
      [r('Lt', ['10']), '8', true],
      [r('Lt', ['8']), '8', false],
      [r('Gt', ['4']), 'eight', false],
      [r('Gt', ['x']), '8', false],
      [r('Gt', ['1', '2']), '8', false],
      [r('Gt', ['4']), undefined, false],
    ];
    for (const [req, value, want] of table)
      assert.equal(matchesRequirement(req, value), want, `${req.operator} ${JSON.stringify(req.values)} on ${String(value)}`);
  });

  it('ANDs the expressions of a term', () => {
    assert.equal(
      fits([
        {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['a'] },
            { key: 'disk', operator: 'In', values: ['ssd'] },
          ],
        },
      ]),
      true,
    );
    assert.equal(
      fits([
        {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['a'] },
            { key: 'disk', operator: 'In', values: ['hdd'] },
          ],
        },
      ]),
      false,
    );
  });

  it('ORs the terms', () => {
    assert.equal(
      fits([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }]),
      true,
    );
    assert.equal(
      fits([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }]),
      false,
    );
  });

  it('an empty term matches nothing; matchFields read metadata.name', () => {
    assert.equal(fits([{}]), false);
    assert.equal(fits([]), false);
    assert.equal(fits([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), true);
    assert.equal(fits([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }]), false);
  });

  it('passes pods without required node affinity and reports the upstream reason', () => {
    assert.equal(nodeAffinity.filter(makePod('p'), info, snap).code, 'Success');
    const s = nodeAffinity.filter(makePod('p', { affinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }] }), info, snap);
    assert.deepEqual(s.reasons, [AFFINITY_MISMATCH]);
  });
});
