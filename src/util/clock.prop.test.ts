import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from './clock.js';

describe('FakeClock (properties)', () => {
  it('fires exactly the timers due by the final time, once each, in (due, scheduling) order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }),
        (delays, steps) => {
          const clock = new FakeClock();
          const fired: { i: number; at: number }[] = [];
          delays.forEach((d, i) => clock.setTimeout(() => fired.push({ i, at: clock.now() }), d));
          for (const s of steps) clock.advance(s);
          clock.advance(0); // timers due now fire only when something advances the clock
          const end = steps.reduce((a, b) => a + b, 0);
          const expected = delays
            .map((d, i) => ({ i, at: d }))
            .filter((t) => t.at <= end)
            .sort((a, b) => a.at - b.at || a.i - b.i);
          assert.deepEqual(fired, expected);
          assert.equal(clock.pending(), delays.length - expected.length);
          assert.equal(clock.now(), end);
        },
      ),
    );
  });
});
