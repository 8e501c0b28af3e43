// API semantics over HTTPS against a real API server (SQLite store): auth, CRUD, optimistic
// concurrency, validation, generateName, selectors, pagination, patch types, finalizers,
// subresources, Table, discovery, OpenAPI, and watch (resume, bookmarks, 410).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { startEtcd, type EtcdHandle } from './support/etcd.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { isApiError } from '../src/api/errors.js';
import type { KubeObject, WatchEvent } from '../src/api/meta.js';
import { ApiServer } from '../src/apiserver/server.js';
import { SqliteStore } from '../src/storage/sqlite.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';

const rt = (g: string, v: string, p: string): ResourceType => lookupResource(g, v, p) as ResourceType;
const PODS = rt('', 'v1', 'pods');
const CMS = rt('', 'v1', 'configmaps');
const DEPLOYS = rt('apps', 'v1', 'deployments');
const NAMESPACES = rt('', 'v1', 'namespaces');

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
}

function cm(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

function deployment(name: string, replicas = 2): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 'busybox:1.36' }] } },
    },
  };
}

/** Raw HTTPS request with optional token; returns status, headers and body text. */
function raw(s: TestServer, opts: { method?: string; path: string; token?: string | null; body?: string | Buffer; headers?: Record<string, string> }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? s.token : opts.token;
    if (token) headers['Authorization'] = `Bearer ${token}`;
    const req = request({ host: '127.0.0.1', port: s.port, path: opts.path, method: opts.method ?? 'GET', headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function rejects(p: Promise<unknown>, reason: string, code: number): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    assert.equal(e.reason, reason, `expected reason ${reason}, got ${e.reason}: ${e.message}`);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${reason} (${code}), but the call succeeded`);
}

function collectWatch(s: TestServer, r: ResourceType, q: { namespace?: string; resourceVersion?: string; labelSelector?: string; fieldSelector?: string; allowWatchBookmarks?: boolean }) {
  const ac = new AbortController();
  const events: WatchEvent[] = [];
  const done = s.client.resource(r).watch({ ...q, signal: ac.signal }, (e) => events.push(e));
  return {
    events,
    done,
    stop: async () => {
      ac.abort();
      await done.catch(() => undefined);
    },
    waitFor: async (pred: (evs: WatchEvent[]) => boolean, ms = 5000) => {
      const end = Date.now() + ms;
      while (!pred(events)) {
        if (Date.now() > end) assert.fail(`watch condition not met in ${ms} ms; events: ${JSON.stringify(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

// The same semantics on both store backends: embedded SQLite and a real etcd.
for (const backend of ['sqlite', 'etcd'] as const) describe(`API server over HTTPS (${backend})`, () => {
  let s: TestServer;
  let etcd: EtcdHandle | undefined;
  before(async () => {
    if (backend === 'etcd') etcd = await startEtcd();
    s = await startTestServer(etcd ? { store: `etcd://${etcd.endpoint.replace('http://', '')}` } : {});
  });
  after(async () => {
    await s.stop();
    await etcd?.stop();
  });

  it('refuses requests without a valid token (401) but serves health and version', async () => {
    const none = await raw(s, { path: '/api/v1/pods', token: null });
    assert.equal(none.status, 401);
    assert.equal((JSON.parse(none.body) as { reason: string }).reason, 'Unauthorized');
    assert.equal((await raw(s, { path: '/api/v1/pods', token: 'wrong' })).status, 401);
    assert.equal((await raw(s, { path: '/healthz', token: null })).status, 200);
    assert.equal((await raw(s, { path: '/readyz', token: null })).status, 200);
    const v = JSON.parse((await raw(s, { path: '/version', token: null })).body) as { major: string; minor: string };
    assert.equal(v.major, '1');
    assert.ok(Number(v.minor) >= 30);
  });

  it('creates the system namespaces', async () => {
    const list = await s.client.resource(NAMESPACES).list();
    const names = list.items.map((n) => n.metadata.name);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), `missing namespace ${n}`);
    assert.equal((list.items[0]?.status as { phase?: string }).phase, 'Active');
  });

  it('creates, reads, updates and deletes, filling server-owned metadata', async () => {
    const c = s.client.resource(CMS);
    const created = await c.create(cm('crud', { a: '1' }), { namespace: 'default' });
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Number(created.metadata.resourceVersion) > 0);
    assert.equal(created.metadata.namespace, 'default');
    const got = await c.get('crud', { namespace: 'default' });
    assert.deepEqual(got, created);
    const updated = await c.update({ ...got, data: { a: '2' } });
    assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    await rejects(c.create(cm('crud'), { namespace: 'default' }), 'AlreadyExists', 409);
    const e = (await rejects(c.get('missing', { namespace: 'default' }), 'NotFound', 404)) as Error;
    assert.equal(e.message, 'configmaps "missing" not found');
    await c.delete('crud', { namespace: 'default' });
    await rejects(c.get('crud', { namespace: 'default' }), 'NotFound', 404);
  });

  it('answers a stale update with 409 Conflict and keeps the newer write', async () => {
    const c = s.client.resource(CMS);
    const v1 = await c.create(cm('occ', { v: '1' }), { namespace: 'default' });
    await c.update({ ...v1, data: { v: '2' } });
    const err = (await rejects(c.update({ ...v1, data: { v: 'stale' } }), 'Conflict', 409)) as Error;
    assert.match(err.message, /the object has been modified/);
    assert.deepEqual((await c.get('occ', { namespace: 'default' })).data, { v: '2' });
  });

  it('does not bump resourceVersion on a no-op write', async () => {
    const c = s.client.resource(CMS);
    const v1 = await c.create(cm('noop', { v: '1' }), { namespace: 'default' });
    const same = await c.update({ ...v1 });
    assert.equal(same.metadata.resourceVersion, v1.metadata.resourceVersion);
    const patched = await c.patch('noop', 'merge', { data: { v: '1' } }, { namespace: 'default' });
    assert.equal(patched.metadata.resourceVersion, v1.metadata.resourceVersion);
  });

  it('rejects invalid objects with 422 and field causes', async () => {
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'c' }] } };
    const e = (await rejects(s.client.resource(PODS).create(bad, { namespace: 'default' }), 'Invalid', 422)) as { details?: { causes?: { field?: string; reason?: string }[] } };
    const fields = (e.details?.causes ?? []).map((c) => c.field);
    assert.ok(fields.includes('metadata.name'), `causes: ${JSON.stringify(e.details)}`);
    assert.ok(fields.includes('spec.containers[0].image'), `causes: ${JSON.stringify(e.details)}`);
    const wrongType = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'wt' }, spec: { replicas: 'three', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
    const e2 = (await rejects(s.client.resource(DEPLOYS).create(wrongType, { namespace: 'default' }), 'Invalid', 422)) as { details?: { causes?: { field?: string }[] } };
    assert.ok((e2.details?.causes ?? []).some((c) => c.field === 'spec.replicas'));
  });

  it('generates names from generateName', async () => {
    const obj = await s.client.resource(CMS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } }, { namespace: 'default' });
    assert.match(obj.metadata.name ?? '', /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses objects in a missing namespace', async () => {
    await rejects(s.client.resource(CMS).create(cm('x'), { namespace: 'nope' }), 'NotFound', 404);
  });

  it('filters lists by label and field selectors, and pages with limit/continue', async () => {
    const c = s.client.resource(CMS);
    await s.client.resource(NAMESPACES).create({ metadata: { name: 'sel' } });
    for (let i = 0; i < 7; i++) await c.create(cm(`s${i}`, {}, { tier: i % 2 ? 'odd' : 'even', ...(i === 3 ? { special: 'yes' } : {}) }), { namespace: 'sel' });
    const names = async (q: Parameters<typeof c.list>[0]) => (await c.list({ namespace: 'sel', ...q })).items.map((o) => o.metadata.name);
    assert.deepEqual(await names({ labelSelector: 'tier=odd' }), ['s1', 's3', 's5']);
    assert.deepEqual(await names({ labelSelector: 'tier!=odd' }), ['s0', 's2', 's4', 's6']);
    assert.deepEqual(await names({ labelSelector: 'tier in (odd),special' }), ['s3']);
    assert.deepEqual(await names({ labelSelector: 'tier,!special,tier notin (even)' }), ['s1', 's5']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=s4' }), ['s4']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name!=s4,metadata.namespace=sel', labelSelector: 'tier=even' }), ['s0', 's2', 's6']);
    await rejects(c.list({ namespace: 'sel', fieldSelector: 'spec.bogus=1' }), 'BadRequest', 400);
    await rejects(c.list({ namespace: 'sel', labelSelector: 'a in (' }), 'BadRequest', 400);
    // Pages: 3 + 3 + 1, one consistent snapshot even when writes happen between pages.
    const p1 = await c.list({ namespace: 'sel', limit: 3 });
    assert.equal(p1.items.length, 3);
    assert.ok(p1.metadata.continue);
    await c.create(cm('s00'), { namespace: 'sel' });
    const p2 = await c.list({ namespace: 'sel', limit: 3, continue: p1.metadata.continue });
    const p3 = await c.list({ namespace: 'sel', limit: 3, continue: p2.metadata.continue as string });
    assert.equal(p3.metadata.continue, undefined);
    assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((o) => o.metadata.name), ['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
    // Cluster-wide list across namespaces.
    const all = await c.list({ labelSelector: 'tier=odd' });
    assert.ok(all.items.every((o) => o.metadata.namespace === 'sel') && all.items.length === 3);
  });

  it('streams lists larger than one write slice as valid JSON', async () => {
    const c = s.client.resource(CMS);
    await s.client.resource(NAMESPACES).create({ metadata: { name: 'big' } });
    const blob = 'x'.repeat(150 * 1024);
    for (let i = 0; i < 16; i++) await c.create(cm(`big-${String(i).padStart(2, '0')}`, { blob, n: 'é'.repeat(i) }), { namespace: 'big' });
    const list = await c.list({ namespace: 'big' });
    assert.equal(list.items.length, 16);
    assert.deepEqual(list.items.map((o) => (o['data'] as { n: string }).n.length), Array.from({ length: 16 }, (_, i) => i));
  });

  it('applies strategic merge, merge, JSON patch and server-side apply', async () => {
    const d = s.client.resource(DEPLOYS);
    await d.create(deployment('pt'), { namespace: 'default' });
    // Strategic: containers merge by name, env by name.
    await d.patch('pt', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26', env: [{ name: 'B', value: '2' }] }] } } } }, { namespace: 'default' });
    let cur = await d.get('pt', { namespace: 'default' });
    const containers = (cur.spec as { template: { spec: { containers: { name: string; image: string; env?: { name: string }[] }[] } } }).template.spec.containers;
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['web', 'nginx:1.26'], ['side', 'busybox:1.36']]);
    assert.deepEqual(containers[0]?.env?.map((e) => e.name).sort(), ['A', 'B']);
    assert.equal(cur.metadata.generation, 2);
    // Merge patch replaces lists; labels-only patch does not move generation.
    await d.patch('pt', 'merge', { metadata: { labels: { team: 'a' } } }, { namespace: 'default' });
    cur = await d.get('pt', { namespace: 'default' });
    assert.equal(cur.metadata.generation, 2);
    assert.equal(cur.metadata.labels?.['team'], 'a');
    // JSON patch, including a failing test op (whole patch refused).
    await d.patch('pt', 'json', [{ op: 'replace', path: '/spec/replicas', value: 4 }], { namespace: 'default' });
    assert.equal((await d.get('pt', { namespace: 'default' })).spec && ((await d.get('pt', { namespace: 'default' })).spec as { replicas: number }).replicas, 4);
    await rejects(d.patch('pt', 'json', [{ op: 'test', path: '/spec/replicas', value: 9 }, { op: 'replace', path: '/spec/replicas', value: 1 }], { namespace: 'default' }), 'BadRequest', 400);
    // A patch with a stale resourceVersion precondition is a conflict.
    await rejects(d.patch('pt', 'merge', { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } }, { namespace: 'default' }), 'Conflict', 409);
    // Server-side apply creates when absent and merges when present.
    const applied = await d.patch('ssa', 'apply', deployment('ssa', 1), { namespace: 'default', fieldManager: 'test' });
    assert.equal((applied.spec as { replicas: number }).replicas, 1);
    await d.patch('ssa', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa' }, spec: { replicas: 3 } }, { namespace: 'default', fieldManager: 'test' });
    assert.equal(((await d.get('ssa', { namespace: 'default' })).spec as { replicas: number }).replicas, 3);
    // Unknown patch content type.
    const r = await raw(s, { method: 'PATCH', path: '/apis/apps/v1/namespaces/default/deployments/pt', body: '{}', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 415);
  });

  it('serves the scale and status subresources', async () => {
    const d = s.client.resource(DEPLOYS);
    await d.create(deployment('sc', 2), { namespace: 'default' });
    const scale = await s.client.rest.json<{ kind: string; spec: { replicas: number }; status: { selector: string } }>({ path: d.path('default', 'sc', 'scale') });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 2);
    assert.equal(scale.status.selector, 'app=sc');
    await d.patch('sc', 'merge', { spec: { replicas: 7 } }, { namespace: 'default', subresource: 'scale' });
    assert.equal(((await d.get('sc', { namespace: 'default' })).spec as { replicas: number }).replicas, 7);
    // Status writes change only status; spec writes keep status.
    const cur = await d.get('sc', { namespace: 'default' });
    await d.update({ ...cur, spec: { ...(cur.spec as object), replicas: 1 }, status: { replicas: 99 } }, { subresource: 'status' });
    let after = await d.get('sc', { namespace: 'default' });
    assert.equal((after.status as { replicas: number }).replicas, 99);
    assert.equal((after.spec as { replicas: number }).replicas, 7);
    await d.update({ ...after, status: { replicas: 0 } });
    after = await d.get('sc', { namespace: 'default' });
    assert.equal((after.status as { replicas: number }).replicas, 99);
  });

  it('holds objects with finalizers until the finalizers are removed', async () => {
    const c = s.client.resource(CMS);
    await c.create({ ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } }, { namespace: 'default' });
    const w = collectWatch(s, CMS, { namespace: 'default', fieldSelector: 'metadata.name=fin', resourceVersion: (await c.get('fin', { namespace: 'default' })).metadata.resourceVersion });
    const marked = await c.delete('fin', { namespace: 'default' });
    assert.ok(marked.metadata.deletionTimestamp, 'deletion should be pending');
    const still = await c.get('fin', { namespace: 'default' });
    assert.ok(still.metadata.deletionTimestamp);
    // Finalizers can be removed; new ones cannot stop an already-marked object from going away.
    await c.patch('fin', 'json', [{ op: 'remove', path: '/metadata/finalizers' }], { namespace: 'default' });
    await rejects(c.get('fin', { namespace: 'default' }), 'NotFound', 404);
    await w.waitFor((evs) => evs.some((e) => e.type === 'DELETED'));
    assert.deepEqual(w.events.map((e) => e.type), ['MODIFIED', 'DELETED']);
    await w.stop();
  });

  it('deletes a pod bound to a node gracefully, and at once when unbound', async () => {
    const p = s.client.resource(PODS);
    await p.create(pod('unbound'), { namespace: 'default' });
    const gone = await p.delete('unbound', { namespace: 'default' });
    assert.equal(gone.metadata.deletionTimestamp, undefined);
    await rejects(p.get('unbound', { namespace: 'default' }), 'NotFound', 404);
    await p.create({ ...pod('bound'), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }, { namespace: 'default' });
    const marked = await p.delete('bound', { namespace: 'default' });
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(marked.metadata.deletionTimestamp);
    await p.delete('bound', { namespace: 'default', gracePeriodSeconds: 0 });
    await rejects(p.get('bound', { namespace: 'default' }), 'NotFound', 404);
  });

  it('binds a pod to a node once through pods/binding', async () => {
    const p = s.client.resource(PODS);
    await p.create(pod('tobind'), { namespace: 'default' });
    const bind = (node: string) => s.client.rest.json({ method: 'POST', path: p.path('default', 'tobind', 'binding'), body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'tobind' }, target: { kind: 'Node', name: node } } });
    await bind('n1');
    assert.equal(((await p.get('tobind', { namespace: 'default' })).spec as { nodeName: string }).nodeName, 'n1');
    await rejects(bind('n2'), 'Conflict', 409);
  });

  it('renders Tables with row objects for kubectl', async () => {
    await s.client.resource(PODS).create(pod('tbl', { app: 't' }), { namespace: 'default' });
    const r = await raw(s, { path: '/api/v1/namespaces/default/pods?labelSelector=app%3Dt', headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    const t = JSON.parse(r.body) as { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[]; metadata: { resourceVersion: string } };
    assert.equal(t.kind, 'Table');
    assert.deepEqual(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual(t.rows[0]?.cells.slice(0, 4), ['tbl', '0/1', 'Pending', '0']);
    assert.equal(t.rows[0]?.object.kind, 'PartialObjectMetadata');
    assert.ok(Number(t.metadata.resourceVersion) > 0);
    const full = JSON.parse((await raw(s, { path: '/api/v1/namespaces/default/pods?includeObject=Object', headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).body) as { rows: { object: { kind: string } }[] };
    assert.equal(full.rows[0]?.object.kind, 'Pod');
    // Protobuf-first Accept headers get JSON, never 406.
    const pb = await raw(s, { path: '/api/v1/namespaces/default/pods/tbl', headers: { Accept: 'application/vnd.kubernetes.protobuf,application/json' } });
    assert.equal(pb.status, 200);
    assert.equal((JSON.parse(pb.body) as { kind: string }).kind, 'Pod');
  });

  it('serves aggregated and legacy discovery, and OpenAPI v3 with fieldValidation', async () => {
    const v2 = await raw(s, { path: '/apis', headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(v2.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const groups = (JSON.parse(v2.body) as { items: { metadata: { name: string } }[] }).items.map((g) => g.metadata.name);
    assert.ok(groups.includes('apps') && groups.includes('batch') && groups.includes('autoscaling'));
    const beta = await raw(s, { path: '/api', headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' } });
    assert.equal((JSON.parse(beta.body) as { apiVersion: string }).apiVersion, 'apidiscovery.k8s.io/v2beta1');
    const legacy = JSON.parse((await raw(s, { path: '/api/v1' })).body) as { resources: { name: string; shortNames?: string[] }[] };
    assert.deepEqual(legacy.resources.find((r) => r.name === 'pods')?.shortNames, ['po']);
    assert.ok(legacy.resources.some((r) => r.name === 'pods/status'));
    const appsList = JSON.parse((await raw(s, { path: '/apis/apps/v1' })).body) as { resources: { name: string; kind: string; group?: string }[] };
    assert.equal(appsList.resources.find((r) => r.name === 'deployments/scale')?.kind, 'Scale');
    const index = JSON.parse((await raw(s, { path: '/openapi/v3' })).body) as { paths: Record<string, { serverRelativeURL: string }> };
    const url = index.paths['apis/apps/v1']?.serverRelativeURL as string;
    const doc = JSON.parse((await raw(s, { path: url })).body) as { paths: Record<string, { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': { kind: string } } }> };
    const patchOp = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    assert.equal(patchOp?.['x-kubernetes-group-version-kind'].kind, 'Deployment');
    assert.ok(patchOp?.parameters.some((p) => p.name === 'fieldValidation'));
    assert.equal((await raw(s, { path: '/apis/nope/v1' })).status, 404);
  });

  it('watches: resumes from a resourceVersion without gaps or duplicates, and filters', async () => {
    const c = s.client.resource(CMS);
    await s.client.resource(NAMESPACES).create({ metadata: { name: 'wch' } });
    const start = (await c.list({ namespace: 'wch' })).metadata.resourceVersion as string;
    const labelled = collectWatch(s, CMS, { namespace: 'wch', resourceVersion: start, labelSelector: 'w=yes' });
    for (let i = 0; i < 20; i++) await c.create(cm(`w${i}`, {}, { w: i % 2 ? 'yes' : 'no' }), { namespace: 'wch' });
    await c.patch('w1', 'merge', { metadata: { labels: { w: 'no' } } }, { namespace: 'wch' }); // leaves the selector
    await c.patch('w0', 'merge', { metadata: { labels: { w: 'yes' } } }, { namespace: 'wch' }); // enters it
    await labelled.waitFor((evs) => evs.length >= 12);
    assert.deepEqual(labelled.events.slice(-2).map((e) => [e.type, e.object.metadata.name]), [['DELETED', 'w1'], ['ADDED', 'w0']]);
    await labelled.stop();
    // Resume from the middle: exactly the later events, in order.
    const all = collectWatch(s, CMS, { namespace: 'wch', resourceVersion: start });
    await all.waitFor((evs) => evs.length >= 22);
    const mid = all.events[9]?.object.metadata.resourceVersion as string;
    const resumed = collectWatch(s, CMS, { namespace: 'wch', resourceVersion: mid });
    await resumed.waitFor((evs) => evs.length >= 12);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(resumed.events.map((e) => e.object.metadata.resourceVersion), all.events.slice(10).map((e) => e.object.metadata.resourceVersion));
    const rvs = all.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
    assert.equal(new Set(rvs).size, rvs.length);
    await all.stop();
    await resumed.stop();
    // Without a resourceVersion: the current state first, as ADDED.
    const fresh = collectWatch(s, CMS, { namespace: 'wch' });
    await fresh.waitFor((evs) => evs.length >= 20);
    assert.ok(fresh.events.every((e) => e.type === 'ADDED'));
    await fresh.stop();
  });

  it('sends bookmarks and ends a watch after timeoutSeconds', async () => {
    const t0 = Date.now();
    let count = 0;
    await s.client.resource(CMS).watch({ namespace: 'default', resourceVersion: '0', timeoutSeconds: 1, signal: new AbortController().signal }, () => count++);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 5000, `watch lasted ${took} ms`);
    assert.ok(count > 0);
  });

  it('never answers malformed input with a 5xx, and keeps serving', async () => {
    const bodies: (string | Buffer)[] = [
      'not json',
      '{"metadata": 5}',
      '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"},"spec":"oops"}',
      '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","labels":{"a":5}},"spec":{"containers":[{"name":"c","image":"i"}]}}',
      '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x"},"spec":{"containers":[5, null, "x", {"name":[], "image":{}}]}}',
      '[1,2,3]',
      'null',
      '"str"',
      '{"kind":"Banana","apiVersion":"v1","metadata":{"name":"x"}}',
      '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d"},"spec":{"replicas":-1,"selector":5,"template":[]}}',
      '{"kind":"Service","apiVersion":"v1","metadata":{"name":"s"},"spec":{"ports":[{"port":"x"}],"type":5}}',
      '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","ownerReferences":[1],"finalizers":"f"},"spec":{"containers":[]}}',
      '['.repeat(50000) + ']'.repeat(50000),
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    ];
    const paths = ['/api/v1/namespaces/default/pods', '/apis/apps/v1/namespaces/default/deployments', '/api/v1/namespaces/default/services'];
    for (const body of bodies) {
      for (const path of paths) {
        for (const [method, ct] of [['POST', 'application/json'], ['PATCH', 'application/merge-patch+json'], ['PATCH', 'application/json-patch+json'], ['PATCH', 'application/strategic-merge-patch+json'], ['PATCH', 'application/apply-patch+yaml']] as const) {
          const p = method === 'PATCH' ? `${path}/target` : path;
          const r = await raw(s, { method, path: p, body, headers: { 'Content-Type': ct } });
          assert.ok(r.status >= 400 && r.status < 500, `${method} ${p} (${ct}) with ${String(body).slice(0, 40)} answered ${r.status}: ${r.body.slice(0, 300)}`);
        }
      }
    }
    const huge = await raw(s, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: JSON.stringify(cm('huge', { d: 'x'.repeat(4 * 1024 * 1024) })), headers: { 'Content-Type': 'application/json' } });
    assert.equal(huge.status, 413);
    for (const path of ['/api/v1/namespaces/default/bananas', '/apis/x/y/z', '/api/v1/namespaces/default/pods/a/b/c/d', '/%%%', '/api/v1/pods?limit=-1', '/api/v1/pods?watch=true&resourceVersion=abc']) {
      const r = await raw(s, { path });
      assert.ok(r.status >= 400 && r.status < 500, `${path} answered ${r.status}`);
    }
    assert.equal((await raw(s, { path: '/readyz', token: null })).status, 200);
  });
});

describe('watch cache limits', () => {
  let server: ApiServer;
  let store: SqliteStore;
  let dir: string;
  let port: number;
  const http = (path: string, init?: { method?: string; body?: string }) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: init?.method ?? 'GET', ...(init?.body ? { body: init.body, headers: { 'Content-Type': 'application/json' } } : {}) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minik8s-wc-'));
    store = new SqliteStore(join(dir, 'state.db'));
    server = new ApiServer({ store, port: 0, bindAddress: '127.0.0.1', tokens: [], watchCacheCapacity: 10, maxWatchBufferBytes: 256 * 1024 });
    port = (await server.start()).port;
  });
  after(async () => {
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a watch older than the ring with a 410 Expired event, and a newer one with events', async () => {
    for (let i = 0; i < 15; i++) await http('/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify(cm(`r${i}`)) });
    const old = await http('/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1');
    assert.equal(old.status, 200);
    const ev = JSON.parse((await old.text()).trim()) as { type: string; object: { code: number; reason: string } };
    assert.deepEqual([ev.type, ev.object.code, ev.object.reason], ['ERROR', 410, 'Expired']);
    const list = (await (await http('/api/v1/namespaces/default/configmaps')).json()) as { metadata: { resourceVersion: string } };
    const recent = Number(list.metadata.resourceVersion) - 3;
    const ac = new AbortController();
    const res = await http(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${recent}&timeoutSeconds=1`);
    const lines = (await res.text()).trim().split('\n');
    ac.abort();
    assert.equal(lines.length, 3, lines.join('\n'));
  });

  it('closes a watcher that cannot keep up with an error instead of skipping events', async () => {
    const list = (await (await http('/api/v1/namespaces/default/configmaps')).json()) as { metadata: { resourceVersion: string } };
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion} HTTP/1.1\r\nHost: x\r\n\r\n`);
    sock.pause(); // a client that stops reading
    const big = 'x'.repeat(200 * 1024);
    for (let i = 0; i < 40; i++) {
      const r = await http('/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify(cm(`big${i}`, { d: big })) });
      assert.equal(r.status, 201);
    }
    let text = '';
    sock.resume();
    // The stream ends with the last chunk (the connection itself may stay open for keep-alive).
    await new Promise<void>((r) =>
      sock.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        if (text.endsWith('\r\n0\r\n\r\n')) r();
      }),
    );
    const events = text.split('\n').filter((l) => l.startsWith('{"type"'));
    const last = JSON.parse(events[events.length - 1] ?? '{}') as { type: string; object: { code: number } };
    assert.equal(last.type, 'ERROR');
    assert.equal(last.object.code, 410);
    assert.ok(events.length < 41, `the slow watcher got ${events.length} events, expected it to be cut off`);
    sock.destroy();
    // The server still serves.
    assert.equal((await http('/readyz')).status, 200);
  });
});
