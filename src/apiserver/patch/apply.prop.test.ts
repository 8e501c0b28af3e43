import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { json, podLike } from './arbitraries.js';
import { serverSideApply } from './apply.js';
import { deepFreeze, plain } from './testkit.js';

const pod = podLike(false);
const doc = json(false);

describe('server-side apply properties', () => {
  it('with no live object the result is the applied object', () => {
    fc.assert(
      fc.property(pod, (a) =>
        assert.deepStrictEqual(plain(serverSideApply('v1/Pod', undefined, deepFreeze(a))), plain(a)),
      ),
    );
    fc.assert(
      fc.property(doc.object, (a) =>
        assert.deepStrictEqual(plain(serverSideApply('x.io/v1/Thing', undefined, deepFreeze(a))), plain(a)),
      ),
    );
  });
  it('applying the same manifest twice changes nothing the second time', () => {
    fc.assert(
      fc.property(pod, pod, (live, applied) => {
        const once = serverSideApply('v1/Pod', deepFreeze(live), deepFreeze(applied));
        assert.deepStrictEqual(plain(serverSideApply('v1/Pod', deepFreeze(once), applied)), plain(once));
      }),
    );
  });
  it('applying the live object to itself changes nothing (when it has no duplicate keys)', () => {
    fc.assert(
      fc.property(doc.object, (live) => {
        assert.deepStrictEqual(plain(serverSideApply('x.io/v1/Thing', deepFreeze(live), live)), plain(live));
      }),
    );
  });
});
