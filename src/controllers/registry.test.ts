import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLERS, selectControllers } from './registry.js';

describe('selectControllers', () => {
  const all = Object.keys(CONTROLLERS);

  it('"*" selects every registered controller, in registry order', () => {
    assert.deepEqual(selectControllers('*'), all);
    assert.ok(all.length > 0, 'the registry is not empty');
  });

  it('"-name" leaves one out; names select just those', () => {
    const [first, second] = all;
    assert.ok(first && second);
    assert.deepEqual(selectControllers(`*,-${first}`), all.slice(1));
    assert.deepEqual(selectControllers(`${second},${first}`), [first, second]);
  });

  it('an unknown name is an error that lists the known ones', () => {
    assert.throws(() => selectControllers('*,nosuch'), /unknown controller nosuch \(known: /);
    assert.throws(() => selectControllers('-nosuch'), /unknown controller nosuch/);
  });

  it('an empty spec selects nothing', () => {
    assert.deepEqual(selectControllers(''), []);
  });
});
