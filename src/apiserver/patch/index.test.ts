import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ApiError } from '../../api/errors.js';
import { applyPatch, kindKey, PatchError, patchTypeFromContentType } from './index.js';

describe('patchTypeFromContentType', () => {
  for (const [contentType, want] of [
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/merge-patch+json; charset=utf-8', 'merge'],
    ['  Application/Strategic-Merge-Patch+JSON ;charset=UTF-8', 'strategic'],
    ['application/apply-patch+yaml;charset=utf-8', 'apply'],
    ['application/json', undefined],
    ['application/apply-patch+json', undefined],
    ['', undefined],
    ['constructor', undefined],
  ] as const) {
    it(`${JSON.stringify(contentType)} → ${want}`, () => assert.equal(patchTypeFromContentType(contentType), want));
  }
});

describe('applyPatch', () => {
  const original = { metadata: { name: 'web', finalizers: ['a'] }, spec: { replicas: 1 } };
  it('dispatches each patch type', () => {
    assert.deepEqual(
      applyPatch({
        type: 'json',
        kindKey: 'v1/Pod',
        original,
        patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      }),
      {
        metadata: { name: 'web', finalizers: ['a'] },
        spec: { replicas: 2 },
      },
    );
    assert.deepEqual(
      applyPatch({ type: 'merge', kindKey: 'v1/Pod', original, patch: { metadata: { finalizers: ['b'] } } }),
      {
        metadata: { name: 'web', finalizers: ['b'] },
        spec: { replicas: 1 },
      },
    );
    assert.deepEqual(
      applyPatch({ type: 'strategic', kindKey: 'v1/Pod', original, patch: { metadata: { finalizers: ['b'] } } }),
      {
        metadata: { name: 'web', finalizers: ['a', 'b'] },
        spec: { replicas: 1 },
      },
    );
    assert.deepEqual(
      applyPatch({ type: 'apply', kindKey: 'v1/Pod', original, patch: { metadata: { finalizers: ['b'] } } }),
      {
        metadata: { name: 'web', finalizers: ['b', 'a'] },
        spec: { replicas: 1 },
      },
    );
  });
  it('apply with no original creates', () => {
    assert.deepEqual(
      applyPatch({ type: 'apply', kindKey: 'v1/Pod', original: undefined, patch: { metadata: { name: 'x' } } }),
      { metadata: { name: 'x' } },
    );
  });
  it('other types patch an absent original as {}', () => {
    assert.deepEqual(
      applyPatch({
        type: 'json',
        kindKey: 'v1/Pod',
        original: undefined,
        patch: [{ op: 'add', path: '/a', value: 1 }],
      }),
      { a: 1 },
    );
    assert.deepEqual(applyPatch({ type: 'merge', kindKey: 'v1/Pod', original: undefined, patch: { a: 1 } }), { a: 1 });
  });
  it('throws PatchError, an ApiError with a stable reason, for bad patches', () => {
    const cases: [Parameters<typeof applyPatch>[0], string, RegExp][] = [
      [
        { type: 'json', kindKey: 'v1/Pod', original, patch: [{ op: 'remove', path: '/spec/x' }] },
        'Invalid',
        /^jsonpatch: path \/spec\/x not found$/,
      ],
      [
        { type: 'json', kindKey: 'v1/Pod', original, patch: [{ op: 'replace', path: '', value: [] }] },
        'BadRequest',
        /^json patch: the result is not a JSON object$/,
      ],
      [
        { type: 'merge', kindKey: 'v1/Pod', original, patch: ['x'] },
        'BadRequest',
        /^merge patch: the patch must be a JSON object$/,
      ],
      [
        { type: 'strategic', kindKey: 'v1/Pod', original, patch: 'x' },
        'BadRequest',
        /^strategic: the patch must be a JSON object$/,
      ],
      [
        { type: 'apply', kindKey: 'v1/Pod', original, patch: null },
        'BadRequest',
        /^apply: the applied configuration must be an object$/,
      ],
    ];
    for (const [opts, reason, message] of cases) {
      assert.throws(
        () => applyPatch(opts),
        (e: unknown) =>
          e instanceof PatchError && e instanceof ApiError && e.reason === reason && message.test(e.message),
        `${opts.type} ${JSON.stringify(opts.patch)}: expected ${reason} ${String(message)}`,
      );
    }
  });
  it('kindKey joins apiVersion and kind', () => {
    assert.equal(kindKey('apps/v1', 'Deployment'), 'apps/v1/Deployment');
    assert.equal(kindKey('v1', 'Pod'), 'v1/Pod');
  });
});
