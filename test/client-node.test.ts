// @kubernetes/client-node 1.4 (the official JavaScript client) against the API server: typed
// CRUD with the object-parameter API, errors as ApiException, patch content types, the scale
// subresource, the generic KubernetesObjectApi, and an informer that outlives a kill -9 of
// the API server process.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { spawnApiServer, startTestServer, type ServerProcess, type TestServer } from './support/apiserver.js';
import { untilTrue as until } from './support/until.js';

/** Asserts that `p` rejects with an ApiException of HTTP `code` whose Status body has `reason`. */
async function rejectsWith(p: Promise<unknown>, code: number, reason: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof k8s.ApiException, `expected an ApiException, got ${String(e)}`);
    assert.equal(e.code, code, `expected HTTP ${code}; body: ${String(e.body)}`);
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { kind?: string; reason?: string };
    assert.equal(body.kind, 'Status');
    assert.equal(body.reason, reason);
    return true;
  });
}

function loadKubeConfig(path: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return kc;
}


describe('@kubernetes/client-node', () => {
  let server: TestServer | undefined;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const namespace = 'client-node';

  before(async () => {
    server = await startTestServer();
    kc = loadKubeConfig(server.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    await server?.stop();
  });

  it('CoreV1Api: ConfigMap create, read, list, replace, delete', async () => {
    const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings', labels: { app: 'cn' } }, data: { a: '1' } } });
    assert.equal(created.metadata?.name, 'settings');
    assert.ok(created.metadata?.uid, 'the server fills metadata.uid');
    assert.ok(created.metadata.resourceVersion, 'the server fills metadata.resourceVersion');

    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace });
    assert.deepEqual(read.data, { a: '1' });

    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'unlabelled' }, data: {} } });
    const listed = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=cn' });
    assert.deepEqual(
      listed.items.map((c) => c.metadata?.name),
      ['settings'],
    );
    assert.ok(listed.metadata?.resourceVersion, 'lists carry metadata.resourceVersion');

    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...read, data: { a: '2' } } });
    assert.deepEqual(replaced.data, { a: '2' });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    // Replacing with the old resourceVersion is a conflict.
    await rejectsWith(core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...read, data: { a: '3' } } }), 409, 'Conflict');

    await core.deleteNamespacedConfigMap({ name: 'settings', namespace });
    await rejectsWith(core.readNamespacedConfigMap({ name: 'settings', namespace }), 404, 'NotFound');
  });

  it('CoreV1Api: 404 and 409 surface as ApiException with code', async () => {
    await rejectsWith(core.readNamespacedConfigMap({ name: 'missing', namespace }), 404, 'NotFound');
    await rejectsWith(core.deleteNamespacedPod({ name: 'missing', namespace }), 404, 'NotFound');
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'dup' } } });
    await rejectsWith(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'dup' } } }), 409, 'AlreadyExists');
    await rejectsWith(core.createNamespacedPod({ namespace, body: { metadata: { name: 'no-containers' }, spec: { containers: [] } } }), 422, 'Invalid');
  });

  it('CoreV1Api: Pod create, read, list, replace, delete', async () => {
    const body: k8s.V1Pod = { metadata: { name: 'worker', labels: { role: 'worker' } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } };
    const created = await core.createNamespacedPod({ namespace, body });
    assert.equal(created.status?.phase, 'Pending');
    const read = await core.readNamespacedPod({ name: 'worker', namespace });
    assert.equal(read.spec?.containers[0]?.image, 'busybox:1.36');
    const listed = await core.listNamespacedPod({ namespace, labelSelector: 'role=worker' });
    assert.deepEqual(
      listed.items.map((p) => p.metadata?.name),
      ['worker'],
    );
    const replaced = await core.replaceNamespacedPod({ name: 'worker', namespace, body: { ...read, metadata: { ...read.metadata, labels: { role: 'worker', tier: 'x' } } } });
    assert.deepEqual(replaced.metadata?.labels, { role: 'worker', tier: 'x' });
    const deleted = await core.deleteNamespacedPod({ name: 'worker', namespace });
    assert.equal(deleted.metadata?.name, 'worker');
    await rejectsWith(core.readNamespacedPod({ name: 'worker', namespace }), 404, 'NotFound');
  });

  it('AppsV1Api: create a Deployment, merge-patch it, read and replace its scale', async () => {
    const labels = { app: 'api' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'api', labels },
        spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
      },
    });
    const patched = await apps.patchNamespacedDeployment(
      { name: 'api', namespace, body: { spec: { replicas: 4 }, metadata: { labels: { app: 'api', patched: 'merge' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(patched.spec?.replicas, 4);
    assert.deepEqual(patched.metadata?.labels, { app: 'api', patched: 'merge' });
    assert.equal(patched.spec?.template.spec?.containers[0]?.image, 'nginx:1.27', 'a merge patch leaves other fields alone');

    // Without a header, typed patch calls send a JSON patch.
    const jsonPatched = await apps.patchNamespacedDeployment({ name: 'api', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
    assert.equal(jsonPatched.spec?.replicas, 2);

    const scale = await apps.readNamespacedDeploymentScale({ name: 'api', namespace });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec?.replicas, 2);
    assert.equal(scale.status?.selector, 'app=api');
    const rescaled = await apps.replaceNamespacedDeploymentScale({ name: 'api', namespace, body: { ...scale, spec: { replicas: 6 } } });
    assert.equal(rescaled.spec?.replicas, 6);
    assert.equal((await apps.readNamespacedDeployment({ name: 'api', namespace })).spec?.replicas, 6);
  });

  it('KubernetesObjectApi: create, read, list, delete by apiVersion/kind', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const created = await objects.create<k8s.V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace }, data: { x: 'y' } });
    assert.equal(created.metadata?.name, 'generic');
    const read = await objects.read<k8s.V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
    assert.deepEqual(read.data, { x: 'y' });
    const deploy = await objects.read<k8s.V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace } });
    assert.equal(deploy.spec?.replicas, 6);
    const list = await objects.list<k8s.V1ConfigMap>('v1', 'ConfigMap', namespace);
    assert.ok(
      list.items.some((c) => c.metadata?.name === 'generic'),
      `expected "generic" in the list; got ${JSON.stringify(list.items.map((c) => c.metadata?.name))}`,
    );
    await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
    await rejectsWith(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } }), 404, 'NotFound');
  });
});

describe('@kubernetes/client-node informer across an API server restart', () => {
  let dataDir: string;
  let proc: ServerProcess | undefined;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'minik8s-informer-'));
  });

  after(async () => {
    await proc?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a correct cache, and reports each change once, through kill -9 and restart', async (t) => {
    proc = await spawnApiServer({ dataDir });
    const port = proc.port;
    const kc = loadKubeConfig(proc.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));

    const events: string[] = [];
    let errors = 0;
    let stopped = false;
    let restart: NodeJS.Timeout | undefined;
    informer.on('add', (o) => events.push(`add:${o.metadata?.name ?? ''}`));
    informer.on('update', (o) => events.push(`update:${o.metadata?.name ?? ''}`));
    informer.on('delete', (o) => events.push(`delete:${o.metadata?.name ?? ''}`));
    // client-node informers stop on a connection error; the documented pattern is to start
    // them again after a delay. They keep their cache and resourceVersion across restarts.
    informer.on('error', () => {
      errors++;
      if (stopped) return;
      clearTimeout(restart);
      restart = setTimeout(() => {
        if (!stopped) informer.start().catch(() => undefined);
      }, 300);
    });
    const names = (): string[] =>
      informer
        .list('default')
        .map((c) => c.metadata?.name ?? '')
        .sort();
    const seen = (): string => `cache ${JSON.stringify(names())}, events ${JSON.stringify(events)}, errors ${errors}`;

    try {
      await informer.start();
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' } } });
      await until(() => `the informer cache to hold {a, b}; seen: ${seen()}`, () => names().join() === 'a,b', 5000);

      await proc.kill();
      proc = await spawnApiServer({ dataDir, port });
      assert.equal(proc.port, port);
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'c' } } });
      await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });

      await until(() => `the informer cache to hold exactly {b, c} after the restart; seen: ${seen()}`, () => names().join() === 'b,c', 30000);
      // Give a late replay (a duplicate ADDED, a stale relist) the chance to show up before judging.
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(names(), ['b', 'c'], seen());
      assert.deepEqual([...events].sort(), ['add:a', 'add:b', 'add:c', 'delete:a'], `expected one add each for a, b, c and one delete for a, no updates; ${seen()}`);
      t.diagnostic(seen());
    } finally {
      stopped = true;
      clearTimeout(restart);
      await informer.stop();
    }
  });
});
