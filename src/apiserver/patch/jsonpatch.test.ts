import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ApiError } from '../../api/errors.js';
import { PatchError } from './errors.js';
import { applyJsonPatch } from './jsonpatch.js';
import { deepFreeze } from './testkit.js';

const apply = (doc: unknown, ops: unknown): unknown => applyJsonPatch(deepFreeze(doc), deepFreeze(ops));

function rejects(doc: unknown, ops: unknown, reason: 'BadRequest' | 'Invalid', message: RegExp): void {
  assert.throws(
    () => apply(doc, ops),
    (e: unknown) => e instanceof PatchError && e instanceof ApiError && e.reason === reason && message.test(e.message),
  );
}

// The examples of RFC 6902 Appendix A.
describe('jsonpatch: RFC 6902 appendix A', () => {
  it('A.1 adds an object member', () => {
    assert.deepEqual(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { foo: 'bar', baz: 'qux' });
  });
  it('A.2 adds an array element', () => {
    assert.deepEqual(apply({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), {
      foo: ['bar', 'qux', 'baz'],
    });
  });
  it('A.3 removes an object member', () => {
    assert.deepEqual(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    assert.deepEqual(apply({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), {
      foo: ['bar', 'baz'],
    });
  });
  it('A.5 replaces a value', () => {
    assert.deepEqual(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), {
      baz: 'boo',
      foo: 'bar',
    });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    assert.deepEqual(apply(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), {
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });
  it('A.7 moves an array element', () => {
    const doc = { foo: ['all', 'grass', 'cows', 'eat'] };
    assert.deepEqual(apply(doc, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]), {
      foo: ['all', 'cows', 'eat', 'grass'],
    });
  });
  it('A.8 tests a value: success', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    const ops = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    assert.deepEqual(apply(doc, ops), doc);
  });
  it('A.9 tests a value: error', () => {
    rejects(
      { baz: 'qux' },
      [{ op: 'test', path: '/baz', value: 'bar' }],
      'Invalid',
      /test failed at \/baz: expected "bar", found "qux"/,
    );
  });
  it('A.10 adds a nested member object', () => {
    assert.deepEqual(apply({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]), {
      foo: 'bar',
      child: { grandchild: {} },
    });
  });
  it('A.11 ignores unrecognized members of an operation', () => {
    assert.deepEqual(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]), {
      foo: 'bar',
      baz: 'qux',
    });
  });
  it('A.12 fails to add to a nonexistent target', () => {
    rejects(
      { foo: 'bar' },
      [{ op: 'add', path: '/baz/bat', value: 'qux' }],
      'Invalid',
      /^jsonpatch: path \/baz\/bat not found$/,
    );
  });
  it('A.14 unescapes ~1 before ~0', () => {
    const doc = { '/': 9, '~1': 10 };
    assert.deepEqual(apply(doc, [{ op: 'test', path: '/~01', value: 10 }]), doc);
    assert.deepEqual(apply(doc, [{ op: 'remove', path: '/~1' }]), { '~1': 10 });
  });
  it('A.15 compares strings and numbers strictly', () => {
    rejects({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'Invalid', /test failed/);
  });
  it('A.16 adds an array value', () => {
    assert.deepEqual(apply({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), {
      foo: ['bar', ['abc', 'def']],
    });
  });
});

describe('jsonpatch: operations', () => {
  it('appends with "-" and inserts at the end index', () => {
    assert.deepEqual(
      apply({ a: [1] }, [
        { op: 'add', path: '/a/-', value: 2 },
        { op: 'add', path: '/a/2', value: 3 },
      ]),
      { a: [1, 2, 3] },
    );
  });
  it('replaces the whole document with path ""', () => {
    assert.deepEqual(apply({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(apply({ a: 1 }, [{ op: 'add', path: '', value: { c: 3 } }]), { c: 3 });
  });
  it('replace keeps the member in place', () => {
    assert.deepEqual(Object.keys(apply({ a: 1, b: 2, c: 3 }, [{ op: 'replace', path: '/a', value: 9 }]) as object), [
      'a',
      'b',
      'c',
    ]);
  });
  it('copies deeply: changing the copy leaves the source alone', () => {
    const out = apply({ a: { x: [1] } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'add', path: '/b/x/-', value: 2 },
    ]);
    assert.deepEqual(out, { a: { x: [1] }, b: { x: [1, 2] } });
  });
  it('moving to the same place is a no-op, but the source must exist', () => {
    assert.deepEqual(apply({ a: 1 }, [{ op: 'move', from: '/a', path: '/a' }]), { a: 1 });
    rejects({ a: 1 }, [{ op: 'move', from: '/b', path: '/b' }], 'Invalid', /path \/b not found/);
  });
  it('refuses to move a value into its own child', () => {
    rejects(
      { a: { b: {} } },
      [{ op: 'move', from: '/a', path: '/a/b/c' }],
      'Invalid',
      /cannot move \/a into its own child/,
    );
  });
  it('escapes ~ and / in member names', () => {
    assert.deepEqual(apply({}, [{ op: 'add', path: '/a~1b~0c', value: 1 }]), { 'a/b~c': 1 });
  });
  it('a value is copied, not shared with the patch', () => {
    const value = { x: [1] };
    const out = applyJsonPatch({}, [{ op: 'add', path: '/v', value }]) as { v: { x: number[] } };
    out.v.x.push(2);
    assert.deepEqual(value, { x: [1] });
  });
  it('handles __proto__ as an ordinary member and never walks the prototype', () => {
    const out = apply({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
    rejects({}, [{ op: 'add', path: '/__proto__/polluted', value: true }], 'Invalid', /not found/);
    rejects({}, [{ op: 'test', path: '/constructor', value: {} }], 'Invalid', /not found/);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('jsonpatch: errors', () => {
  it('a failing operation leaves nothing half-applied (and the input untouched)', () => {
    const doc = deepFreeze({ a: 1 });
    assert.throws(
      () =>
        applyJsonPatch(doc, [
          { op: 'remove', path: '/a' },
          { op: 'remove', path: '/zz' },
        ]),
      PatchError,
    );
    assert.deepEqual(doc, { a: 1 });
  });
  for (const [name, doc, ops, message] of [
    ['remove of a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], /^jsonpatch: path \/b not found$/],
    ['replace of a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], /path \/b not found/],
    ['index past the end', { a: [1] }, [{ op: 'add', path: '/a/2', value: 1 }], /index 2 is out of bounds/],
    [
      'index with a leading zero',
      { a: [1, 2] },
      [{ op: 'replace', path: '/a/01', value: 1 }],
      /path \/a\/01 not found/,
    ],
    ['"-" outside add', { a: [1] }, [{ op: 'remove', path: '/a/-' }], /path \/a\/- not found/],
    ['walking through a scalar', { a: 1 }, [{ op: 'add', path: '/a/b', value: 1 }], /path \/a\/b not found/],
    ['removing the document', { a: 1 }, [{ op: 'remove', path: '' }], /cannot remove the whole document/],
  ] as const) {
    it(`${name} is Invalid (422)`, () => rejects(doc, ops, 'Invalid', message));
  }
  for (const [name, ops, message] of [
    ['a patch that is not an array', { op: 'add' }, /must be a JSON array/],
    ['an unknown op', [{ op: 'frob', path: '/a' }], /operation 0 has unknown op "frob"/],
    ['a missing path', [{ op: 'add', value: 1 }], /operation 0 \(add\) has no string "path"/],
    ['a missing value', [{ op: 'test', path: '/a' }], /operation 0 \(test\) has no "value"/],
    ['a missing from', [{ op: 'copy', path: '/a' }], /operation 0 \(copy\) has no string "from"/],
    ['a pointer without a leading slash', [{ op: 'remove', path: 'a' }], /must be empty or start with "\/"/],
    ['a bad ~ escape', [{ op: 'remove', path: '/a~2' }], /bad escape/],
  ] as const) {
    it(`${name} is BadRequest (400)`, () => rejects({ a: 1 }, ops, 'BadRequest', message));
  }
  it('PatchError carries the HTTP code of its reason', () => {
    try {
      apply({}, [{ op: 'test', path: '/a', value: 1 }]);
      assert.fail('expected a PatchError');
    } catch (e) {
      assert.ok(e instanceof PatchError);
      assert.equal(e.code, 422);
      assert.equal(e.toStatus().reason, 'Invalid');
    }
  });
});
