import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cpuMillis, cpuSharesFor, quantityValue } from './quantity.js';

describe('quantities', () => {
  it('parses CPU into millicores, rounding up', () => {
    assert.equal(cpuMillis('250m'), 250);
    assert.equal(cpuMillis('0.5'), 500);
    assert.equal(cpuMillis('.1'), 100);
    assert.equal(cpuMillis('2'), 2000);
    assert.equal(cpuMillis(1.5), 1500);
    assert.equal(cpuMillis('1u'), 1);
    assert.equal(cpuMillis('100n'), 1);
    assert.equal(cpuMillis('1e-3'), 1);
    assert.equal(cpuMillis('1k'), 1_000_000);
  });

  it('parses memory into bytes with binary and decimal suffixes', () => {
    assert.equal(quantityValue('64Mi'), 64 * 1024 * 1024);
    assert.equal(quantityValue('1Gi'), 1024 ** 3);
    assert.equal(quantityValue('1G'), 1e9);
    assert.equal(quantityValue('1.5Ki'), 1536);
    assert.equal(quantityValue('128974848'), 128974848);
    assert.equal(quantityValue('129e6'), 129e6);
    assert.equal(quantityValue('123M'), 123e6);
    assert.equal(quantityValue('1500m'), 2);
  });

  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'abc', '-1', '1Xi', '1 Gi', 'Mi', '1.2.3', '--1']) assert.equal(quantityValue(bad), undefined, bad);
    assert.equal(cpuMillis(undefined), undefined);
    assert.equal(cpuMillis(-1), undefined);
  });

  it('CPU shares follow requests (1024 per core, at least 2)', () => {
    assert.equal(cpuSharesFor(1000), 1024);
    assert.equal(cpuSharesFor(250), 256);
    assert.equal(cpuSharesFor(1), 2);
  });

  it('millicores of an integer m-quantity are the integer itself, and Ki is 1024 bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => {
        assert.equal(cpuMillis(`${n}m`), n);
        assert.equal(quantityValue(`${n}Ki`), n * 1024);
        assert.equal(cpuMillis(String(n)), n * 1000);
      }),
    );
  });
});
