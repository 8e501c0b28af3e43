// syncGarbage against a real in-process API server (its registry adds the foregroundDeletion/orphan finalizers and
// completes a deletion when the last finalizer goes). The caches are snapshots listed from the server, taken
// where a test wants them, so each test decides how stale the GC's view is.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { byNamespace, byOwnerUid, Store } from '../../machinery/store.js';
import { startTestServer, type TestServer } from '../../../test/support/apiserver.js';
import { clientGcWrites, GC_RESOURCES } from './controller.js';
import { gcKey, OWNER_INDEX, resourceId, syncGarbage, type GcDeps, type Watched } from './sync.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const RS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;
const CM = lookupResource('', 'v1', 'configmaps') as ResourceType;
const NS = lookupResource('', 'v1', 'namespaces') as ResourceType;

describe('syncGarbage (in-process API server)', () => {
  let server: TestServer;
  const ns = `gc-${process.pid}`;
  before(async () => {
    server = await startTestServer();
    await server.client.resource(NS).create({ metadata: { name: ns } });
  });
  after(async () => {
    await server.stop();
  });

  async function snapshot(): Promise<GcDeps> {
    const watched = new Map<string, Watched>();
    for (const rt of GC_RESOURCES) {
      const store = new Store<KubeObject>({ freeze: 'deep', indexers: { [OWNER_INDEX]: byOwnerUid, namespace: byNamespace } });
      for (const item of (await server.client.resource(rt).list()).items) store.upsert(item);
      watched.set(resourceId(rt), { rt, store });
    }
    return { watched, writes: clientGcWrites(server.client) };
  }

  async function makeRs(name: string): Promise<KubeObject> {
    return server.client.resource(RS).create({
      metadata: { name, namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      },
    });
  }

  async function makePod(name: string, owners: KubeObject[], opts: { nodeName?: string; block?: boolean } = {}): Promise<KubeObject> {
    const ownerReferences = owners.map((o) => ({
      apiVersion: o.apiVersion ?? '',
      kind: o.kind ?? '',
      name: o.metadata.name ?? '',
      uid: o.metadata.uid ?? '',
      controller: o === owners[0],
      blockOwnerDeletion: opts.block ?? true,
    }));
    return server.client.resource(PODS).create({
      metadata: { name, namespace: ns, ownerReferences },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) },
    });
  }

  async function exists(rt: ResourceType, name: string): Promise<KubeObject | undefined> {
    try {
      return await server.client.resource(rt).get(name, { namespace: ns });
    } catch (e) {
      if (isApiError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  async function syncAll(deps: GcDeps, rt: ResourceType, objs: KubeObject[]): Promise<void> {
    for (const o of objs) await syncGarbage(deps, gcKey(rt, o));
  }

  it('background: deletes the dependents of an owner that is gone', async () => {
    const rs = await makeRs('bg');
    const pods = [await makePod('bg-1', [rs]), await makePod('bg-2', [rs])];
    const cm = await server.client
      .resource(CM)
      .create({
        metadata: { name: 'bg-cm', namespace: ns, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bg', uid: rs.metadata.uid ?? '' }] },
      });
    await server.client.resource(RS).delete('bg', { namespace: ns, propagationPolicy: 'Background' });
    assert.equal(await exists(RS, 'bg'), undefined, 'a background delete removes the owner at once');
    const deps = await snapshot();
    await syncAll(deps, PODS, pods);
    await syncAll(deps, CM, [cm]);
    assert.equal(await exists(PODS, 'bg-1'), undefined);
    assert.equal(await exists(PODS, 'bg-2'), undefined);
    assert.equal(await exists(CM, 'bg-cm'), undefined);
  });

  it('never deletes a dependent whose owner is only missing from the cache', async () => {
    const stale = await snapshot();
    const rs = await makeRs('fresh');
    await makePod('fresh-1', [rs]);
    const fresh = await snapshot();
    // The pod is known, its owner is not (the cache of ReplicaSets lags): the GC asks the server.
    const deps: GcDeps = { ...fresh, watched: new Map(fresh.watched).set(resourceId(RS), stale.watched.get(resourceId(RS)) as Watched) };
    await syncGarbage(deps, `pods|${ns}/fresh-1`);
    assert.ok(await exists(PODS, 'fresh-1'));
  });

  it('foreground: deletes dependents, waits for those that block, then lets the owner go', async () => {
    const rs = await makeRs('fg');
    await makePod('fg-1', [rs]);
    await makePod('fg-bound', [rs], { nodeName: 'some-node' }); // deleted gracefully: lingers
    await makePod('fg-loose', [rs], { block: false });
    await server.client.resource(RS).delete('fg', { namespace: ns, propagationPolicy: 'Foreground' });
    const marked = await exists(RS, 'fg');
    assert.ok(marked?.metadata.deletionTimestamp && marked.metadata.finalizers?.includes('foregroundDeletion'));
    await syncGarbage(await snapshot(), `replicasets.apps|${ns}/fg`);
    assert.equal(await exists(PODS, 'fg-1'), undefined);
    assert.ok((await exists(PODS, 'fg-bound'))?.metadata.deletionTimestamp, 'the bound pod is terminating');
    await syncGarbage(await snapshot(), `replicasets.apps|${ns}/fg`);
    assert.ok(await exists(RS, 'fg'), 'the owner waits for the terminating pod that blocks it');
    await server.client.resource(PODS).delete('fg-bound', { namespace: ns, gracePeriodSeconds: 0 });
    await syncGarbage(await snapshot(), `replicasets.apps|${ns}/fg`);
    assert.equal(await exists(RS, 'fg'), undefined);
  });

  it('orphan: strips the owner from its dependents, then lets the owner go', async () => {
    const rs = await makeRs('or');
    const other = await makeRs('or-other');
    await makePod('or-1', [rs]);
    await makePod('or-2', [rs, other]);
    await server.client.resource(RS).delete('or', { namespace: ns, propagationPolicy: 'Orphan' });
    assert.ok((await exists(RS, 'or'))?.metadata.finalizers?.includes('orphan'));
    await syncGarbage(await snapshot(), `replicasets.apps|${ns}/or`);
    assert.equal(await exists(RS, 'or'), undefined);
    assert.equal((await exists(PODS, 'or-1'))?.metadata.ownerReferences, undefined);
    assert.deepEqual(
      (await exists(PODS, 'or-2'))?.metadata.ownerReferences?.map((r) => r.name),
      ['or-other'],
    );
  });

  it('drops only the reference to a gone owner when another owner remains, and leaves unknown kinds alone', async () => {
    const a = await makeRs('multi-a');
    const b = await makeRs('multi-b');
    const p = await makePod('multi-1', [a, b]);
    const weird = await server.client
      .resource(CM)
      .create({
        metadata: { name: 'weird', namespace: ns, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Gizmo', name: 'g', uid: 'no-such-uid' }] },
      });
    await server.client.resource(RS).delete('multi-b', { namespace: ns });
    const deps = await snapshot();
    await syncAll(deps, PODS, [p]);
    await syncAll(deps, CM, [weird]);
    assert.deepEqual(
      (await exists(PODS, 'multi-1'))?.metadata.ownerReferences?.map((r) => r.name),
      ['multi-a'],
    );
    assert.ok(await exists(CM, 'weird'));
  });
});
