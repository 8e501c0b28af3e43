import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { json, key } from './arbitraries.js';
import { PatchError } from './errors.js';
import { applyJsonPatch } from './jsonpatch.js';
import { formatPointer } from './jsonpointer.js';
import { deepFreeze, plain } from './testkit.js';
import { isMap } from './value.js';

const doc = json(true);

/** Every container (object or array) in a document, with its pointer tokens. */
function containers(v: unknown, path: string[] = []): { path: string[]; value: unknown[] | Record<string, unknown> }[] {
  if (Array.isArray(v)) return [{ path, value: v }, ...v.flatMap((x, i) => containers(x, [...path, String(i)]))];
  if (isMap(v)) return [{ path, value: v }, ...Object.keys(v).flatMap((k) => containers(v[k], [...path, k]))];
  return [];
}

/** A document, a pointer to a place where `add` can put a value, and that value. */
const addCase = doc.object.chain((d) =>
  fc.record({
    doc: fc.constant(d),
    target: fc.constantFrom(...containers(d)),
    member: key,
    index: fc.nat(),
    append: fc.boolean(),
    value: doc.value,
  }),
);

describe('jsonpatch properties', () => {
  it('test after add succeeds at the same path', () => {
    fc.assert(
      fc.property(addCase, ({ doc: d, target, member, index, append, value }) => {
        let token = member;
        let testToken = member;
        if (Array.isArray(target.value)) {
          const i = index % (target.value.length + 1);
          token = append ? '-' : String(i);
          testToken = append ? String(target.value.length) : String(i);
        }
        const ops = [
          { op: 'add', path: formatPointer([...target.path, token]), value },
          { op: 'test', path: formatPointer([...target.path, testToken]), value },
        ];
        const out = applyJsonPatch(deepFreeze(d), deepFreeze(ops));
        assert.ok(isMap(out));
      }),
    );
  });
  it('an empty patch copies the document', () => {
    fc.assert(
      fc.property(doc.value, (d) => assert.deepStrictEqual(plain(applyJsonPatch(deepFreeze(d), [])), plain(d))),
    );
  });
  it('never mutates its inputs: random operations either apply or throw PatchError', () => {
    const opArb = doc.object.chain((d) => {
      const paths = containers(d).flatMap((c) => [
        formatPointer(c.path),
        ...Object.keys(c.value).map((k) => formatPointer([...c.path, k])),
      ]);
      const path = fc.oneof(
        fc.constantFrom(...paths),
        key.map((k) => formatPointer([k])),
      );
      const op = fc.oneof(
        fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path, value: doc.value }),
        fc.record({ op: fc.constant('remove'), path }),
        fc.record({ op: fc.constantFrom('move', 'copy'), from: path, path }),
      );
      return fc.tuple(fc.constant(d), fc.array(op, { maxLength: 5 }));
    });
    fc.assert(
      fc.property(opArb, ([d, ops]) => {
        const before = plain(d);
        try {
          applyJsonPatch(deepFreeze(d), deepFreeze(ops));
        } catch (e) {
          if (!(e instanceof PatchError)) throw e;
        }
        assert.deepStrictEqual(plain(d), before);
      }),
    );
  });
});
