import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../api/meta.js';
import { byNamespace, byNodeName, byOwnerUid, objectKey, Store } from './store.js';

const objArb = fc.record({
  namespace: fc.constantFrom('ns1', 'ns2', ''),
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  owners: fc.uniqueArray(fc.constantFrom('u1', 'u2', 'u3'), { maxLength: 2 }),
});

const opArb = fc.oneof(
  objArb.map((o) => ({ op: 'upsert' as const, o })),
  objArb.map((o) => ({ op: 'delete' as const, o })),
);

describe('Store (properties)', () => {
  it('after any sequence of upserts and deletes, every index equals a brute-force filter of list()', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const indexers = { byNamespace, byNodeName, byOwnerUid };
        const s = new Store<KubeObject>({ indexers, freeze: 'deep' });
        const model = new Map<string, KubeObject>();
        for (const { op, o } of ops) {
          const obj: KubeObject = {
            metadata: {
              ...(o.namespace ? { namespace: o.namespace } : {}),
              name: o.name,
              ownerReferences: o.owners.map((uid) => ({ apiVersion: 'v1', kind: 'X', name: uid, uid })),
            },
            spec: o.node === undefined ? {} : { nodeName: o.node },
          };
          if (op === 'upsert') {
            s.upsert(structuredClone(obj));
            model.set(objectKey(obj), obj);
          } else {
            s.delete(objectKey(obj));
            model.delete(objectKey(obj));
          }
        }
        assert.deepEqual(s.keys().sort(), [...model.keys()].sort());
        for (const [name, fn] of Object.entries(indexers)) {
          for (const value of ['ns1', 'ns2', 'n1', 'n2', 'u1', 'u2', 'u3']) {
            const got = s.byIndex(name, value).map(objectKey).sort();
            const want = [...model.values()]
              .filter((x) => fn(x).includes(value))
              .map(objectKey)
              .sort();
            assert.deepEqual(got, want, `index ${name}=${value}`);
          }
        }
      }),
    );
  });
});
