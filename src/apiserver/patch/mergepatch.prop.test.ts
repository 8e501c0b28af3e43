import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { json } from './arbitraries.js';
import { mergePatch } from './mergepatch.js';
import { createMergePatch, deepFreeze, plain } from './testkit.js';

const doc = json(false);
const patch = json(true);

describe('mergepatch properties', () => {
  it('mergePatch(a, createMergePatch(a, b)) equals b', () => {
    fc.assert(
      fc.property(doc.value, doc.value, (a, b) => {
        const p = deepFreeze(createMergePatch(a, b));
        assert.deepStrictEqual(plain(mergePatch(deepFreeze(a), p)), plain(b));
      }),
    );
  });
  it('never mutates its inputs (frozen inputs do not throw)', () => {
    fc.assert(fc.property(patch.value, patch.value, (a, p) => void mergePatch(deepFreeze(a), deepFreeze(p))));
  });
  it('is idempotent', () => {
    fc.assert(
      fc.property(doc.object, patch.object, (a, p) => {
        const once = mergePatch(a, p);
        assert.deepStrictEqual(plain(mergePatch(once, p)), plain(once));
      }),
    );
  });
  it('an empty patch copies the target', () => {
    fc.assert(fc.property(doc.object, (a) => assert.deepStrictEqual(plain(mergePatch(deepFreeze(a), {})), plain(a))));
  });
});
