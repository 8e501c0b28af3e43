import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { Expectations } from './expectations.js';

function setup() {
  const clock = new FakeClock();
  return { clock, exp: new Expectations({ clock, ttlMs: 1000 }) };
}

describe('Expectations', () => {
  it('is satisfied for an unknown key', () => {
    assert.equal(setup().exp.satisfied('ns/rs'), true);
  });

  it('is unsatisfied until every expected creation is observed', () => {
    const { exp } = setup();
    exp.expectCreations('ns/rs', 2);
    assert.equal(exp.satisfied('ns/rs'), false);
    exp.creationObserved('ns/rs');
    assert.deepEqual(exp.pending('ns/rs'), { adds: 1, dels: 0 });
    assert.equal(exp.satisfied('ns/rs'), false);
    exp.creationObserved('ns/rs');
    assert.equal(exp.satisfied('ns/rs'), true);
    exp.creationObserved('ns/rs'); // an extra observation does not make a debt
    assert.deepEqual(exp.pending('ns/rs'), { adds: 0, dels: 0 });
  });

  it('tracks deletions, and a new expectation replaces the old one', () => {
    const { exp } = setup();
    exp.expectCreations('ns/rs', 3);
    exp.expectDeletions('ns/rs', 1);
    assert.deepEqual(exp.pending('ns/rs'), { adds: 0, dels: 1 });
    exp.deletionObserved('ns/rs');
    assert.equal(exp.satisfied('ns/rs'), true);
  });

  it('counts unmet expectations as satisfied after the TTL', () => {
    const { clock, exp } = setup();
    exp.expectCreations('ns/rs', 1);
    clock.advance(1000);
    assert.equal(exp.satisfied('ns/rs'), false);
    clock.advance(1);
    assert.equal(exp.satisfied('ns/rs'), true);
  });

  it('delete forgets a key; observations for unknown keys are ignored', () => {
    const { exp } = setup();
    exp.expectDeletions('ns/rs', 1);
    exp.delete('ns/rs');
    assert.equal(exp.satisfied('ns/rs'), true);
    assert.equal(exp.pending('ns/rs'), undefined);
    exp.creationObserved('ns/other');
    exp.deletionObserved('ns/other');
    assert.equal(exp.pending('ns/other'), undefined);
  });
});
