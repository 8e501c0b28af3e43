// Properties of scheduleOne over random clusters: a chosen node passes every filter, "unschedulable" means no node
// does, and a burst decided against a cache that lags behind (bindings only assumed) never overcommits a node.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeClock } from '../util/clock.js';
import { AssumedPods } from './assume.js';
import { isSuccess, newSnapshot, podRequests, resourcesOf } from './framework.js';
import { FILTER_PLUGINS, POLICIES, type PolicyName } from './registry.js';
import { scheduleOne, type ScheduleState } from './schedule.js';
import { makeNode, makePod } from './testing.js';
import type { Node, Pod, Taint, Toleration } from './types.js';

const TAINTS: Taint[] = [
  { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
  { key: 'maint', effect: 'NoExecute' },
  { key: 'soft', effect: 'PreferNoSchedule' },
];
const TOLERATIONS: Toleration[] = [{ key: 'dedicated', operator: 'Equal', value: 'db' }, { key: 'maint', operator: 'Exists' }, { operator: 'Exists' }];

const nodeArb = fc.record({
  cpu: fc.integer({ min: 0, max: 4000 }),
  memMi: fc.integer({ min: 0, max: 4096 }),
  pods: fc.integer({ min: 0, max: 8 }),
  zone: fc.constantFrom('a', 'b', undefined),
  ready: fc.constantFrom(true, true, true, false, 'missing' as const),
  unschedulable: fc.boolean(),
  taints: fc.subarray(TAINTS),
});

const podArb = fc.record({
  cpu: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  memMi: fc.option(fc.integer({ min: 0, max: 1024 }), { nil: undefined }),
  containers: fc.integer({ min: 1, max: 3 }),
  zone: fc.constantFrom('a', 'b', undefined),
  notZone: fc.constantFrom('a', 'b', undefined),
  tolerations: fc.subarray(TOLERATIONS),
});

type NodeSpec = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;
type PodSpec = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function toNode(spec: NodeSpec, i: number): Node {
  return makeNode(`n${i}`, {
    cpu: `${spec.cpu}m`,
    memory: `${spec.memMi}Mi`,
    pods: String(spec.pods),
    ...(spec.zone ? { labels: { zone: spec.zone } } : {}),
    ready: spec.ready,
    unschedulable: spec.unschedulable,
    taints: spec.taints,
  });
}

function toPod(spec: PodSpec, name: string): Pod {
  return makePod(name, {
    ...(spec.cpu !== undefined ? { cpu: `${spec.cpu}m` } : {}),
    ...(spec.memMi !== undefined ? { memory: `${spec.memMi}Mi` } : {}),
    containers: spec.containers,
    ...(spec.zone ? { nodeSelector: { zone: spec.zone } } : {}),
    ...(spec.notZone ? { affinity: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: [spec.notZone] }] }] } : {}),
    tolerations: spec.tolerations,
  });
}

describe('scheduleOne properties', () => {
  it('a chosen node passes every filter; unschedulable means none does; round-robin picks the next feasible', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { maxLength: 6 }),
        fc.array(fc.tuple(podArb, fc.nat()), { maxLength: 6 }),
        podArb,
        fc.option(fc.nat(7), { nil: undefined }),
        fc.constantFrom<PolicyName>('round-robin', 'least-allocated'),
        (nodeSpecs, boundSpecs, podSpec, last, policy) => {
          const nodes = nodeSpecs.map(toNode);
          const bound = boundSpecs.map(([s, at], i) => ({
            ...toPod(s, `b${i}`),
            spec: { ...toPod(s, `b${i}`).spec, nodeName: `n${at % Math.max(1, nodes.length)}` },
          }));
          const snap = newSnapshot(nodes, bound);
          const pod = toPod(podSpec, 'p');
          const state: ScheduleState = last === undefined ? {} : { lastNode: `n${last}` };
          const feasible = snap.nodes.filter((n) => FILTER_PLUGINS.every((f) => isSuccess(f.filter(pod, n, snap)))).map((n) => n.name);
          const r = scheduleOne(pod, snap, { policy: POLICIES[policy], state });
          if ('unschedulable' in r) {
            assert.deepEqual(feasible, []);
            const counted = Object.values(r.reasons).reduce((a, b) => a + b, 0);
            assert.ok(counted >= snap.nodes.length, 'every node contributes at least one reason');
            return;
          }
          assert.ok(feasible.includes(r.node), `${r.node} must pass every filter (feasible: ${feasible.join(',')})`);
          if (policy === 'round-robin') {
            const want = feasible.find((n) => state.lastNode !== undefined && n > state.lastNode) ?? feasible[0];
            assert.equal(r.node, want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a burst scheduled against a lagging cache with assumptions never overcommits a node', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 5 }),
        fc.array(podArb, { minLength: 1, maxLength: 25 }),
        fc.constantFrom<PolicyName>('round-robin', 'least-allocated'),
        (nodeSpecs, podSpecs, policy) => {
          const nodes = nodeSpecs.map(toNode);
          // The informer never catches up during the burst: every pod stays unbound in the cache.
          const cache = podSpecs.map((s, i) => Object.freeze(toPod(s, `p${i}`)));
          const assumed = new AssumedPods({ clock: new FakeClock() });
          // An independent ledger of what each node really holds, to check against.
          const ledger = new Map(nodes.map((n) => [n.metadata.name ?? '', { cpu: 0, memory: 0, pods: 0 }]));
          let state: ScheduleState = {};
          for (const pod of cache) {
            const r = scheduleOne(pod, newSnapshot(nodes, assumed.overlay(cache)), { policy: POLICIES[policy], state });
            state = r.state;
            if ('unschedulable' in r) continue;
            assumed.assume(pod, r.node);
            const want = podRequests(pod);
            const used = ledger.get(r.node)!;
            const node = nodes.find((n) => n.metadata.name === r.node)!;
            const have = resourcesOf(node.status?.allocatable);
            used.pods += 1;
            used.cpu += want.milliCPU;
            used.memory += want.memory;
            assert.ok(used.pods <= have.pods, `${r.node}: ${used.pods} pods > ${have.pods}`);
            if (want.milliCPU > 0) assert.ok(used.cpu <= have.milliCPU, `${r.node}: cpu ${used.cpu}m > ${have.milliCPU}m`);
            if (want.memory > 0) assert.ok(used.memory <= have.memory, `${r.node}: memory ${used.memory} > ${have.memory}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
