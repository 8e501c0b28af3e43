// `mkctl patch`, `label`, `annotate`, `scale` and `delete` end to end.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/meta.js';
import { createAll, eventually, gone, lines, pod, suite } from './fixtures.js';

const s = suite();

function deployment(namespace: string, name: string, replicas = 2): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  };
}

async function replicas(ns: string, name: string): Promise<number> {
  const d = await s.api('apps/v1', 'Deployment').get(name, { namespace: ns });
  return (d.spec as { replicas: number }).replicas;
}

describe('mkctl patch', () => {
  it('applies strategic, merge and JSON patches, in JSON or YAML', async () => {
    const ns = await s.namespace('patch');
    await createAll(s, [deployment(ns, 'web')]);
    assert.equal(
      await s.ok(['patch', 'deploy', 'web', '-n', ns, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}']),
      'deployment.apps/web patched\n',
    );
    const d = await s.api('apps/v1', 'Deployment').get('web', { namespace: ns });
    const containers = (d.spec as { template: { spec: { containers: { name: string; image: string; imagePullPolicy?: string }[] } } }).template.spec.containers;
    assert.deepEqual(
      containers.map((c) => [c.name, c.image, c.imagePullPolicy]),
      [['app', 'nginx:1.28', 'IfNotPresent']],
      'strategic: the container merged by name',
    );
    assert.equal(await s.ok(['patch', 'deployment/web', '-n', ns, '--type', 'merge', '-p', 'spec: {replicas: 4}']), 'deployment.apps/web patched\n');
    assert.equal(await replicas(ns, 'web'), 4);
    assert.equal(
      await s.ok([
        'patch',
        'deploy',
        'web',
        '-n',
        ns,
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":5}]',
        '-o',
        'jsonpath={.spec.replicas}',
      ]),
      '5',
    );
    assert.equal(
      await s.ok(['patch', 'deploy', 'web', '-n', ns, '--type', 'merge', '-p', '{"spec":{"replicas":5}}']),
      'deployment.apps/web patched (no change)\n',
    );
    const file = join(s.dir(), 'patch.yaml');
    writeFileSync(file, 'metadata:\n  labels:\n    from: file\n');
    await s.ok(['patch', 'deploy', 'web', '-n', ns, '--patch-file', file]);
    assert.equal((await s.api('apps/v1', 'Deployment').get('web', { namespace: ns })).metadata.labels?.['from'], 'file');
  });

  it('reports bad patches and missing objects', async () => {
    const ns = await s.namespace('patcherr');
    await createAll(s, [deployment(ns, 'web')]);
    assert.equal(
      (await s.fails(['patch', 'deploy', 'nope', '-n', ns, '-p', '{}'])).stderr,
      'Error from server (NotFound): deployments.apps "nope" not found\n',
    );
    assert.match(
      (await s.fails(['patch', 'deploy', 'web', '-n', ns, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/nothing"}]'])).stderr,
      /^Error from server \(\w+\): jsonpatch: path \/spec\/nothing not found\n$/,
    );
    assert.match((await s.fails(['patch', 'deploy', 'web', '-n', ns, '-p', '{not json: ['])).stderr, /^error: the patch is neither JSON nor YAML/);
    assert.match((await s.fails(['patch', 'deploy', 'web', '-n', ns])).stderr, /give the patch with -p/);
  });
});

describe('mkctl label and annotate', () => {
  it('adds, overwrites (only with --overwrite) and removes labels and annotations', async () => {
    const ns = await s.namespace('label');
    await createAll(s, [pod(ns, 'p', { app: 'web' }), pod(ns, 'q', { app: 'web' }), pod(ns, 'r', { app: 'db' })]);
    const labels = async (name: string): Promise<Record<string, string> | undefined> => (await s.api('v1', 'Pod').get(name, { namespace: ns })).metadata.labels;
    assert.equal(await s.ok(['label', 'pod', 'p', 'env=prod', 'team=a', '-n', ns]), 'pod/p labeled\n');
    assert.deepEqual(await labels('p'), { app: 'web', env: 'prod', team: 'a' });
    const r = await s.fails(['label', 'pod', 'p', 'env=dev', '-n', ns]);
    assert.equal(r.stderr, "error: 'env' already has a value (prod), and --overwrite is false\n");
    await s.ok(['label', 'pods/p', 'env=dev', 'team-', '--overwrite', '-n', ns]);
    assert.deepEqual(await labels('p'), { app: 'web', env: 'dev' });
    assert.equal(await s.ok(['label', 'pod', 'p', 'env=dev', '-n', ns]), 'pod/p not labeled\n');
    assert.equal(await s.ok(['label', 'pods', '-l', 'app=web', 'canary=true', '-n', ns]), 'pod/p labeled\npod/q labeled\n');
    assert.equal(await labels('r').then((l) => l?.['canary']), undefined);
    assert.equal(await s.ok(['annotate', 'pods', '--all', 'owner=<team@example.com>', '-n', ns]), 'pod/p annotated\npod/q annotated\npod/r annotated\n');
    assert.equal((await s.api('v1', 'Pod').get('r', { namespace: ns })).metadata.annotations?.['owner'], '<team@example.com>');
    await s.ok(['annotate', 'pod', 'r', 'owner-', '-n', ns]);
    assert.equal((await s.api('v1', 'Pod').get('r', { namespace: ns })).metadata.annotations?.['owner'], undefined);
    assert.deepEqual(lines(await s.ok(['label', 'pod', 'q', '--list', '-n', ns])), ['app=web', 'canary=true']);
  });

  it('labels nodes (cluster-wide) and reports a stale --resource-version', async () => {
    await s.api('v1', 'Node').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'label-node' } });
    assert.equal(await s.ok(['label', 'node', 'label-node', 'disk=ssd']), 'node/label-node labeled\n');
    assert.equal((await s.api('v1', 'Node').get('label-node')).metadata.labels?.['disk'], 'ssd');
    assert.equal(await s.ok(['annotate', 'no/label-node', 'rack=r1']), 'node/label-node annotated\n');
    const stale = await s.fails(['label', 'node', 'label-node', 'zone=z', '--resource-version=1']);
    assert.match(stale.stderr, /^Error from server \(Conflict\): Operation cannot be fulfilled on nodes "label-node"/);
  });
});

describe('mkctl scale', () => {
  it('sets replicas through the scale subresource, conditionally with --current-replicas', async () => {
    const ns = await s.namespace('scale');
    await createAll(s, [deployment(ns, 'web', 2)]);
    assert.equal(await s.ok(['scale', 'deploy', 'web', '--replicas=5', '-n', ns]), 'deployment.apps/web scaled\n');
    assert.equal(await replicas(ns, 'web'), 5);
    const r = await s.fails(['scale', 'deploy/web', '--replicas', '1', '--current-replicas', '3', '-n', ns]);
    assert.equal(r.stderr, 'error: deployment.apps/web: expected 3 replicas, found 5; not scaled\n');
    assert.equal(await replicas(ns, 'web'), 5);
    await s.ok(['scale', 'deploy/web', '--replicas', '1', '--current-replicas', '5', '-n', ns]);
    assert.equal(await replicas(ns, 'web'), 1);
    assert.match((await s.fails(['scale', 'cm', 'x', '--replicas=1', '-n', ns])).stderr, /configmaps cannot be scaled/);
    assert.match((await s.fails(['scale', 'deploy', 'web', '-n', ns])).stderr, /--replicas=N is required/);
  });
});

describe('mkctl delete', () => {
  it('deletes by name, KIND/NAME, manifest, label selector and --all', async () => {
    const ns = await s.namespace('delete');
    await createAll(s, [pod(ns, 'a', { app: 'x' }), pod(ns, 'b', { app: 'x' }), pod(ns, 'c', { app: 'y' }), pod(ns, 'd'), pod(ns, 'e'), pod(ns, 'f')]);
    assert.equal(await s.ok(['delete', 'pod', 'a', '-n', ns]), 'pod "a" deleted\n');
    assert.equal(await s.ok(['delete', 'pod/b', '-n', ns, '-o', 'name']), 'pod/b\n');
    const manifest = join(s.dir(), 'c.yaml');
    writeFileSync(manifest, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\n  namespace: ${ns}\nspec:\n  containers:\n  - name: app\n    image: busybox\n`);
    assert.equal(await s.ok(['delete', '-f', manifest]), 'pod "c" deleted\n');
    await createAll(s, [pod(ns, 'g', { app: 'z' })]);
    assert.equal(await s.ok(['delete', 'pods', '-l', 'app=z', '-n', ns]), 'pod "g" deleted\n');
    assert.equal(
      await s.ok(['delete', 'pods', '--all', '-n', ns, '--dry-run=server']),
      'pod "d" deleted (server dry run)\npod "e" deleted (server dry run)\npod "f" deleted (server dry run)\n',
    );
    assert.equal(await s.ok(['delete', 'pods', '--all', '-n', ns]), 'pod "d" deleted\npod "e" deleted\npod "f" deleted\n');
    const left = await s.run(['get', 'pods', '-n', ns]);
    assert.equal(left.stderr, `No resources found in ${ns} namespace.\n`);
    const missing = await s.fails(['delete', 'pod', 'a', '-n', ns]);
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "a" not found\n');
    assert.equal((await s.run(['delete', 'pod', 'a', '-n', ns, '--ignore-not-found'])).code, 0);
    assert.match((await s.fails(['delete', 'pods', '-n', ns])).stderr, /name the pods to delete, or select them with -l, --field-selector or --all/);
  });

  it('waits until an object held by a finalizer is gone, unless --wait=false', async () => {
    const ns = await s.namespace('finalizer');
    const configMaps = s.api('v1', 'ConfigMap');
    await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] } });
    const deleting = s.start(['delete', 'cm', 'held', '-n', ns]);
    try {
      await deleting.waitForLine(/^configmap "held" deleted$/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(
        await Promise.race([deleting.exited.then(() => 'exited'), Promise.resolve('waiting')]),
        'waiting',
        'delete returned while the finalizer still held the object',
      );
      await configMaps.patch('held', 'merge', { metadata: { finalizers: null } }, { namespace: ns });
      const done = await deleting.exited;
      assert.equal(done.code, 0, done.stderr);
    } finally {
      await deleting.stop();
    }
    assert.ok(await gone(configMaps, 'held', ns));
    await configMaps.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held2', namespace: ns, finalizers: ['example.com/hold'] } });
    assert.equal(await s.ok(['delete', 'cm', 'held2', '-n', ns, '--wait=false']), 'configmap "held2" deleted\n');
    assert.ok((await configMaps.get('held2', { namespace: ns })).metadata.deletionTimestamp, 'still terminating');
    const timedOut = await s.fails(['delete', 'cm', 'held2', '-n', ns, '--timeout=1s']);
    assert.match(timedOut.stderr, /timed out waiting for the deletion of configmap\/held2/);
    await configMaps.patch('held2', 'merge', { metadata: { finalizers: null } }, { namespace: ns });
    await eventually('held2 to be gone', () => gone(configMaps, 'held2', ns));
  });
});
