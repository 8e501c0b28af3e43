// syncNamespace against a real in-process API server, and the API server's side of namespace deletion: the
// `kubernetes` finalizer, Terminating, refusing new content, the finalize subresource, the system namespaces.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { Store } from '../../machinery/store.js';
import { FakeClock } from '../../util/clock.js';
import { startTestServer, type TestServer } from '../../../test/support/apiserver.js';
import type { Namespace } from '../api.js';
import { clientNamespaceWrites } from './controller.js';
import { syncNamespace, terminatingStatus, type NamespaceSyncDeps } from './sync.js';

const NS = lookupResource('', 'v1', 'namespaces') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const CM = lookupResource('', 'v1', 'configmaps') as ResourceType;

describe('namespace deletion (in-process API server)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });
  const nsClient = (): ReturnType<TestServer['client']['resource']> => server.client.resource(NS);

  async function deps(): Promise<NamespaceSyncDeps & { later: string[] }> {
    const namespaces = new Store<Namespace>({ freeze: 'deep' });
    for (const n of (await nsClient().list()).items) namespaces.upsert(n as Namespace);
    const later: string[] = [];
    return { namespaces, writes: clientNamespaceWrites(server.client), clock: new FakeClock(Date.now()), enqueueAfter: (n) => later.push(n), later };
  }

  async function get(rt: ResourceType, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await server.client.resource(rt).get(name, namespace ? { namespace } : {});
    } catch (e) {
      if (isApiError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  it('gives new namespaces the kubernetes finalizer; a deleted one turns Terminating and refuses new content with 403', async () => {
    const created = (await nsClient().create({ metadata: { name: 'ns-term' } })) as Namespace;
    assert.deepEqual(created.spec?.finalizers, ['kubernetes']);
    assert.equal(created.status?.phase, 'Active');
    await nsClient().delete('ns-term');
    const t = (await get(NS, 'ns-term')) as Namespace;
    assert.equal(t.status?.phase, 'Terminating');
    await assert.rejects(server.client.resource(CM).create({ metadata: { name: 'late', namespace: 'ns-term' } }), (e: unknown) => {
      assert.ok(e instanceof ApiError && e.reason === 'Forbidden' && e.code === 403, String(e));
      assert.match(e.message, /unable to create new content in namespace ns-term because it is being terminated/);
      return true;
    });
  });

  it('keeps spec.finalizers through ordinary updates: only finalize changes them', async () => {
    await nsClient().create({ metadata: { name: 'ns-keep' } });
    await nsClient().delete('ns-keep');
    // A label patch and a status write on the Terminating namespace leave it (and its finalizer) in place.
    await nsClient().patch('ns-keep', 'merge', { metadata: { labels: { a: 'b' } }, spec: { finalizers: [] } });
    const cur = (await get(NS, 'ns-keep')) as Namespace;
    await nsClient().update({ ...cur, status: { phase: 'Terminating', conditions: [] } }, { subresource: 'status' });
    assert.deepEqual(((await get(NS, 'ns-keep')) as Namespace | undefined)?.spec?.finalizers, ['kubernetes']);
  });

  it('refuses to delete default, kube-system and kube-public', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      await assert.rejects(nsClient().delete(name), (e: unknown) => e instanceof ApiError && e.reason === 'Forbidden' && /may not be deleted/.test(e.message));
      assert.equal((await get(NS, name))?.metadata.deletionTimestamp, undefined);
    }
  });

  it('deletes the content, waits for what is still terminating, then finalizes and the namespace goes', async () => {
    const name = 'ns-content';
    await nsClient().create({ metadata: { name } });
    await server.client.resource(CM).create({ metadata: { name: 'cm', namespace: name } });
    await server.client.resource(PODS).create({ metadata: { name: 'loose', namespace: name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    await server.client
      .resource(PODS)
      .create({ metadata: { name: 'bound', namespace: name }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const untouched = await deps();
    await syncNamespace(untouched, name);
    assert.ok(await get(CM, 'cm', name), 'nothing happens before the namespace is deleted');

    await nsClient().delete(name);
    const d = await deps();
    await syncNamespace(d, name);
    assert.equal(await get(CM, 'cm', name), undefined);
    assert.equal(await get(PODS, 'loose', name), undefined);
    assert.ok((await get(PODS, 'bound', name))?.metadata.deletionTimestamp, 'the bound pod stops gracefully');
    assert.deepEqual(d.later, [name], 'checked again later');
    const ns = (await get(NS, name)) as Namespace;
    const remaining = ns.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining');
    assert.equal(remaining?.status, 'True');
    assert.match(remaining?.message ?? '', /pods has 1 resource instances/);

    await server.client.resource(PODS).delete('bound', { namespace: name, gracePeriodSeconds: 0 });
    await syncNamespace(await deps(), name);
    assert.equal(await get(NS, name), undefined, 'the namespace is gone once finalized');
  });

  it('describes the remaining content in the Terminating status', () => {
    const s = terminatingStatus({ metadata: { name: 'x' } }, { counts: new Map([['pods', 2]]), total: 2, failures: [] }, Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(s.phase, 'Terminating');
    assert.deepEqual(
      s.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ],
    );
  });
});
