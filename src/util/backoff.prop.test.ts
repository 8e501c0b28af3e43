import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Backoff, exponentialDelay } from './backoff.js';

describe('Backoff (properties)', () => {
  it('every delay lies in [base*(1-jitter), base] with base the capped exponential, never above maxMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (initialMs, extra, factor, jitter, randoms) => {
          const maxMs = initialMs + extra;
          const rs = [...randoms];
          const b = new Backoff({ initialMs, maxMs, factor, jitter, random: () => rs.shift() ?? 0 });
          randoms.forEach((_, attempt) => {
            const d = b.next();
            const base = exponentialDelay(attempt, { initialMs, maxMs, factor });
            assert.ok(d <= maxMs && d <= base + 1e-9, `delay ${d} above base ${base} / cap ${maxMs}`);
            assert.ok(d >= base * (1 - jitter) - 1e-9, `delay ${d} below ${base * (1 - jitter)}`);
          });
        },
      ),
    );
  });

  it('without jitter, delays never decrease until reset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.nat(60),
        (initialMs, extra, n) => {
          const b = new Backoff({ initialMs, maxMs: initialMs + extra });
          let last = 0;
          for (let i = 0; i < n; i++) {
            const d = b.next();
            assert.ok(d >= last, `delay ${d} after ${last}`);
            last = d;
          }
          b.reset();
          assert.equal(b.next(), initialMs);
        },
      ),
    );
  });
});
