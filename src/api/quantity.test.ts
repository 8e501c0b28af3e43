import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { milliCPU, units } from './quantity.js';

describe('quantities', () => {
  it('CPU in millicores', () => {
    const cases: [string | number, number][] = [
      ['100m', 100],
      ['0.5', 500],
      ['.5', 500],
      ['2', 2000],
      [2, 2000],
      [0.25, 250],
      ['1.5', 1500],
      ['0.1', 100],
      ['250000u', 250],
      ['1n', 1], // rounds up, like Quantity.MilliValue
      ['1e3', 1_000_000],
      ['1k', 1_000_000],
      ['+3', 3000],
    ];
    for (const [q, want] of cases) assert.equal(milliCPU(q), want, `milliCPU(${JSON.stringify(q)})`);
  });

  it('memory in bytes, binary and decimal suffixes', () => {
    const cases: [string, number][] = [
      ['128974848', 128974848],
      ['129e6', 129_000_000],
      ['129M', 129_000_000],
      ['123Mi', 123 * 2 ** 20],
      ['1Ki', 1024],
      ['1K', 1000], // upstream spells it `k`; `K` is accepted as the same
      ['1k', 1000],
      ['1Gi', 2 ** 30],
      ['1.5Gi', 1.5 * 2 ** 30],
      ['1G', 1e9],
      ['2Ti', 2 * 2 ** 40],
      ['500m', 1], // half a byte rounds up
    ];
    for (const [q, want] of cases) assert.equal(units(q), want, `units(${q})`);
  });

  it('rejects what is not a non-negative quantity', () => {
    for (const q of ['', 'abc', '1KiB', '-1', '1.2.3', 'Mi', '.', '1 Gi', '1e', '0x10']) assert.equal(units(q), undefined, `units(${JSON.stringify(q)})`);
    assert.equal(units(undefined), undefined);
    assert.equal(units(Number.NaN), undefined);
  });
});
