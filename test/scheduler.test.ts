// The scheduler end to end: a real API server (HTTPS, SQLite), Nodes created through the API as plain objects
// (Ready=True, allocatable; no agent), and the scheduler started in-process with startScheduler. Each scenario
// uses its own namespace and its own nodes, and deletes its nodes when done, so scenarios do not see each other.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import type { KubeObject } from '../src/api/meta.js';
import { startScheduler, type RunningScheduler } from '../src/cmd/scheduler.js';
import { realClock } from '../src/util/clock.js';
import { MemoryLogger } from '../src/util/logger.js';
import type { Node, Pod, PodCondition, Taint, Toleration } from '../src/scheduler/types.js';
import { until } from './support/until.js';

const rt = (p: string): ResourceType => lookupResource('', 'v1', p) as ResourceType;
const NODES = rt('nodes');
const PODS = rt('pods');
const EVENTS = rt('events');
const NAMESPACES = rt('namespaces');


function node(name: string, opts: { cpu?: string; labels?: Record<string, string>; unschedulable?: boolean; taints?: Taint[] } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { ...(opts.unschedulable ? { unschedulable: true } : {}), ...(opts.taints ? { taints: opts.taints } : {}) },
    status: {
      capacity: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: opts.cpu ?? '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }],
    },
  };
}

function pod(name: string, opts: { cpu?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[] } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ...(opts.cpu ? { resources: { requests: { cpu: opts.cpu, memory: '64Mi' } } } : {}) }],
      ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
    },
  };
}

describe('scheduler end to end', () => {
  let server: TestServer;
  let scheduler: RunningScheduler;
  const logger = new MemoryLogger();

  before(async () => {
    server = await startTestServer();
    scheduler = startScheduler({ client: server.client, clock: realClock, logger });
    await scheduler.ready;
  });

  after(async () => {
    await scheduler?.stop();
    await server?.stop();
  });

  const nodes = () => server.client.resource<Node>(NODES);
  const pods = () => server.client.resource<Pod>(PODS);

  async function scenario(ns: string, nodeList: Node[]): Promise<() => Promise<void>> {
    await server.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const n of nodeList) await nodes().create(n);
    return async () => {
      for (const n of nodeList) await nodes().delete(n.metadata.name ?? '');
    };
  }

  async function create(ns: string, list: Pod[]): Promise<void> {
    for (const p of list) await pods().create(p, { namespace: ns });
  }

  /** name → node, once every pod in `ns` is bound. */
  async function placement(ns: string, count: number): Promise<Record<string, string>> {
    return until(`${count} pods bound in ${ns}`, async () => {
      const items = (await pods().list({ namespace: ns })).items;
      const bound = items.filter((p) => p.spec?.nodeName);
      if (bound.length < count) return undefined;
      return Object.fromEntries(bound.map((p) => [p.metadata.name ?? '', p.spec?.nodeName ?? '']));
    });
  }

  function perNode(placed: Record<string, string>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of Object.values(placed)) out[n] = (out[n] ?? 0) + 1;
    return out;
  }

  async function eventsFor(ns: string, podName: string, reason: string): Promise<KubeObject[]> {
    const list = await server.client.resource(EVENTS).list({ namespace: ns, fieldSelector: `involvedObject.name=${podName},reason=${reason}` });
    return list.items;
  }

  it('places 6 pods over 3 nodes round-robin, 2 each, with Scheduled events', async () => {
    const cleanup = await scenario('rr', [node('rr-a'), node('rr-b'), node('rr-c')]);
    await create(
      'rr',
      Array.from({ length: 6 }, (_, i) => pod(`p${i}`)),
    );
    const placed = await placement('rr', 6);
    assert.deepEqual(perNode(placed), { 'rr-a': 2, 'rr-b': 2, 'rr-c': 2 }, JSON.stringify(placed));
    const scheduled = await until('a Scheduled event for p0', async () => (await eventsFor('rr', 'p0', 'Scheduled'))[0]);
    assert.equal(scheduled['message'], `Successfully assigned rr/p0 to ${placed['p0']}`);
    assert.equal(scheduled['type'], 'Normal');
    await cleanup();
  });

  it('honours nodeSelector', async () => {
    const cleanup = await scenario('sel', [node('sel-a'), node('sel-ssd', { labels: { disk: 'ssd' } }), node('sel-c')]);
    await create(
      'sel',
      Array.from({ length: 3 }, (_, i) => pod(`ssd${i}`, { nodeSelector: { disk: 'ssd' } })),
    );
    assert.deepEqual(perNode(await placement('sel', 3)), { 'sel-ssd': 3 });
    await cleanup();
  });

  it('keeps a pod too big for every node Pending and Unschedulable, then binds it when a big node joins', async () => {
    const cleanup = await scenario('big', [node('big-a', { cpu: '2' }), node('big-b', { cpu: '2' }), node('big-c', { cpu: '2' })]);
    await create('big', [pod('huge', { cpu: '16' })]);
    const message = '0/3 nodes are available: 3 Insufficient cpu.';
    const cond = await until('PodScheduled=False on huge', async () => {
      const p = await pods().get('huge', { namespace: 'big' });
      return p.status?.conditions?.find((c: PodCondition) => c.type === 'PodScheduled');
    });
    assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', message]);
    const current = await pods().get('huge', { namespace: 'big' });
    assert.equal(current.spec?.nodeName, undefined);
    assert.equal(current.status?.phase, 'Pending');
    const failed = await until('a FailedScheduling event', async () => (await eventsFor('big', 'huge', 'FailedScheduling'))[0]);
    assert.deepEqual([failed['type'], failed['message']], ['Warning', message]);

    await nodes().create(node('big-large', { cpu: '32' }));
    assert.deepEqual(await placement('big', 1), { huge: 'big-large' });
    const after = await until('PodScheduled=True on huge', async () => {
      const p = await pods().get('huge', { namespace: 'big' });
      const c = p.status?.conditions?.find((x: PodCondition) => x.type === 'PodScheduled');
      return c?.status === 'True' ? c : undefined;
    });
    assert.equal(after.status, 'True');
    await cleanup();
    await nodes().delete('big-large');
  });

  it('gives a cordoned node nothing', async () => {
    const cleanup = await scenario('cordon', [node('cordon-ok'), node('cordon-off', { unschedulable: true })]);
    await create(
      'cordon',
      Array.from({ length: 4 }, (_, i) => pod(`p${i}`)),
    );
    assert.deepEqual(perNode(await placement('cordon', 4)), { 'cordon-ok': 4 });
    await create('cordon', [pod('pinned', { nodeSelector: { 'kubernetes.io/hostname': 'cordon-off' } })]);
    const cond = await until('pinned to be Unschedulable', async () =>
      (await pods().get('pinned', { namespace: 'cordon' })).status?.conditions?.find((c: PodCondition) => c.type === 'PodScheduled'),
    );
    assert.equal(cond.message, "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable.");
    await cleanup();
  });

  it('puts only tolerating pods on a tainted node', async () => {
    const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const cleanup = await scenario('taint', [node('taint-plain'), node('taint-gpu', { taints: [taint] })]);
    await create(
      'taint',
      Array.from({ length: 3 }, (_, i) => pod(`plain${i}`)),
    );
    await create(
      'taint',
      Array.from({ length: 4 }, (_, i) => pod(`tol${i}`, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] })),
    );
    const placed = await placement('taint', 7);
    const onGpu = Object.entries(placed)
      .filter(([, n]) => n === 'taint-gpu')
      .map(([p]) => p)
      .sort();
    assert.ok(onGpu.length > 0, `tolerating pods may use the tainted node: ${JSON.stringify(placed)}`);
    assert.ok(
      onGpu.every((p) => p.startsWith('tol')),
      `only tolerating pods on the tainted node: ${JSON.stringify(placed)}`,
    );
    await cleanup();
    assert.deepEqual(
      logger.entries.filter((e) => e.level === 'error'),
      [],
    );
  });
});
