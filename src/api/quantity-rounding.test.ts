import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { milliCPU, cpuSharesFor, units } from './quantity.js';

describe('quantities', () => {
  it('parses CPU into millicores, rounding up', () => {
    assert.equal(milliCPU('250m'), 250);
    assert.equal(milliCPU('0.5'), 500);
    assert.equal(milliCPU('.1'), 100);
    assert.equal(milliCPU('2'), 2000);
    assert.equal(milliCPU(1.5), 1500);
    assert.equal(milliCPU('1u'), 1);
    assert.equal(milliCPU('100n'), 1);
    assert.equal(milliCPU('1e-3'), 1);
    assert.equal(milliCPU('1k'), 1_000_000);
  });

  it('parses memory into bytes with binary and decimal suffixes', () => {
    assert.equal(units('64Mi'), 64 * 1024 * 1024);
    assert.equal(units('1Gi'), 1024 ** 3);
    assert.equal(units('1G'), 1e9);
    assert.equal(units('1.5Ki'), 1536);
    assert.equal(units('128974848'), 128974848);
    assert.equal(units('129e6'), 129e6);
    assert.equal(units('123M'), 123e6);
    assert.equal(units('1500m'), 2);
  });

  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'abc', '-1', '1Xi', '1 Gi', 'Mi', '1.2.3', '--1']) assert.equal(units(bad), undefined, bad);
    assert.equal(milliCPU(undefined), undefined);
    assert.equal(milliCPU(-1), undefined);
  });

  it('CPU shares follow requests (1024 per core, at least 2)', () => {
    assert.equal(cpuSharesFor(1000), 1024);
    assert.equal(cpuSharesFor(250), 256);
    assert.equal(cpuSharesFor(1), 2);
  });

  it('millicores of an integer m-quantity are the integer itself, and Ki is 1024 bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
        assert.equal(milliCPU(`${n}m`), n);
        assert.equal(units(`${n}Ki`), n * 1024);
        assert.equal(milliCPU(String(n)), n * 1000);
      }),
    );
  });
});
