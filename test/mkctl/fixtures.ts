// Shared by the mkctl suites: one API server per suite file, a namespace per test, objects of every kind
// (created through the API client, which is fast; the commands under test go through bin/mkctl), and
// assertions that show mkctl's whole output when they fail.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { isApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import type { ResourceClient } from '../../src/client/client.js';
import { startTestServer, type TestServer } from '../support/apiserver.js';
import { mkctl, mkctlProcess, type MkctlOptions, type MkctlProcess, type MkctlResult } from '../support/mkctl.js';

export interface Suite {
  server(): TestServer;
  /** A scratch directory for manifests, removed with the server. */
  dir(): string;
  run(args: readonly string[], opts?: Omit<MkctlOptions, 'kubeconfig'>): Promise<MkctlResult>;
  /** Runs mkctl and fails with its output unless it exits 0; returns stdout. */
  ok(args: readonly string[], opts?: Omit<MkctlOptions, 'kubeconfig'>): Promise<string>;
  /** Runs mkctl and fails unless it exits non-zero; returns the result. */
  fails(args: readonly string[], opts?: Omit<MkctlOptions, 'kubeconfig'>): Promise<MkctlResult>;
  start(args: readonly string[]): MkctlProcess;
  api(apiVersion: string, kind: string): ResourceClient<KubeObject>;
  /** Creates a fresh namespace for one test. */
  namespace(prefix: string): Promise<string>;
}

/** Registers before/after hooks that start and stop one API server for the calling suite file. */
export function suite(): Suite {
  let server: TestServer | undefined;
  let dir: string | undefined;
  let counter = 0;
  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'mkctl-test-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const srv = (): TestServer => {
    if (!server) throw new Error('the API server did not start (see the before hook)');
    return server;
  };
  const run = (args: readonly string[], opts: Omit<MkctlOptions, 'kubeconfig'> = {}): Promise<MkctlResult> =>
    mkctl(args, { kubeconfig: srv().kubeconfig, ...opts });
  const show = (args: readonly string[], r: MkctlResult): string => `mkctl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  const s: Suite = {
    server: srv,
    dir: () => {
      if (!dir) throw new Error('no scratch directory (see the before hook)');
      return dir;
    },
    run,
    async ok(args, opts) {
      const r = await run(args, opts);
      assert.equal(r.code, 0, `expected success: ${show(args, r)}`);
      return r.stdout;
    },
    async fails(args, opts) {
      const r = await run(args, opts);
      assert.notEqual(r.code, 0, `expected a non-zero exit: ${show(args, r)}`);
      return r;
    },
    start: (args) => mkctlProcess(args, { kubeconfig: srv().kubeconfig }),
    api: (apiVersion, kind) => srv().client.forObject({ apiVersion, kind }),
    async namespace(prefix) {
      const name = `${prefix}-${++counter}`;
      await s.api('v1', 'Namespace').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
  };
  return s;
}

export function lines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim() !== '');
}

/** Header cells and rows of an aligned table, cut at the header's column offsets (so empty cells stay cells). */
export function columns(out: string): { headers: string[]; rows: string[][] } {
  const [head = '', ...rest] = lines(out);
  const starts = [...head.matchAll(/\S+(?: \S+)*/g)].map((m) => m.index);
  const cut = (l: string): string[] => starts.map((at, i) => l.slice(at, starts[i + 1]).trim());
  return { headers: cut(head), rows: rest.map(cut) };
}

/** Header cells and rows of an aligned table (cells separated by two or more spaces). */
export function table(out: string): { headers: string[]; rows: string[][] } {
  const [head, ...rest] = lines(out);
  const split = (l: string): string[] => l.trim().split(/ {2,}/);
  return { headers: head === undefined ? [] : split(head), rows: rest.map(split) };
}

export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function gone(client: ResourceClient<KubeObject>, name: string, namespace?: string): Promise<boolean> {
  try {
    await client.get(name, namespace ? { namespace } : {});
    return false;
  } catch (e) {
    if (isApiError(e, 'NotFound')) return true;
    throw e;
  }
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } };
}

const template = (labels: Record<string, string>): Record<string, unknown> => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

/** One object of every namespaced kind, for column tests. */
export function everyKind(namespace: string): KubeObject[] {
  const labels = { app: 'web' };
  const meta = (name: string): KubeObject['metadata'] => ({ name, namespace, labels });
  return [
    pod(namespace, 'web-1', labels),
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
    { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 8080 }] }] },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cfg'), data: { a: '1', b: '2' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds'), type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta('web-1.ev'),
      involvedObject: { kind: 'Pod', name: 'web-1', namespace },
      reason: 'Scheduled',
      message: 'assigned to node-1',
      type: 'Normal',
      source: { component: 'default-scheduler' },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'), spec: { replicas: 2, selector: { matchLabels: labels }, template: template(labels) } },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-abc'),
      spec: { replicas: 2, selector: { matchLabels: labels }, template: template(labels) },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('once'),
      spec: { template: { metadata: { labels: { job: 'once' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web'),
      spec: {
        rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      },
    },
  ];
}

export async function createAll(s: Suite, objs: readonly KubeObject[]): Promise<void> {
  for (const o of objs) await s.api(String(o.apiVersion), String(o.kind)).create(o);
}
