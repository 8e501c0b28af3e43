import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/meta.js';
import { byNamespace, byNodeName, byOwnerUid, objectKey, splitKey, Store } from './store.js';

function pod(namespace: string, name: string, nodeName?: string, owners: string[] = []): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      labels: { app: name },
      ownerReferences: owners.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid })),
    },
    spec: nodeName === undefined ? {} : { nodeName },
  };
}

const names = (objs: KubeObject[]): string[] => objs.map((o) => o.metadata.name ?? '').sort();

describe('keys', () => {
  it('uses namespace/name, or name for cluster-scoped objects, and splits back', () => {
    assert.equal(objectKey(pod('ns', 'a')), 'ns/a');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
    assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(splitKey('node-1'), { name: 'node-1' });
  });
});

describe('Store', () => {
  it('stores, replaces and deletes by key', () => {
    const s = new Store<KubeObject>();
    s.upsert(pod('ns', 'a'));
    s.upsert(pod('ns', 'b'));
    s.upsert(pod('ns', 'a', 'n1'));
    assert.equal(s.size, 2);
    assert.deepEqual(s.keys().sort(), ['ns/a', 'ns/b']);
    assert.deepEqual(s.get('ns/a')?.spec, { nodeName: 'n1' });
    assert.equal(s.delete('ns/a')?.metadata.name, 'a');
    assert.equal(s.delete('ns/a'), undefined);
    assert.equal(s.get('ns/a'), undefined);
    assert.deepEqual(names(s.list()), ['b']);
  });

  it('keeps indexes in step with upserts and deletes', () => {
    const s = new Store<KubeObject>({ indexers: { byNamespace, byNodeName, byOwnerUid } });
    s.upsert(pod('ns1', 'a', 'n1', ['rs1']));
    s.upsert(pod('ns1', 'b', 'n2', ['rs1', 'rs2']));
    s.upsert(pod('ns2', 'c'));
    assert.deepEqual(names(s.byIndex('byNamespace', 'ns1')), ['a', 'b']);
    assert.deepEqual(names(s.byIndex('byNodeName', 'n1')), ['a']);
    assert.deepEqual(names(s.byIndex('byOwnerUid', 'rs1')), ['a', 'b']);
    assert.deepEqual(names(s.byIndex('byOwnerUid', 'rs2')), ['b']);
    s.upsert(pod('ns1', 'a', 'n2'));
    assert.deepEqual(names(s.byIndex('byNodeName', 'n1')), []);
    assert.deepEqual(names(s.byIndex('byNodeName', 'n2')), ['a', 'b']);
    assert.deepEqual(names(s.byIndex('byOwnerUid', 'rs1')), ['b']);
    s.delete('ns1/b');
    assert.deepEqual(names(s.byIndex('byOwnerUid', 'rs2')), []);
    assert.deepEqual(names(s.byIndex('byNamespace', 'ns1')), ['a']);
  });

  it('indexes existing objects when an index is added later; same function again is a no-op', () => {
    const s = new Store<KubeObject>();
    s.upsert(pod('ns', 'a', 'n1'));
    s.addIndexers({ byNodeName });
    s.addIndexers({ byNodeName });
    assert.deepEqual(names(s.byIndex('byNodeName', 'n1')), ['a']);
    assert.throws(() => s.addIndexers({ byNodeName: byNamespace }), /already exists/);
    assert.throws(() => s.byIndex('nope', 'x'), /no index named "nope"/);
  });

  it('does not index cluster-scoped objects by namespace or unbound pods by node', () => {
    const s = new Store<KubeObject>({ indexers: { byNamespace, byNodeName } });
    s.upsert({ metadata: { name: 'node-1' } });
    s.upsert(pod('ns', 'unbound'));
    assert.deepEqual(s.byIndex('byNamespace', ''), []);
    assert.deepEqual(s.byIndex('byNodeName', ''), []);
  });

  it("deep freeze: a consumer's nested mutation throws", () => {
    const s = new Store<KubeObject>({ freeze: 'deep' });
    const stored = s.upsert(pod('ns', 'a'));
    assert.throws(() => {
      const labels = stored.metadata.labels ?? {};
      labels['x'] = 'y';
    }, TypeError);
    assert.throws(() => {
      stored.spec = {};
    }, TypeError);
  });

  it('shallow freeze (default): top-level assignment throws, nested objects stay writable', () => {
    const s = new Store<KubeObject>();
    const stored = s.upsert(pod('ns', 'a'));
    assert.throws(() => {
      stored.status = {};
    }, TypeError);
    assert.equal(Object.isFrozen(stored.metadata), false);
  });

  it("freeze 'none' leaves objects alone", () => {
    const s = new Store<KubeObject>({ freeze: 'none' });
    assert.equal(Object.isFrozen(s.upsert(pod('ns', 'a'))), false);
  });
});
