// `mkctl create -f` and `mkctl apply -f` end to end: files, directories (-R), stdin, multi-document
// YAML and JSON; created / configured / unchanged; objects identical to what the real kubectl makes from
// the same manifests (and each tool's applies understood by the other); dry runs; --wait; and the
// errors for bad YAML and for server refusals.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/meta.js';
import { kubectl } from '../support/kubectl.js';
import { gone, lines, suite } from './fixtures.js';

const s = suite();

function app(opts: { image: string; replicas: number; env: Record<string, string>; tier?: string; sidecar?: boolean }): string {
  const env = Object.entries(opts.env)
    .map(([k, v]) => `        - name: ${k}\n          value: "${v}"`)
    .join('\n');
  return `# the web app
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web${opts.tier ? `\n    tier: ${opts.tier}` : ''}
spec:
  replicas: ${opts.replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:${opts.sidecar ? '\n      - name: sidecar\n        image: busybox:1.36\n        command: ["sleep", "infinity"]' : ''}
      - name: nginx
        image: ${opts.image}
        ports:
        - containerPort: 80
        env:
${env}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    note: "<configured> & checked"
data:
  mode: ${opts.tier ?? 'plain'}
`;
}

const V1 = { image: 'nginx:1.27', replicas: 2, env: { A: '1', B: '2' }, tier: 'front' };
const V2 = { image: 'nginx:1.28', replicas: 3, env: { A: '1' }, sidecar: true };

function file(name: string, text: string): string {
  const path = join(s.dir(), name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** An object as stored, without what differs between two creations of it (and with one namespace name). */
function comparable(o: KubeObject, ns: string): unknown {
  const text = JSON.stringify(o).split(`"${ns}"`).join('"NS"').split(`\\"${ns}\\"`).join('\\"NS\\"');
  const copy = JSON.parse(text) as KubeObject & { spec?: Record<string, unknown> };
  delete copy.metadata.uid;
  delete copy.metadata.resourceVersion;
  delete copy.metadata.creationTimestamp;
  if (copy.kind === 'Service' && copy.spec) {
    // Each Service gets its own allocated cluster IP.
    delete copy.spec['clusterIP'];
    delete copy.spec['clusterIPs'];
  }
  return copy;
}

async function objects(ns: string): Promise<unknown[]> {
  return Promise.all(
    [
      ['apps/v1', 'Deployment', 'web'],
      ['v1', 'Service', 'web'],
      ['v1', 'ConfigMap', 'settings'],
    ].map(async ([v, k, n]) => comparable(await s.api(v as string, k as string).get(n as string, { namespace: ns }), ns)),
  );
}

describe('mkctl apply', () => {
  it('creates, configures and leaves unchanged, object by object', async () => {
    const ns = await s.namespace('apply');
    const v1 = file('apply/app.yaml', app(V1));
    assert.equal(await s.ok(['apply', '-f', v1, '-n', ns]), 'deployment.apps/web created\nservice/web created\nconfigmap/settings created\n');
    assert.equal(await s.ok(['apply', '-f', v1, '-n', ns]), 'deployment.apps/web unchanged\nservice/web unchanged\nconfigmap/settings unchanged\n');
    const v2 = file('apply/app-v2.yaml', app(V2));
    assert.equal(await s.ok(['apply', '-f', v2, '-n', ns]), 'deployment.apps/web configured\nservice/web unchanged\nconfigmap/settings configured\n');
    const dep = (await s.api('apps/v1', 'Deployment').get('web', { namespace: ns })) as KubeObject & {
      spec: { replicas: number; template: { spec: { containers: { name: string; image: string; env?: unknown[] }[] } } };
    };
    assert.equal(dep.spec.replicas, 3);
    assert.deepEqual(
      dep.spec.template.spec.containers.map((c) => [c.name, c.image, c.env]),
      [
        ['sidecar', 'busybox:1.36', undefined],
        ['nginx', 'nginx:1.28', [{ name: 'A', value: '1' }]],
      ],
    );
    assert.deepEqual(dep.metadata.labels, { app: 'web' }, 'the label removed from the manifest is removed');
  });

  it('makes the same objects as kubectl from the same manifests, and each understands the other’s applies', async () => {
    const byKubectl = await s.namespace('kubectl');
    const byMkctl = await s.namespace('mkctl');
    const v1 = file('same/v1.yaml', app(V1));
    const v2 = file('same/v2.yaml', app(V2));
    const kc = { kubeconfig: s.server().kubeconfig };
    for (const f of [v1, v2]) {
      const k = await kubectl(['apply', '-f', f, '-n', byKubectl], kc);
      assert.equal(k.code, 0, k.stderr);
      await s.ok(['apply', '-f', f, '-n', byMkctl]);
      assert.deepEqual(await objects(byMkctl), await objects(byKubectl), `after applying ${f}`);
    }
    // Applied by one, re-applied by the other: nothing to do.
    assert.equal(await s.ok(['apply', '-f', v2, '-n', byKubectl]), 'deployment.apps/web unchanged\nservice/web unchanged\nconfigmap/settings unchanged\n');
    const k = await kubectl(['apply', '-f', v2, '-n', byMkctl], kc);
    assert.equal(k.stdout, 'deployment.apps/web unchanged\nservice/web unchanged\nconfigmap/settings unchanged\n', k.stderr);
    // And going back to v1 through the other tool removes what v2 added, identically.
    assert.equal((await kubectl(['apply', '-f', v1, '-n', byMkctl], kc)).code, 0);
    await s.ok(['apply', '-f', v1, '-n', byKubectl]);
    assert.deepEqual(await objects(byMkctl), await objects(byKubectl));
  });

  it('reads directories (-R for subdirectories), JSON, multi-document files and stdin', async () => {
    const ns = await s.namespace('sources');
    const cm = (name: string): string => `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "${name}"}, "data": {"k": "v"}}`;
    file('tree/a.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n`);
    file('tree/c.json', cm('c'));
    file('tree/notes.txt', 'not a manifest');
    file('tree/sub/d.yml', 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: d\n');
    const dir = join(s.dir(), 'tree');
    assert.equal(await s.ok(['apply', '-f', dir, '-n', ns]), 'configmap/a created\nconfigmap/b created\nconfigmap/c created\n');
    assert.equal(
      await s.ok(['apply', '-R', '-f', dir, '-n', ns]),
      'configmap/a unchanged\nconfigmap/b unchanged\nconfigmap/c unchanged\nconfigmap/d created\n',
    );
    assert.equal(await s.ok(['apply', '-f', '-', '-n', ns], { stdin: cm('e') }), 'configmap/e created\n');
    assert.equal(await s.ok(['create', '-f', '-', '-n', ns, '-o', 'name'], { stdin: cm('f') }), 'configmap/f\n');
  });

  it('does nothing on the server with --dry-run, and checks with the server on --dry-run=server', async () => {
    const ns = await s.namespace('dry');
    const f = file('dry/app.yaml', app(V1));
    assert.equal(
      await s.ok(['apply', '-f', f, '-n', ns, '--dry-run=client']),
      'deployment.apps/web created (dry run)\nservice/web created (dry run)\nconfigmap/settings created (dry run)\n',
    );
    assert.equal(
      await s.ok(['apply', '-f', f, '-n', ns, '--dry-run=server']),
      'deployment.apps/web created (server dry run)\nservice/web created (server dry run)\nconfigmap/settings created (server dry run)\n',
    );
    assert.equal(
      await s.ok(['create', '-f', f, '-n', ns, '--dry-run']),
      'deployment.apps/web created (dry run)\nservice/web created (dry run)\nconfigmap/settings created (dry run)\n',
    );
    assert.ok(await gone(s.api('apps/v1', 'Deployment'), 'web', ns), 'a dry run stored the deployment');
    const bad = file('dry/bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n');
    assert.match(
      (await s.fails(['apply', '-f', bad, '-n', ns, '--dry-run=server'])).stderr,
      /^Error from server \(Invalid\): error when creating ".*bad\.yaml": .*spec\.containers\[0\]\.image/,
    );
  });

  it('waits for readiness with --wait, and fails clearly on --timeout', async () => {
    const ns = await s.namespace('wait');
    const f = file('wait/app.yaml', app(V1));
    const waiting = s.start(['apply', '-f', f, '-n', ns, '--wait', '--timeout=30s']);
    try {
      await waiting.waitForLine(/^configmap\/settings created$/);
      // Play the controllers: the deployment becomes available.
      const deployments = s.api('apps/v1', 'Deployment');
      const dep = await deployments.get('web', { namespace: ns });
      await deployments.update(
        { ...dep, status: { observedGeneration: dep.metadata.generation, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 } },
        { subresource: 'status' },
      );
      await waiting.waitForLine(/^deployment\.apps\/web ready$/);
      const done = await waiting.exited;
      assert.equal(done.code, 0, done.stderr);
    } finally {
      await waiting.stop();
    }
    const other = await s.namespace('wait');
    const r = await s.fails(['apply', '-f', f, '-n', other, '--wait', '--timeout=1s'], { timeoutMs: 20000 });
    assert.match(r.stderr, /^error: timed out waiting for deployment\.apps\/web \(0\/2 available/m);
  });

  it('refuses a manifest whose namespace differs from -n', async () => {
    const ns = await s.namespace('nsmismatch');
    const f = file('mismatch.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: elsewhere\n');
    assert.match(
      (await s.fails(['apply', '-f', f, '-n', ns])).stderr,
      /the namespace from the provided object "elsewhere" does not match the namespace "nsmismatch-\d+"/,
    );
  });
});

describe('mkctl create and apply: errors', () => {
  it('names the file and line of a YAML error, and applies nothing from that run', async () => {
    const ns = await s.namespace('badyaml');
    const f = file(
      'bad/broken.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n   labels: {a: b}\n',
    );
    const r = await s.fails(['apply', '-f', f, '-n', ns]);
    assert.equal(r.stderr, `error: error parsing ${f}: line 9, column 9: Nested mappings are not allowed in compact mappings\n    name: broken\n          ^\n`);
    assert.ok(await gone(s.api('v1', 'ConfigMap'), 'ok', ns), 'nothing is applied when a file does not parse');
    const dup = file('bad/dup.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    assert.match((await s.fails(['create', '-f', dup, '-n', ns])).stderr, /dup\.yaml: line 5, column 3: Map keys must be unique/);
    const nokind = file('bad/nokind.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nmetadata:\n  name: b\n');
    assert.equal((await s.fails(['apply', '-f', nokind, '-n', ns])).stderr, `error: ${nokind}:5: invalid object: apiVersion not set, kind not set\n`);
    const unknown = file('bad/unknown.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    assert.match((await s.fails(['apply', '-f', unknown])).stderr, /unknown\.yaml:1: no kind "Widget" is registered for version "example\.com\/v1"/);
    assert.match((await s.fails(['apply', '-f', join(s.dir(), 'nowhere.yaml')])).stderr, /^error: the path ".*nowhere\.yaml" does not exist/);
    assert.match((await s.fails(['apply'])).stderr, /no manifests given/);
  });

  it('shows the server’s reason and message, keeps going with the other objects, and exits 1', async () => {
    const ns = await s.namespace('servererr');
    const f = file(
      'servererr/two.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n',
    );
    await s.ok(['create', '-f', f, '-n', ns]);
    await s.api('v1', 'ConfigMap').delete('second', { namespace: ns });
    const r = await s.fails(['create', '-f', f, '-n', ns]);
    assert.equal(r.stderr, `Error from server (AlreadyExists): error when creating "${f}": configmaps "first" already exists\n`);
    assert.equal(r.stdout, 'configmap/second created\n');
    const invalid = file(
      'servererr/invalid.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: neg\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n',
    );
    assert.match(
      (await s.fails(['apply', '-f', invalid, '-n', ns])).stderr,
      /^Error from server \(Invalid\): error when creating ".*invalid\.yaml": Deployment\.apps "neg" is invalid: spec\.replicas/,
    );
    assert.deepEqual(lines(await s.ok(['get', 'cm', '-n', ns, '-o', 'name'])), ['configmap/first', 'configmap/second']);
  });
});
