// Our client and shared informer against a real API server process that is killed (-9) and
// restarted: the informer resumes from its resourceVersion and sees every change once. The
// same run checks that every write acknowledged before the kill survives it (SQLite, WAL).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { SharedInformer } from '../src/machinery/informer.js';
import { realClock } from '../src/util/clock.js';
import type { KubeObject } from '../src/api/meta.js';
import { untilTrue as until } from './support/until.js';

const CMS = lookupResource('', 'v1', 'configmaps') as ResourceType;


describe('informer across an API server kill -9 and restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-inf-'));
  let server: ServerProcess | undefined;
  let informer: SharedInformer<KubeObject> | undefined;
  let client: Client | undefined;
  after(async () => {
    await informer?.stop();
    client?.close();
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes without losing or duplicating events, and keeps acknowledged writes', async () => {
    server = await spawnApiServer({ dataDir });
    const port = server.port;
    client = Client.fromConnection(loadKubeconfig({ path: server.kubeconfig }));
    const cms = client.resource(CMS);
    informer = new SharedInformer(cms.listWatcher({ namespace: 'default' }), { clock: realClock, name: 'configmaps' });
    const seen: string[] = [];
    informer.addHandler((e) => seen.push(`${e.type}:${e.next.metadata.name ?? ''}`));
    informer.start();
    await informer.waitForSync();
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { namespace: 'default' });
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }, { namespace: 'default' });
    // A burst of acknowledged writes right before the kill.
    const acked: string[] = [];
    for (let i = 0; i < 50; i++) {
      await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `ack-${i}`, labels: { burst: 'y' } } }, { namespace: 'default' });
      acked.push(`ack-${i}`);
    }
    await until('the informer to see the burst', () => seen.length === 52);
    await server.kill();

    server = await spawnApiServer({ dataDir, port });
    const survivors = (await cms.list({ namespace: 'default', labelSelector: 'burst=y' })).items.map((o) => o.metadata.name);
    assert.deepEqual(survivors.sort(), [...acked].sort(), 'every acknowledged write must survive kill -9');
    for (const name of acked) await cms.delete(name, { namespace: 'default' });
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, { namespace: 'default' });
    await cms.delete('a', { namespace: 'default' });
    await until('the informer to see c added and a deleted', () => seen.includes('add:c') && seen.includes('delete:a'));
    const names = informer.store.list().map((o) => o.metadata.name).sort();
    assert.deepEqual(names.filter((n) => !n?.startsWith('ack-')), ['b', 'c']);
    await until('the burst deletions', () => informer?.store.list().length === 2);
    const interesting = seen.filter((s) => !s.includes(':ack-'));
    assert.deepEqual(interesting, ['add:a', 'add:b', 'add:c', 'delete:a'], `events: ${seen.join(', ')}`);
    assert.equal(seen.filter((s) => s.startsWith('add:ack-')).length, 50, 'each burst object added exactly once');
    assert.equal(seen.filter((s) => s.startsWith('delete:ack-')).length, 50);
  });
});
