import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../util/clock.js';
import { AssumedPods } from './assume.js';
import { makePod } from './testing.js';

describe('AssumedPods', () => {
  it('lays assumed bindings over unbound cached pods until the cache shows them bound', () => {
    const clock = new FakeClock();
    const assumed = new AssumedPods({ clock });
    const pod = Object.freeze(makePod('p'));
    assumed.assume(pod, 'n1');
    assert.equal(pod.spec?.nodeName, undefined, 'the cached pod is not changed');
    assert.deepEqual(
      assumed.overlay([pod, makePod('q')]).map((p) => p.spec?.nodeName),
      ['n1', undefined],
    );
    const bound = makePod('p', { nodeName: 'n1' });
    assert.deepEqual(
      assumed.overlay([bound]).map((p) => p.spec?.nodeName),
      ['n1'],
    );
    assert.equal(assumed.has('default/p'), false, 'confirmed by the cache');
  });

  it('drops assumptions for pods deleted or replaced, and on forget', () => {
    const assumed = new AssumedPods({ clock: new FakeClock() });
    assumed.assume(makePod('a'), 'n1');
    assumed.assume(makePod('b'), 'n1');
    assumed.assume(makePod('c'), 'n1');
    assumed.forget('default/c');
    const replaced = makePod('b');
    replaced.metadata.uid = 'another';
    assert.deepEqual(
      assumed.overlay([replaced]).map((p) => p.spec?.nodeName),
      [undefined],
    );
    assert.equal(assumed.size, 0);
  });

  it('expires a bound assumption the informer never confirms, but never one in flight', () => {
    const clock = new FakeClock();
    const assumed = new AssumedPods({ clock, ttlMs: 1000 });
    const a = makePod('a');
    const b = makePod('b');
    assumed.assume(a, 'n1');
    assumed.assume(b, 'n1');
    assumed.bound('default/a');
    clock.advance(1001);
    assert.deepEqual(
      assumed.overlay([a, b]).map((p) => p.spec?.nodeName),
      [undefined, 'n1'],
    );
    assert.equal(assumed.nodeOf('default/b'), 'n1');
  });
});
