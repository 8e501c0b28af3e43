// The scheduling loop against in-memory informers (FakeListWatcher), a Binder that records its calls and
// applies them to the fake server, and a fake clock: bursts, assumptions, retries and backoff without HTTP.

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import type { EventRecorder, EventType } from '../client/events.js';
import { FakeListWatcher } from '../machinery/fake-listwatch.js';
import { SharedInformer } from '../machinery/informer.js';
import { FakeClock } from '../util/clock.js';
import { MemoryLogger } from '../util/logger.js';
import type { Binder } from './binder.js';
import { POLICIES, type PolicyName } from './registry.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testing.js';
import type { Node, Pod, PodCondition } from './types.js';

interface Recorded {
  type: EventType;
  reason: string;
  message: string;
  pod: string;
}

/** Let promise continuations and fake-watch deliveries (microtasks, setImmediate) run. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function harness(opts: { policy?: PolicyName; lagBindings?: boolean; boundElsewhere?: string } = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const logger = new MemoryLogger();
  const podsApi = new FakeListWatcher<Pod>();
  const nodesApi = new FakeListWatcher<Node>();
  const informerOpts = { clock, logger, freeze: 'deep' as const, random: () => 0 };
  const pods = new SharedInformer<Pod>(podsApi, { ...informerOpts, name: 'pods' });
  const nodes = new SharedInformer<Node>(nodesApi, { ...informerOpts, name: 'nodes' });
  const binds: [string, string][] = [];
  const conditions: [string, PodCondition][] = [];
  const events: Recorded[] = [];
  /** Bindings the fake server has accepted but not yet published to watchers (an informer lagging behind). */
  const lagging: (() => void)[] = [];
  const binder: Binder = {
    bind(pod, node) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (pod.metadata.name === opts.boundElsewhere) {
        // Another scheduler won the race: the server has the pod bound before our POST arrives.
        const theirs = podsApi.get(key)!;
        podsApi.update({ ...theirs, spec: { ...theirs.spec, nodeName: 'elsewhere' } });
      }
      const cur = podsApi.get(key);
      if (!cur) return Promise.reject(errors.notFound('pods', '', pod.metadata.name ?? ''));
      if (cur.spec?.nodeName) return Promise.reject(errors.conflict('pods/binding', '', pod.metadata.name ?? '', 'already assigned'));
      binds.push([key, node]);
      const publish = (): void => void podsApi.update({ ...cur, spec: { ...cur.spec, nodeName: node } });
      if (opts.lagBindings) lagging.push(publish);
      else publish();
      return Promise.resolve();
    },
    setCondition(pod, condition) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      conditions.push([key, condition]);
      const cur = podsApi.get(key);
      if (!cur) return Promise.reject(errors.notFound('pods', '', key));
      const others = (cur.status?.conditions ?? []).filter((c) => c.type !== condition.type);
      podsApi.update({ ...cur, status: { ...cur.status, conditions: [...others, condition] } });
      return Promise.resolve();
    },
  };
  const recorder: EventRecorder = {
    event(obj: KubeObject, type, reason, message) {
      events.push({ type, reason, message, pod: obj.metadata.name ?? '' });
    },
    flush: () => Promise.resolve(),
  };
  const scheduler = new Scheduler({ pods, nodes, binder, recorder, policy: POLICIES[opts.policy ?? 'round-robin'], clock, logger });
  const abort = new AbortController();
  pods.start();
  nodes.start();
  const running = scheduler.run(abort.signal);
  return {
    clock,
    logger,
    podsApi,
    nodesApi,
    binds,
    conditions,
    events,
    lagging,
    placement: (): Record<string, string> => Object.fromEntries(binds.map(([k, n]): [string, string] => [k.split('/')[1] ?? k, n])),
    failed: (pod: string): Recorded[] => events.filter((e) => e.pod === pod && e.reason === 'FailedScheduling'),
    stop: async () => {
      abort.abort();
      await running;
      await Promise.all([pods.stop(), nodes.stop()]);
    },
  };
}

describe('Scheduler loop', () => {
  let h: ReturnType<typeof harness> | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('binds pending pods round-robin and records Scheduled events', async () => {
    h = harness();
    for (const n of ['n3', 'n1', 'n2']) h.nodesApi.create(makeNode(n));
    for (let i = 0; i < 6; i++) h.podsApi.create(makePod(`p${i}`));
    await settle();
    assert.deepEqual(h.placement(), { p0: 'n1', p1: 'n2', p2: 'n3', p3: 'n1', p4: 'n2', p5: 'n3' });
    const scheduled = h.events.filter((e) => e.reason === 'Scheduled').map((e) => `${e.type} ${e.message}`);
    assert.ok(scheduled.includes('Normal Successfully assigned default/p0 to n1'), scheduled.join('\n'));
    assert.equal(scheduled.length, 6);
  });

  it('leaves alone pods that are bound, terminating, finished, or for another scheduler', async () => {
    h = harness();
    h.nodesApi.create(makeNode('n1'));
    h.podsApi.create(makePod('bound', { nodeName: 'n1' }));
    h.podsApi.create(makePod('other', { schedulerName: 'my-scheduler' }));
    h.podsApi.create(makePod('done', { phase: 'Succeeded' }));
    const dying = makePod('dying');
    dying.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    h.podsApi.create(dying);
    h.podsApi.create(makePod('mine', { schedulerName: 'default-scheduler' }));
    await settle();
    assert.deepEqual(h.placement(), { mine: 'n1' });
  });

  it('never overcommits a node during a burst the informer has not caught up with', async () => {
    h = harness({ lagBindings: true });
    for (const n of ['a', 'b', 'c']) h.nodesApi.create(makeNode(n, { cpu: '1' }));
    for (let i = 0; i < 9; i++) h.podsApi.create(makePod(`p${i}`, { cpu: '400m' }));
    await settle();
    const perNode: Record<string, number> = {};
    for (const [, n] of h.binds) perNode[n] = (perNode[n] ?? 0) + 1;
    assert.deepEqual(perNode, { a: 2, b: 2, c: 2 }, 'two 400m pods fit in 1 CPU, three do not');
    assert.deepEqual(
      ['p6', 'p7', 'p8'].map((p) => h!.failed(p)[0]?.message),
      Array(3).fill('0/3 nodes are available: 3 Insufficient cpu.'),
    );
    for (const publish of h.lagging.splice(0)) publish();
    await settle();
    assert.equal(h.binds.length, 6, 'the caught-up informer changes nothing');
  });

  it('marks an unschedulable pod, retries with backoff, and binds it when a node fits', async () => {
    h = harness();
    h.nodesApi.create(makeNode('small', { cpu: '1' }));
    h.podsApi.create(makePod('big', { cpu: '3' }));
    await settle();
    assert.deepEqual(h.binds, []);
    assert.equal(h.failed('big').length, 1);
    assert.deepEqual(h.failed('big')[0], { type: 'Warning', reason: 'FailedScheduling', message: '0/1 nodes are available: 1 Insufficient cpu.', pod: 'big' });
    assert.equal(h.conditions.length, 1);
    assert.deepEqual(h.conditions[0]![1], {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
      lastProbeTime: null,
      lastTransitionTime: new Date(1_700_000_000_000).toISOString().replace('.000Z', 'Z'),
    });
    // Our own status write came back through the informer: that alone is no reason to try again.
    await settle();
    assert.equal(h.failed('big').length, 1);

    // Backoff: 1 s, then 2 s, then 4 s. The condition is not rewritten while the message stays the same.
    await h.clock.advanceAsync(999);
    assert.equal(h.failed('big').length, 1);
    await h.clock.advanceAsync(1);
    await settle();
    assert.equal(h.failed('big').length, 2);
    await h.clock.advanceAsync(2000);
    await settle();
    assert.equal(h.failed('big').length, 3);
    assert.equal(h.conditions.length, 1);

    // A heartbeat-only node update does not count as a change; a new node does, at once.
    const small = h.nodesApi.get('small')!;
    h.nodesApi.update({ ...small, metadata: { ...small.metadata, annotations: { heartbeat: '1' } } });
    await settle();
    assert.equal(h.failed('big').length, 3);
    h.nodesApi.create(makeNode('large', { cpu: '4' }));
    await settle();
    assert.deepEqual(h.placement(), { big: 'large' });
    assert.ok(h.events.some((e) => e.reason === 'Scheduled' && e.message === 'Successfully assigned default/big to large'));
    assert.equal(h.conditions.at(-1)?.[1].status, 'True', 'the stale PodScheduled=False is replaced');
  });

  it('retries unschedulable pods when a bound pod goes away or a node is uncordoned', async () => {
    h = harness();
    h.nodesApi.create(makeNode('n1', { pods: '1' }));
    h.podsApi.create(makePod('first'));
    await settle();
    h.podsApi.create(makePod('second'));
    await settle();
    assert.deepEqual(h.placement(), { first: 'n1' });
    assert.equal(h.failed('second')[0]?.message, '0/1 nodes are available: 1 Too many pods.');
    h.podsApi.delete('default/first');
    await settle();
    assert.deepEqual(h.placement(), { first: 'n1', second: 'n1' });

    h.nodesApi.create(makeNode('cordoned', { unschedulable: true }));
    h.podsApi.create(makePod('third', { nodeSelector: { 'kubernetes.io/hostname': 'cordoned' } }));
    await settle();
    assert.match(h.failed('third')[0]?.message ?? '', /1 node\(s\) were unschedulable/);
    const node = h.nodesApi.get('cordoned')!;
    h.nodesApi.update({ ...node, spec: {} });
    await settle();
    assert.equal(h.placement()['third'], 'cordoned');
  });

  it('drops a pod someone else bound meanwhile (409) without retrying', async () => {
    h = harness({ boundElsewhere: 'raced' });
    h.nodesApi.create(makeNode('n1'));
    h.podsApi.create(makePod('raced'));
    await settle();
    await h.clock.advanceAsync(60_000);
    await settle();
    assert.deepEqual(h.binds, []);
    assert.deepEqual(h.events, []);
    assert.equal(h.podsApi.get('default/raced')?.spec?.nodeName, 'elsewhere');
    assert.deepEqual(
      h.logger.entries.filter((e) => e.level === 'error' || e.level === 'warn'),
      [],
    );
  });

  it('least-allocated spreads by free room', async () => {
    h = harness({ policy: 'least-allocated' });
    h.nodesApi.create(makeNode('big', { cpu: '8', memory: '16Gi' }));
    h.nodesApi.create(makeNode('small', { cpu: '2', memory: '4Gi' }));
    for (let i = 0; i < 3; i++) h.podsApi.create(makePod(`p${i}`, { cpu: '1', memory: '2Gi' }));
    await settle();
    assert.deepEqual(h.placement(), { p0: 'big', p1: 'big', p2: 'big' });
  });
});
