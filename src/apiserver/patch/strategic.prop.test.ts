import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { json, podLike } from './arbitraries.js';
import { mergePatch } from './mergepatch.js';
import { strategicMergePatch } from './strategic.js';
import { at, deepFreeze, plain } from './testkit.js';
import { hasKey, isMap } from './value.js';

const doc = json(false);
const patch = json(true);
const pod = podLike(false);
const podPatch = podLike(true);

describe('strategic merge patch properties', () => {
  it('for kinds without patch meta and directive-free patches, equals the JSON merge patch', () => {
    fc.assert(
      fc.property(doc.object, patch.object, (a, p) => {
        const smp = strategicMergePatch('minik8s.io/v1/Function', deepFreeze(a), deepFreeze(p));
        assert.deepStrictEqual(plain(smp), plain(mergePatch(a, p)));
      }),
    );
  });
  it('never mutates its inputs (frozen pods and patches)', () => {
    fc.assert(fc.property(pod, podPatch, (a, p) => void strategicMergePatch('v1/Pod', deepFreeze(a), deepFreeze(p))));
  });
  it('is idempotent for directive-free patches', () => {
    fc.assert(
      fc.property(pod, podPatch, (a, p) => {
        const once = strategicMergePatch('v1/Pod', a, p);
        assert.deepStrictEqual(plain(strategicMergePatch('v1/Pod', once, p)), plain(once));
      }),
    );
  });
  it('an empty patch copies the object', () => {
    fc.assert(
      fc.property(pod, (a) =>
        assert.deepStrictEqual(plain(strategicMergePatch('v1/Pod', deepFreeze(a), {})), plain(a)),
      ),
    );
  });
  it('a scalar in the patch wins; null removes it', () => {
    fc.assert(
      fc.property(pod, podPatch, (a, p) => {
        const out = strategicMergePatch('v1/Pod', a, p);
        const spec = p.spec;
        if (!isMap(spec) || !hasKey(spec, 'nodeName')) return;
        const got = at(out, ['spec', 'nodeName']);
        assert.equal(got, spec['nodeName'] === null ? undefined : spec['nodeName']);
      }),
    );
  });
});
