import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controllers.js';
import type { KubeObject } from '../../api/meta.js';
import type { Node, Pod, Taint } from '../api.js';
import { NodeLifecycleController } from './controller.js';
import { desiredTaints, evictionTime, NOT_READY_TAINT_KEY, rfc3339, UNREACHABLE_TAINT_KEY } from './decide.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const EVENTS = lookupResource('', 'v1', 'events') as ResourceType;
const NAMESPACES = lookupResource('', 'v1', 'namespaces') as ResourceType;
const NS = `nodelifecycle-${process.pid}`;
const GRACE = 40_000;

describe('node lifecycle decisions (pure)', () => {
  const node = (taints: Taint[] = []): Node => ({ metadata: { name: 'n' }, spec: { taints } });
  const pod = (tolerations: NonNullable<Pod['spec']['tolerations']>): Pod => ({
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: 'n', tolerations },
  });
  const t0 = Date.parse('2026-01-01T00:10:00Z');

  it('taints by the Ready condition and keeps other taints and timeAdded', () => {
    const other: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const unreachable = desiredTaints(node([other]), 'Unknown', t0);
    assert.deepEqual(
      unreachable?.map((t) => `${t.key}:${t.effect}`),
      ['dedicated:NoSchedule', `${UNREACHABLE_TAINT_KEY}:NoSchedule`, `${UNREACHABLE_TAINT_KEY}:NoExecute`],
    );
    assert.equal(unreachable?.find((t) => t.effect === 'NoExecute')?.timeAdded, rfc3339(t0));
    assert.equal(desiredTaints(node(unreachable), 'Unknown', t0 + 5000), undefined, 'unchanged: no write');
    assert.deepEqual(
      desiredTaints(node(unreachable), 'False', t0)?.map((t) => `${t.key}:${t.effect}`),
      ['dedicated:NoSchedule', `${NOT_READY_TAINT_KEY}:NoSchedule`, `${NOT_READY_TAINT_KEY}:NoExecute`],
    );
    assert.deepEqual(desiredTaints(node(unreachable), 'True', t0), [other]);
    assert.equal(desiredTaints(node(), undefined, t0), undefined);
  });

  it('evicts at once without a toleration, after tolerationSeconds with one, never without a limit', () => {
    const tainted = node([{ key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute', timeAdded: rfc3339(t0) }]);
    assert.equal(evictionTime(pod([]), tainted, t0 + 1), t0 + 1);
    assert.equal(
      evictionTime(pod([{ key: UNREACHABLE_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), tainted, t0),
      t0 + 300_000,
    );
    assert.equal(
      evictionTime(
        pod([
          { operator: 'Exists', tolerationSeconds: 2 },
          { key: UNREACHABLE_TAINT_KEY, operator: 'Exists', tolerationSeconds: 9 },
        ]),
        tainted,
        t0,
      ),
      t0 + 2000,
    );
    assert.equal(evictionTime(pod([{ operator: 'Exists' }]), tainted, t0), undefined);
    assert.equal(evictionTime(pod([{ key: NOT_READY_TAINT_KEY, operator: 'Exists' }]), tainted, t0), t0, 'a toleration for another taint does not help');
    assert.equal(evictionTime(pod([]), node([{ key: 'x', effect: 'NoSchedule' }]), t0), undefined, 'NoSchedule never evicts');
  });
});

describe('NodeLifecycleController', () => {
  let h: ControllerHarness;
  let c: NodeLifecycleController;
  const requeued: { key: string; ms: number }[] = [];

  before(async () => {
    h = await startControllerHarness({ settings: { nodeMonitorGracePeriodMs: GRACE } });
    await h.server.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    c = new NodeLifecycleController(h.ctx, { enqueueNode: () => undefined, enqueuePod: (key, ms) => ms && requeued.push({ key, ms }) });
    c.watch();
    await h.startInformers();
  });
  after(async () => {
    await h.stop();
  });

  const nodes = () => h.server.client.resource<Node>(NODES);
  const pods = () => h.server.client.resource<Pod>(PODS);
  const ready = (status: 'True' | 'False', at: number) => ({
    conditions: [
      {
        type: 'Ready',
        status,
        reason: status === 'True' ? 'KubeletReady' : 'KubeletNotReady',
        lastHeartbeatTime: rfc3339(at),
        lastTransitionTime: rfc3339(at),
      },
    ],
  });
  async function fresh(name: string): Promise<Node> {
    const n = await nodes().get(name);
    await h.cached(c.nodes, name, (x) => x?.metadata.resourceVersion === n.metadata.resourceVersion);
    return n;
  }
  async function beat(name: string, status: 'True' | 'False'): Promise<void> {
    const n = await nodes().get(name);
    const next = await nodes().update({ ...n, status: { ...n.status, ...ready(status, h.clock.now()) } }, { subresource: 'status' });
    await h.cached(c.nodes, name, (x) => x?.metadata.resourceVersion === next.metadata.resourceVersion);
  }
  const taintKeys = (n: Node): string[] => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

  it('the API server gives new pods the default not-ready/unreachable tolerations (300 s)', async () => {
    const p = await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'tolerations', namespace: NS },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    assert.deepEqual(p.spec.tolerations, [
      { key: NOT_READY_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: UNREACHABLE_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    const own = await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'own-toleration', namespace: NS },
      spec: {
        containers: [{ name: 'c', image: 'busybox:1.36' }],
        tolerations: [{ key: UNREACHABLE_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }],
      },
    });
    assert.deepEqual(
      own.spec.tolerations?.map((t) => `${t.key ?? ''}=${t.tolerationSeconds ?? ''}`),
      [`${UNREACHABLE_TAINT_KEY}=2`, `${NOT_READY_TAINT_KEY}=300`],
    );
  });

  it('a silent node becomes Unknown and unreachable-tainted after the grace period, and is untainted when it returns', async () => {
    const name = `silent-${process.pid}`;
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: ready('True', h.clock.now()) });
    await fresh(name);
    await c.syncNode(name);
    h.clock.advance(GRACE);
    await c.syncNode(name);
    assert.equal((await fresh(name)).status?.conditions?.[0]?.status, 'True', 'not silent for longer than the grace period yet');
    h.clock.advance(1000);
    await c.syncNode(name);
    let n = await fresh(name);
    const cond = n.status?.conditions?.find((x) => x.type === 'Ready');
    assert.equal(cond?.status, 'Unknown');
    assert.equal(cond?.reason, 'NodeStatusUnknown');
    assert.deepEqual(taintKeys(n), [`${UNREACHABLE_TAINT_KEY}:NoExecute`, `${UNREACHABLE_TAINT_KEY}:NoSchedule`]);
    await c.syncNode(name); // level-triggered: nothing more to do
    assert.equal((await fresh(name)).metadata.resourceVersion, n.metadata.resourceVersion);
    // The agent is back: a new heartbeat with Ready True.
    h.clock.advance(5000);
    await beat(name, 'True');
    await c.syncNode(name);
    n = await fresh(name);
    assert.deepEqual(taintKeys(n), []);
    await h.flushEvents();
    const events = await h.server.client.resource<KubeObject & { reason?: string }>(EVENTS).list({ namespace: 'default' });
    assert.ok(
      events.items.some((e) => e.reason === 'NodeNotReady'),
      'a NodeNotReady event',
    );
  });

  it('a node whose agent reports NotReady gets the not-ready taints', async () => {
    const name = `notready-${process.pid}`;
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: ready('False', h.clock.now()) });
    await fresh(name);
    await c.syncNode(name);
    assert.deepEqual(taintKeys(await fresh(name)), [`${NOT_READY_TAINT_KEY}:NoExecute`, `${NOT_READY_TAINT_KEY}:NoSchedule`]);
  });

  it('evicts pods from a NoExecute-tainted node as their tolerations expire', async () => {
    const name = `evict-${process.pid}`;
    await nodes().create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { taints: [{ key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute', timeAdded: rfc3339(h.clock.now()) }] },
      status: ready('True', h.clock.now()),
    });
    await fresh(name);
    const mk = (pod: string, tolerations: Pod['spec']['tolerations']) =>
      pods().create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: NS },
        spec: { nodeName: name, containers: [{ name: 'c', image: 'busybox:1.36' }], tolerations },
      });
    const two = await mk('two-seconds', [{ key: UNREACHABLE_TAINT_KEY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
    const forever = await mk('forever', [{ operator: 'Exists' }]);
    for (const p of [two, forever]) await h.cached(c.pods, `${NS}/${p.metadata.name ?? ''}`);
    await c.syncPod(`${NS}/two-seconds`);
    assert.ok(
      requeued.some((r) => r.key === `${NS}/two-seconds` && r.ms > 0 && r.ms <= 2000),
      `requeued for 2 s, saw ${JSON.stringify(requeued)}`,
    );
    await c.syncPod(`${NS}/forever`);
    h.clock.advance(2000);
    await c.syncPod(`${NS}/two-seconds`);
    const gone = (p: Pod | undefined): boolean => p === undefined || p.metadata.deletionTimestamp !== undefined;
    await h.cached(c.pods, `${NS}/two-seconds`, gone);
    await c.syncPod(`${NS}/forever`);
    assert.equal(gone(await pods().get('forever', { namespace: NS })), false, 'a toleration without tolerationSeconds keeps the pod');
    await h.flushEvents();
    const events = await h.server.client.resource<KubeObject & { reason?: string; involvedObject?: { name?: string } }>(EVENTS).list({ namespace: NS });
    assert.ok(
      events.items.some((e) => e.reason === 'TaintManagerEviction' && e.involvedObject?.name === 'two-seconds'),
      'a TaintManagerEviction event',
    );
  });

  it('evicts a pod that does not tolerate a NoExecute taint at once', async () => {
    const name = `maintenance-${process.pid}`;
    await nodes().create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { taints: [{ key: 'example.com/maintenance', effect: 'NoExecute', timeAdded: rfc3339(h.clock.now()) }] },
      status: ready('True', h.clock.now()),
    });
    await fresh(name);
    await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'intolerant', namespace: NS },
      spec: { nodeName: name, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await h.cached(c.pods, `${NS}/intolerant`);
    await c.syncPod(`${NS}/intolerant`);
    const p = await pods()
      .get('intolerant', { namespace: NS })
      .catch(() => undefined);
    assert.ok(p === undefined || p.metadata.deletionTimestamp !== undefined, 'deleted at once');
  });
});
