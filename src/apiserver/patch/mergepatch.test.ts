import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mergePatch } from './mergepatch.js';
import { deepFreeze } from './testkit.js';

const merge = (target: unknown, patch: unknown): unknown => mergePatch(deepFreeze(target), deepFreeze(patch));

describe('mergepatch: RFC 7386 appendix A', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    it(`${JSON.stringify(target)} + ${JSON.stringify(patch)} = ${JSON.stringify(want)}`, () => {
      assert.deepEqual(merge(target, patch), want);
    });
  }
});

describe('mergepatch', () => {
  it('replaces lists atomically, keeping nulls inside them', () => {
    assert.deepEqual(merge({ l: [1, 2, 3] }, { l: [null, { a: null }] }), { l: [null, { a: null }] });
  });
  it('keeps existing members in place and appends new ones', () => {
    const out = merge({ metadata: {}, spec: { a: 1 }, status: {} }, { spec: { a: 2 }, extra: 1 });
    assert.deepEqual(Object.keys(out as object), ['metadata', 'spec', 'status', 'extra']);
  });
  it('shares no structure with its inputs', () => {
    const target = { keep: { x: [1] } };
    const patch = { add: { y: [2] } };
    const out = mergePatch(target, patch) as { keep: { x: number[] }; add: { y: number[] } };
    out.keep.x.push(9);
    out.add.y.push(9);
    assert.deepEqual(target, { keep: { x: [1] } });
    assert.deepEqual(patch, { add: { y: [2] } });
  });
  it('kubectl scale: {"spec":{"replicas":7}}', () => {
    const deploy = { metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } } };
    assert.deepEqual(merge(deploy, { spec: { replicas: 7 } }), {
      metadata: { name: 'web' },
      spec: { replicas: 7, selector: { matchLabels: { app: 'web' } } },
    });
  });
  it('treats __proto__ as data', () => {
    const out = merge({}, JSON.parse('{"__proto__": {"polluted": true}}'));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
  });
});
