import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newSnapshot, type Policy, type Snapshot } from './framework.js';
import { POLICIES } from './registry.js';
import { fitErrorMessage, NO_NODES, scheduleOne, type ScheduleResult, type ScheduleState } from './schedule.js';
import { makeNode, makePod } from './testing.js';
import type { Pod } from './types.js';

const roundRobin = POLICIES['round-robin'];
const leastAllocated = POLICIES['least-allocated'];

function nodeOf(r: ScheduleResult): string {
  if ('unschedulable' in r) assert.fail(`expected a node, got: ${r.unschedulable}`);
  return r.node;
}

function messageOf(r: ScheduleResult): string {
  if (!('unschedulable' in r)) assert.fail(`expected unschedulable, got node ${r.node}`);
  return r.unschedulable;
}

/** Schedule pods one after another, carrying the state and binding each into the next snapshot. */
function burst(snapshotPods: Pod[], nodes: ReturnType<typeof makeNode>[], pods: Pod[], policy: Policy = roundRobin): string[] {
  let state: ScheduleState = {};
  const bound = [...snapshotPods];
  const out: string[] = [];
  for (const pod of pods) {
    const r = scheduleOne(pod, newSnapshot(nodes, bound), { policy, state });
    state = r.state;
    const node = nodeOf(r);
    out.push(node);
    bound.push({ ...pod, spec: { ...pod.spec, nodeName: node } });
  }
  return out;
}

describe('scheduleOne', () => {
  const three = [makeNode('n2'), makeNode('n1'), makeNode('n3')];

  it('round-robin rotates over the feasible nodes in name order across calls', () => {
    const pods = Array.from({ length: 7 }, (_, i) => makePod(`p${i}`));
    assert.deepEqual(burst([], three, pods), ['n1', 'n2', 'n3', 'n1', 'n2', 'n3', 'n1']);
  });

  it('round-robin continues after the last node chosen, skipping infeasible ones', () => {
    const snap = newSnapshot([makeNode('a'), makeNode('b', { labels: { disk: 'ssd' } }), makeNode('c'), makeNode('d', { labels: { disk: 'ssd' } })], []);
    const ssd = makePod('ssd', { nodeSelector: { disk: 'ssd' } });
    assert.equal(nodeOf(scheduleOne(ssd, snap, { policy: roundRobin, state: { lastNode: 'b' } })), 'd');
    assert.equal(nodeOf(scheduleOne(ssd, snap, { policy: roundRobin, state: { lastNode: 'd' } })), 'b', 'wraps around');
    assert.equal(nodeOf(scheduleOne(makePod('any'), snap, { policy: roundRobin, state: { lastNode: 'b' } })), 'c');
    assert.equal(nodeOf(scheduleOne(makePod('any'), snap, { policy: roundRobin, state: { lastNode: 'gone' } })), 'a', 'a vanished last node still orders');
  });

  it('returns the chosen node as the next state and leaves the state alone when unschedulable', () => {
    const state = Object.freeze({ lastNode: 'n1' });
    const r = scheduleOne(makePod('p'), newSnapshot(three, []), { policy: roundRobin, state });
    assert.deepEqual(r.state, { lastNode: 'n2' });
    assert.deepEqual(state, { lastNode: 'n1' });
    const u = scheduleOne(makePod('big', { cpu: '64' }), newSnapshot(three, []), { policy: roundRobin, state });
    assert.equal(u.state, state);
  });

  it('least-allocated prefers the emptier node', () => {
    const nodes = [makeNode('a', { cpu: '4', memory: '8Gi' }), makeNode('b', { cpu: '4', memory: '8Gi' }), makeNode('c', { cpu: '8', memory: '16Gi' })];
    const busy = [makePod('x', { cpu: '2', memory: '4Gi', nodeName: 'a' }), makePod('y', { cpu: '1', memory: '2Gi', nodeName: 'c' })];
    const r = scheduleOne(makePod('p', { cpu: '1', memory: '1Gi' }), newSnapshot(nodes, busy), { policy: leastAllocated, state: {} });
    assert.equal(nodeOf(r), 'b');
    // Ties rotate like round-robin, so equal nodes still share a burst.
    assert.deepEqual(burst([], [makeNode('a'), makeNode('b')], [makePod('1'), makePod('2'), makePod('3'), makePod('4')], leastAllocated), ['a', 'b', 'a', 'b']);
  });

  it('least-allocated fills the big node until it is as empty as the small ones', () => {
    const nodes = [makeNode('big', { cpu: '8', memory: '16Gi' }), makeNode('small', { cpu: '2', memory: '4Gi' })];
    const placed = burst(
      [],
      nodes,
      Array.from({ length: 4 }, (_, i) => makePod(`p${i}`, { cpu: '1', memory: '2Gi' })),
      leastAllocated,
    );
    assert.deepEqual(placed.slice(0, 3), ['big', 'big', 'big']);
  });

  it('reports each failure reason with upstream wording', () => {
    const cases: [string, Snapshot, Pod, string][] = [
      ['not ready', newSnapshot([makeNode('a', { ready: false })], []), makePod('p'), '0/1 nodes are available: 1 node(s) were not ready.'],
      ['cordoned', newSnapshot([makeNode('a', { unschedulable: true })], []), makePod('p'), '0/1 nodes are available: 1 node(s) were unschedulable.'],
      [
        'selector',
        newSnapshot([makeNode('a')], []),
        makePod('p', { nodeSelector: { disk: 'ssd' } }),
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      ],
      [
        'affinity',
        newSnapshot([makeNode('a')], []),
        makePod('p', { affinity: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] }),
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      ],
      [
        'taint',
        newSnapshot([makeNode('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })], []),
        makePod('p'),
        '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.',
      ],
      ['cpu', newSnapshot([makeNode('a', { cpu: '1' })], []), makePod('p', { cpu: '2' }), '0/1 nodes are available: 1 Insufficient cpu.'],
      ['memory', newSnapshot([makeNode('a', { memory: '1Gi' })], []), makePod('p', { memory: '2Gi' }), '0/1 nodes are available: 1 Insufficient memory.'],
      ['pods', newSnapshot([makeNode('a', { pods: '1' })], [makePod('x', { nodeName: 'a' })]), makePod('p'), '0/1 nodes are available: 1 Too many pods.'],
      ['no nodes', newSnapshot([], []), makePod('p'), NO_NODES],
    ];
    for (const [what, snap, pod, want] of cases) assert.equal(messageOf(scheduleOne(pod, snap, { policy: roundRobin, state: {} })), want, what);
  });

  it('builds the histogram message: counts per reason, sorted, first failing filter per node', () => {
    const snap = newSnapshot(
      [
        makeNode('a', { cpu: '1' }),
        makeNode('b', { cpu: '1', memory: '1Gi' }),
        makeNode('c', { labels: { other: 'x' } }),
        makeNode('d', { ready: false, cpu: '1' }), // not ready wins over insufficient cpu: the first failure counts
      ],
      [],
    );
    const pod = makePod('p', { cpu: '2', memory: '2Gi', nodeSelector: { 'kubernetes.io/os': 'linux' } });
    const r = scheduleOne(pod, snap, { policy: roundRobin, state: {} });
    assert.equal(messageOf(r), "0/4 nodes are available: 1 node(s) were not ready, 3 node(s) didn't match Pod's node affinity/selector.");
    const fitsSelector = newSnapshot(
      [
        makeNode('a', { cpu: '1', labels: { t: '1' } }),
        makeNode('b', { cpu: '1', memory: '1Gi', labels: { t: '1' } }),
        makeNode('c'),
        makeNode('d', { ready: false }),
      ],
      [],
    );
    const r2 = scheduleOne(makePod('p', { cpu: '2', memory: '2Gi', nodeSelector: { t: '1' } }), fitsSelector, { policy: roundRobin, state: {} });
    assert.equal(
      messageOf(r2),
      "0/4 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were not ready, 2 Insufficient cpu.",
    );
    if ('reasons' in r2)
      assert.deepEqual(r2.reasons, {
        'Insufficient cpu': 2,
        'Insufficient memory': 1,
        "node(s) didn't match Pod's node affinity/selector": 1,
        'node(s) were not ready': 1,
      });
  });

  it('formats the example from the brief', () => {
    assert.equal(
      fitErrorMessage(3, { 'Insufficient cpu': 2, "node(s) didn't match Pod's node affinity/selector": 1 }),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.",
    );
  });

  it('is pure: the snapshot and the pod are not touched', () => {
    const snap = newSnapshot(three, [makePod('x', { nodeName: 'n1', cpu: '1' })]);
    const pod = makePod('p', { cpu: '1' });
    const before = JSON.stringify([snap.nodes, pod]);
    scheduleOne(pod, snap, { policy: leastAllocated, state: {} });
    assert.equal(JSON.stringify([snap.nodes, pod]), before);
    assert.ok(Object.isFrozen(snap.nodes) && snap.nodes.every((n) => Object.isFrozen(n) && Object.isFrozen(n.pods)));
  });
});
