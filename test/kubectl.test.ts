// The real kubectl against the API server, with kubectl's defaults (no --validate=false): what
// users type must work unchanged. Each test works in its own namespace on one shared server.
// Fixtures are created through the API client (fast); the commands under test go through kubectl.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../src/api/errors.js';
import type { ResourceClient } from '../src/client/client.js';
import type { KubeObject } from '../src/api/meta.js';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { findKubectl, kubectl, kubectlWatch, parseTable, type KubectlResult } from './support/kubectl.js';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
}

interface DeploymentShape {
  spec: { replicas: number; template: { spec: { containers: Container[] } } };
}

let server: TestServer | undefined;
let workDir: string | undefined;

function srv(): TestServer {
  if (!server) throw new Error('the API server did not start (see the failure of the before hook)');
  return server;
}

function run(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return kubectl(args, { kubeconfig: srv().kubeconfig, ...opts });
}

/** Runs kubectl and fails with its full output unless it exits 0. */
async function ok(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(args, opts);
  assert.equal(r.code, 0, `expected \`kubectl ${args.join(' ')}\` to exit 0; it exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** stdout lines, without blank ones. */
function outLines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

function api(apiVersion: string, kind: string): ResourceClient<KubeObject> {
  return srv().client.forObject({ apiVersion, kind });
}

async function createNamespace(name: string): Promise<void> {
  await api('v1', 'Namespace').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject> {
  return api(apiVersion, kind).get(name, namespace === undefined ? {} : { namespace });
}

async function getDeployment(namespace: string, name: string): Promise<DeploymentShape & KubeObject> {
  return (await getObject('apps/v1', 'Deployment', namespace, name)) as DeploymentShape & KubeObject;
}

async function isGone(apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean> {
  try {
    await getObject(apiVersion, kind, namespace, name);
    return false;
  } catch (e) {
    if (e instanceof ApiError && e.reason === 'NotFound') return true;
    throw e;
  }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pod(namespace: string, name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, ...extra },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
  };
}

function deployment(namespace: string, name: string, opts: { labels?: Record<string, string>; replicas?: number } = {}): KubeObject {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27', env: [{ name: 'MODE', value: 'prod' }] },
            { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', 'infinity'] },
          ],
        },
      },
    },
  };
}

function configMap(namespace: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** The three-document manifest of the create/apply tests: a Deployment, a Service and a ConfigMap. */
function appManifest(opts: { replicas: number; greeting: string }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
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
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  labels:
    app: web
data:
  greeting: ${opts.greeting}
`;
}

describe('kubectl', () => {
  before(async () => {
    findKubectl(); // fails the suite with a clear message when kubectl is missing
    server = await startTestServer();
    workDir = mkdtempSync(join(tmpdir(), 'minik8s-kubectl-'));
  });

  after(async () => {
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  describe('create and apply', () => {
    it('create -f creates every object of a multi-document file', async () => {
      await createNamespace('create-test');
      assert.ok(workDir, 'the before hook made a work dir');
      const file = join(workDir, 'app.yaml');
      writeFileSync(file, appManifest({ replicas: 2, greeting: 'hello' }));
      const out = await ok(['create', '-f', file, '-n', 'create-test']);
      assert.deepEqual(outLines(out), ['deployment.apps/web created', 'service/web created', 'configmap/web-config created']);
      assert.equal((await getDeployment('create-test', 'web')).spec.replicas, 2);
      await getObject('v1', 'Service', 'create-test', 'web');
      const cm = await getObject('v1', 'ConfigMap', 'create-test', 'web-config');
      assert.deepEqual(cm['data'], { greeting: 'hello' });

      const again = await run(['create', '-f', file, '-n', 'create-test']);
      assert.notEqual(again.code, 0, 'creating the same objects twice must fail');
      assert.match(again.stderr, /Error from server \(AlreadyExists\): error when creating ".*app\.yaml": deployments\.apps "web" already exists/);
    });

    it('apply -f creates, then reports unchanged, then configured after an edit', async () => {
      await createNamespace('apply-test');
      const manifest = appManifest({ replicas: 2, greeting: 'hello' });
      const first = await ok(['apply', '-n', 'apply-test', '-f', '-'], { stdin: manifest });
      assert.deepEqual(outLines(first), ['deployment.apps/web created', 'service/web created', 'configmap/web-config created']);
      const rvBefore = (await getDeployment('apply-test', 'web')).metadata.resourceVersion;

      const second = await ok(['apply', '-n', 'apply-test', '-f', '-'], { stdin: manifest });
      assert.deepEqual(outLines(second), ['deployment.apps/web unchanged', 'service/web unchanged', 'configmap/web-config unchanged']);
      assert.equal((await getDeployment('apply-test', 'web')).metadata.resourceVersion, rvBefore, 'an unchanged apply must not write');

      const edited = await ok(['apply', '-n', 'apply-test', '-f', '-'], { stdin: appManifest({ replicas: 4, greeting: 'bonjour' }) });
      assert.deepEqual(outLines(edited), ['deployment.apps/web configured', 'service/web unchanged', 'configmap/web-config configured']);
      assert.equal((await getDeployment('apply-test', 'web')).spec.replicas, 4);
      assert.deepEqual((await getObject('v1', 'ConfigMap', 'apply-test', 'web-config'))['data'], { greeting: 'bonjour' });
    });

    it('apply --server-side creates and then updates', async () => {
      await createNamespace('ssa-test');
      const first = await ok(['apply', '--server-side', '-n', 'ssa-test', '-f', '-'], { stdin: appManifest({ replicas: 1, greeting: 'hi' }) });
      assert.deepEqual(outLines(first), ['deployment.apps/web serverside-applied', 'service/web serverside-applied', 'configmap/web-config serverside-applied']);
      assert.equal((await getDeployment('ssa-test', 'web')).spec.replicas, 1);

      await ok(['apply', '--server-side', '-n', 'ssa-test', '-f', '-'], { stdin: appManifest({ replicas: 3, greeting: 'hey' }) });
      assert.equal((await getDeployment('ssa-test', 'web')).spec.replicas, 3);
      assert.deepEqual((await getObject('v1', 'ConfigMap', 'ssa-test', 'web-config'))['data'], { greeting: 'hey' });
    });

    // kubectl's imperative generators (`create namespace`, `create configmap`, ...) send protobuf
    // bodies. The server speaks JSON and YAML only, and says so with a clear 415 rather than a
    // decoding error; `create -f` and `apply -f` (JSON) are the supported way to create objects.
    it('refuses protobuf request bodies with a clear UnsupportedMediaType error', async () => {
      const ns = await run(['create', 'namespace', 'imperative-test']);
      assert.notEqual(ns.code, 0);
      assert.match(ns.stderr, /UnsupportedMediaType|unsupported format/, ns.stderr);
      assert.match(ns.stderr, /accepts JSON and YAML/, ns.stderr);
    });

    it('create -f rejects an unknown field (fieldValidation=Strict)', async () => {
      await createNamespace('strict-test');
      const typo = `apiVersion: v1
kind: ConfigMap
metadata:
  name: typo
data:
  a: b
dta:
  c: d
`;
      const r = await run(['create', '-n', 'strict-test', '-f', '-'], { stdin: typo });
      assert.notEqual(r.code, 0, `expected the unknown field "dta" to be rejected; kubectl printed:\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /strict decoding error: unknown field "dta"/);
    });
  });

  describe('get', () => {
    before(async () => {
      await createNamespace('get-a');
      await createNamespace('get-b');
      await api('apps/v1', 'Deployment').create(deployment('get-a', 'web', { labels: { app: 'web', fixture: 'get' } }));
      await api('v1', 'Service').create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'get-a', labels: { app: 'web' } },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      });
      await api('v1', 'Pod').create(pod('get-a', 'web-0', { app: 'web', fixture: 'get' }));
      await api('v1', 'Pod').create(pod('get-a', 'db-0', { app: 'db', fixture: 'get' }));
      await api('v1', 'Pod').create(pod('get-b', 'web-1', { app: 'web', fixture: 'get' }));
    });

    it('prints deployments, services and pods as tables with kubectl column headers', async () => {
      const deploys = parseTable(await ok(['get', 'deployments', '-n', 'get-a']));
      assert.deepEqual(deploys.headers, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.deepEqual(deploys.rows.map((r) => r.slice(0, 4)), [['web', '0/2', '0', '0']]);

      const svcs = parseTable(await ok(['get', 'svc', '-n', 'get-a']));
      assert.deepEqual(svcs.headers, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const svc = svcs.rows[0];
      assert.equal(svc?.[0], 'web');
      assert.equal(svc[1], 'ClusterIP');
      assert.equal(svc[4], '80/TCP');

      const pods = parseTable(await ok(['get', 'pods', '-n', 'get-a']));
      assert.deepEqual(pods.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(pods.rows.map((r) => r.slice(0, 4)).sort(), [
        ['db-0', '0/1', 'Pending', '0'],
        ['web-0', '0/1', 'Pending', '0'],
      ]);
    });

    it('-o wide adds the wide columns', async () => {
      const deploys = parseTable(await ok(['get', 'deploy', 'web', '-n', 'get-a', '-o', 'wide']));
      assert.deepEqual(deploys.headers, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      assert.deepEqual(deploys.rows[0]?.slice(5), ['app,sidecar', 'nginx:1.27,busybox:1.36', 'app=web,fixture=get']);
      const pods = parseTable(await ok(['get', 'pods', '-n', 'get-a', '-o', 'wide']));
      assert.deepEqual(pods.headers, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    });

    it('-o yaml and -o json print the stored objects', async () => {
      const y = parseYaml(await ok(['get', 'deploy', 'web', '-n', 'get-a', '-o', 'yaml'])) as DeploymentShape & KubeObject;
      assert.equal(y.kind, 'Deployment');
      assert.equal(y.apiVersion, 'apps/v1');
      assert.equal(y.metadata.name, 'web');
      assert.equal(y.spec.replicas, 2);
      const stored = await getDeployment('get-a', 'web');
      assert.equal(y.metadata.uid, stored.metadata.uid);

      const list = JSON.parse(await ok(['get', 'pods', '-n', 'get-a', '-o', 'json'])) as { kind: string; items: KubeObject[] };
      assert.equal(list.kind, 'List');
      assert.deepEqual(list.items.map((p) => p.metadata.name).sort(), ['db-0', 'web-0']);
      const one = JSON.parse(await ok(['get', 'pod', 'web-0', '-n', 'get-a', '-o', 'json'])) as KubeObject;
      assert.equal(one.kind, 'Pod');
      assert.deepEqual(one.metadata.labels, { app: 'web', fixture: 'get' });
    });

    it('-l filters by label', async () => {
      const t = parseTable(await ok(['get', 'pods', '-n', 'get-a', '-l', 'app=web']));
      assert.deepEqual(t.rows.map((r) => r[0]), ['web-0']);
      const none = await run(['get', 'pods', '-n', 'get-a', '-l', 'app=nothing']);
      assert.equal(none.code, 0);
      assert.match(none.stderr, /No resources found in get-a namespace\./);
    });

    it('-A lists every namespace with the NAMESPACE column filled', async () => {
      const t = parseTable(await ok(['get', 'pods', '-A', '-l', 'fixture=get']));
      assert.deepEqual(t.headers, ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      assert.deepEqual(t.rows.map((r) => `${r[0] ?? ''}/${r[1] ?? ''}`).sort(), ['get-a/db-0', 'get-a/web-0', 'get-b/web-1']);
    });

    it('--show-labels adds the LABELS column', async () => {
      const t = parseTable(await ok(['get', 'pods', '-n', 'get-a', '--show-labels']));
      assert.equal(t.headers.at(-1), 'LABELS');
      const row = t.rows.find((r) => r[0] === 'web-0');
      assert.equal(row?.at(-1), 'app=web,fixture=get');
    });

    it('-o name prints resource/name', async () => {
      assert.deepEqual(outLines(await ok(['get', 'deploy,svc', '-n', 'get-a', '-o', 'name'])), ['deployment.apps/web', 'service/web']);
    });

    it('get -w prints objects created and changed through the API', async () => {
      await createNamespace('watch-test');
      await api('v1', 'ConfigMap').create(configMap('watch-test', 'first'));
      const w = kubectlWatch(['get', 'configmaps', '-n', 'watch-test', '-w'], { kubeconfig: srv().kubeconfig });
      try {
        await w.waitForLine(/^NAME\s+DATA\s+AGE$/, 10000);
        await w.waitForLine(/^first\s+1\s/, 5000);
        await api('v1', 'ConfigMap').create(configMap('watch-test', 'second'));
        await w.waitForLine(/^second\s+1\s/, 5000);
        await api('v1', 'ConfigMap').patch('second', 'merge', { data: { k2: 'v2' } }, { namespace: 'watch-test' });
        await w.waitForLine(/^second\s+2\s/, 5000);
      } finally {
        await w.stop();
      }
    });

    it('describe deployment and describe pod', async () => {
      const d = await ok(['describe', 'deployment', 'web', '-n', 'get-a']);
      assert.match(d, /^Name:\s+web$/m);
      assert.match(d, /^Namespace:\s+get-a$/m);
      assert.match(d, /^Labels:\s+app=web$/m);
      assert.match(d, /^Replicas:\s+2 desired/m);
      const p = await ok(['describe', 'pod', 'web-0', '-n', 'get-a']);
      assert.match(p, /^Name:\s+web-0$/m);
      assert.match(p, /^Namespace:\s+get-a$/m);
      assert.match(p, /^Labels:\s+app=web$/m);
      assert.match(p, /^Status:\s+Pending$/m);
    });
  });

  describe('patch, label, annotate, scale', () => {
    before(async () => {
      await createNamespace('patch-test');
    });

    it('patch --type strategic changes one container image and keeps the rest', async () => {
      await api('apps/v1', 'Deployment').create(deployment('patch-test', 'smp'));
      const out = await ok(['patch', 'deployment', 'smp', '-n', 'patch-test', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}']);
      assert.equal(out.trim(), 'deployment.apps/smp patched');
      const cs = (await getDeployment('patch-test', 'smp')).spec.template.spec.containers;
      assert.deepEqual(
        cs.map((c) => [c.name, c.image]),
        [
          ['app', 'nginx:1.28'],
          ['sidecar', 'busybox:1.36'],
        ],
      );
      assert.deepEqual(cs[0]?.env, [{ name: 'MODE', value: 'prod' }], 'the patched container keeps its env');
    });

    it('patch --type merge merges maps and replaces lists', async () => {
      await api('apps/v1', 'Deployment').create(deployment('patch-test', 'merge'));
      await ok(['patch', 'deploy', 'merge', '-n', 'patch-test', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"front"}},"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx:1.29"}]}}}}']);
      const d = await getDeployment('patch-test', 'merge');
      assert.deepEqual(d.metadata.labels, { app: 'merge', tier: 'front' });
      assert.deepEqual(
        d.spec.template.spec.containers.map((c) => [c.name, c.image]),
        [['only', 'nginx:1.29']],
      );
    });

    it('patch --type json applies RFC 6902 operations, and a repeat is "(no change)"', async () => {
      await api('apps/v1', 'Deployment').create(deployment('patch-test', 'jsonp'));
      const ops = '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels/via","value":"json"}]';
      assert.equal((await ok(['patch', 'deploy', 'jsonp', '-n', 'patch-test', '--type', 'json', '-p', ops])).trim(), 'deployment.apps/jsonp patched');
      const d = await getDeployment('patch-test', 'jsonp');
      assert.equal(d.spec.replicas, 3);
      assert.equal(d.metadata.labels?.['via'], 'json');
      assert.equal((await ok(['patch', 'deploy', 'jsonp', '-n', 'patch-test', '--type', 'json', '-p', ops])).trim(), 'deployment.apps/jsonp patched (no change)');
      const failing = await run(['patch', 'deploy', 'jsonp', '-n', 'patch-test', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
      assert.notEqual(failing.code, 0, 'a failing "test" operation must fail the patch');
    });

    it('label adds and removes labels, on a namespaced object and on a Node', async () => {
      await api('v1', 'ConfigMap').create(configMap('patch-test', 'labelled'));
      assert.equal((await ok(['label', 'configmap', 'labelled', '-n', 'patch-test', 'env=dev'])).trim(), 'configmap/labelled labeled');
      assert.deepEqual((await getObject('v1', 'ConfigMap', 'patch-test', 'labelled')).metadata.labels, { env: 'dev' });
      assert.equal((await ok(['label', 'configmap', 'labelled', '-n', 'patch-test', 'env-'])).trim(), 'configmap/labelled unlabeled');
      assert.equal((await getObject('v1', 'ConfigMap', 'patch-test', 'labelled')).metadata.labels?.['env'], undefined);

      await api('v1', 'Node').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-label-test', labels: { 'kubernetes.io/hostname': 'node-label-test' } } });
      try {
        assert.equal((await ok(['label', 'node', 'node-label-test', 'disk=ssd'])).trim(), 'node/node-label-test labeled');
        assert.deepEqual((await getObject('v1', 'Node', undefined, 'node-label-test')).metadata.labels, { 'kubernetes.io/hostname': 'node-label-test', disk: 'ssd' });
        const t = parseTable(await ok(['get', 'nodes', '-l', 'disk=ssd']));
        assert.deepEqual(t.rows.map((r) => r[0]), ['node-label-test']);
        assert.equal((await ok(['label', 'node', 'node-label-test', 'disk-'])).trim(), 'node/node-label-test unlabeled');
        assert.deepEqual((await getObject('v1', 'Node', undefined, 'node-label-test')).metadata.labels, { 'kubernetes.io/hostname': 'node-label-test' });
      } finally {
        await api('v1', 'Node').delete('node-label-test');
      }
    });

    it('annotate adds and removes annotations', async () => {
      await api('v1', 'ConfigMap').create(configMap('patch-test', 'annotated'));
      assert.equal((await ok(['annotate', 'cm', 'annotated', '-n', 'patch-test', 'example.com/owner=team-a'])).trim(), 'configmap/annotated annotated');
      assert.equal((await getObject('v1', 'ConfigMap', 'patch-test', 'annotated')).metadata.annotations?.['example.com/owner'], 'team-a');
      await ok(['annotate', 'cm', 'annotated', '-n', 'patch-test', 'example.com/owner-']);
      assert.equal((await getObject('v1', 'ConfigMap', 'patch-test', 'annotated')).metadata.annotations?.['example.com/owner'], undefined);
    });

    it('scale deploy --replicas=5 sets spec.replicas through the scale subresource', async () => {
      await api('apps/v1', 'Deployment').create(deployment('patch-test', 'scaled'));
      assert.equal((await ok(['scale', 'deploy', 'scaled', '-n', 'patch-test', '--replicas=5'])).trim(), 'deployment.apps/scaled scaled');
      assert.equal((await getDeployment('patch-test', 'scaled')).spec.replicas, 5);
    });
  });

  describe('delete', () => {
    before(async () => {
      await createNamespace('delete-test');
    });

    it('delete waits for the object to go, and get then says NotFound', async () => {
      await api('v1', 'Pod').create(pod('delete-test', 'doomed'));
      const out = await ok(['delete', 'pod', 'doomed', '-n', 'delete-test'], { timeoutMs: 15000 });
      assert.equal(out.trim(), 'pod "doomed" deleted');
      assert.ok(await isGone('v1', 'Pod', 'delete-test', 'doomed'), 'the pod is gone once kubectl delete returns');
      const r = await run(['get', 'pod', 'doomed', '-n', 'delete-test']);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "doomed" not found');
    });

    it('delete -l deletes exactly the selected objects', async () => {
      for (const n of ['batch-1', 'batch-2', 'batch-3']) await api('v1', 'Pod').create(pod('delete-test', n, { app: 'batch' }));
      await api('v1', 'Pod').create(pod('delete-test', 'keeper', { app: 'keep' }));
      const out = await ok(['delete', 'pods', '-l', 'app=batch', '-n', 'delete-test'], { timeoutMs: 15000 });
      assert.deepEqual(outLines(out).sort(), ['pod "batch-1" deleted', 'pod "batch-2" deleted', 'pod "batch-3" deleted']);
      const left = await api('v1', 'Pod').list({ namespace: 'delete-test' });
      assert.deepEqual(left.items.map((p) => p.metadata.name), ['keeper']);
    });

    it('a finalizer holds a deleted pod until a json patch removes it', async () => {
      const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: held
  finalizers: [example.com/hold]
spec:
  containers:
  - name: app
    image: busybox:1.36
`;
      await ok(['create', '-n', 'delete-test', '-f', '-'], { stdin: manifest });
      assert.equal((await ok(['delete', 'pod', 'held', '-n', 'delete-test', '--wait=false'])).trim(), 'pod "held" deleted');
      const held = await getObject('v1', 'Pod', 'delete-test', 'held');
      assert.ok(held.metadata.deletionTimestamp, `expected a deletionTimestamp on the held pod; metadata: ${JSON.stringify(held.metadata)}`);
      assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
      const t = parseTable(await ok(['get', 'pod', 'held', '-n', 'delete-test']));
      assert.equal(t.rows[0]?.[2], 'Terminating');

      await ok(['patch', 'pod', 'held', '-n', 'delete-test', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      await eventually('the pod to disappear once its finalizer is removed', () => isGone('v1', 'Pod', 'delete-test', 'held'));
      const r = await run(['get', 'pod', 'held', '-n', 'delete-test']);
      assert.match(r.stderr, /Error from server \(NotFound\): pods "held" not found/);
    });

    it('a waiting delete returns when the finalizer is removed through the API', async () => {
      await api('v1', 'Pod').create(pod('delete-test', 'held-2', {}, { finalizers: ['example.com/hold'] }));
      let settled = false;
      const pending = run(['delete', 'pod', 'held-2', '-n', 'delete-test'], { timeoutMs: 15000 }).finally(() => (settled = true));
      await eventually('kubectl delete to set the deletionTimestamp', async () => Boolean((await getObject('v1', 'Pod', 'delete-test', 'held-2')).metadata.deletionTimestamp));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(settled, false, 'kubectl delete must keep waiting while the finalizer holds the pod');
      await api('v1', 'Pod').patch('held-2', 'json', [{ op: 'remove', path: '/metadata/finalizers' }], { namespace: 'delete-test' });
      const started = Date.now();
      const r = await pending;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod "held-2" deleted');
      assert.ok(Date.now() - started < 5000, `kubectl delete took ${Date.now() - started} ms to notice the deletion`);
    });
  });

  describe('discovery, explain, version, errors', () => {
    it('api-resources lists kinds with short names and groups', async () => {
      const out = await ok(['api-resources']);
      assert.match(out, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
      assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(out, /^nodes\s+no\s+v1\s+false\s+Node$/m);
      assert.match(out, /^services\s+svc\s+v1\s+true\s+Service$/m);
    });

    it('explain pods and explain deployment.spec', async () => {
      const p = await ok(['explain', 'pods']);
      assert.match(p, /^KIND:\s+Pod$/m);
      assert.match(p, /^VERSION:\s+v1$/m);
      assert.match(p, /^\s+spec\s+<[^>]+>$/m);
      const d = await ok(['explain', 'deployment.spec']);
      assert.match(d, /^GROUP:\s+apps$/m);
      assert.match(d, /^KIND:\s+Deployment$/m);
      assert.match(d, /^FIELD:\s+spec\s+<[^>]+>$/m);
    });

    it('version shows the server version', async () => {
      const out = await ok(['version']);
      assert.match(out, /^Server Version: v1\.\d+\.\d+/m);
      const v = JSON.parse(await ok(['version', '-o', 'json'])) as { serverVersion?: { major?: string; minor?: string; gitVersion?: string } };
      assert.equal(v.serverVersion?.major, '1');
      assert.ok(Number.parseInt(v.serverVersion?.minor ?? '', 10) >= 30, `kubectl needs a server minor version >= 30 to pick a WebSocket/openapi-v3 kubectl; got ${JSON.stringify(v.serverVersion)}`);
    });

    it('get of a missing object exits non-zero with the NotFound message', async () => {
      const r = await run(['get', 'pods', 'nope']);
      assert.notEqual(r.code, 0);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
      const d = await run(['get', 'deployment', 'nope']);
      assert.notEqual(d.code, 0);
      assert.equal(d.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found');
    });

    it('an invalid object is rejected with "is invalid" and the field path', async () => {
      const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: empty
spec:
  containers: []
`;
      const r = await run(['create', '-f', '-'], { stdin: manifest });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /The Pod "empty" is invalid: spec\.containers: Required value/);
      const bad = await run(['create', '-f', '-'], { stdin: manifest.replace('name: empty', 'name: Not_A_Name').replace('containers: []', 'containers: [{name: app, image: busybox}]') });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /The Pod "Not_A_Name" is invalid: metadata\.name: Invalid value: "Not_A_Name"/);
    });
  });
});
