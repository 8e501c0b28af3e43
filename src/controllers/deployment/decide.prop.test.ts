// Property: during a rolling update the Deployment never has fewer than replicas - maxUnavailable ready pods,
// whatever the order of events: decide() drives simulated ReplicaSets, a simulated ReplicaSet controller creates
// and deletes their pods (unready ones first, as the real one does) and reports their status late, and pods
// become ready after arbitrary delays. A second template change may arrive mid-rollout. Afterwards, with every
// pod allowed to become ready, the rollout completes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Deployment, ReplicaSet } from '../api.js';
import { decide } from './decide.js';
import { T0, deployment, replicaSet, template } from './testkit.js';
import { maxUnavailable, specReplicas } from './util.js';

interface SimPod {
  ready: boolean;
}

class Cluster {
  d: Deployment;
  rss: ReplicaSet[];
  readonly pods = new Map<string, SimPod[]>();
  private seq = 0;
  now = T0 + 1000;

  constructor(d: Deployment, initial: ReplicaSet) {
    this.d = d;
    this.rss = [initial];
    this.pods.set(initial.metadata.uid ?? '', Array.from({ length: specReplicas(initial) }, () => ({ ready: true })));
  }

  readyPods(): number {
    let n = 0;
    for (const rs of this.rss) n += (this.pods.get(rs.metadata.uid ?? '') ?? []).filter((p) => p.ready).length;
    return n;
  }

  syncDeployment(): void {
    this.now += 1000;
    const plan = decide({ deployment: this.d, replicaSets: this.rss, runningPods: new Map(), now: this.now });
    for (const a of plan.actions) {
      if (a.type === 'create') {
        const uid = `uid-${++this.seq}`;
        const rs = structuredClone(a.rs);
        rs.metadata = { ...rs.metadata, uid, creationTimestamp: new Date(this.now).toISOString(), generation: 1 };
        rs.status = { replicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0 };
        this.rss.push(rs);
        this.pods.set(uid, []);
      } else if (a.type === 'update') {
        this.rss = this.rss.map((rs) => (rs.metadata.uid === a.rs.metadata.uid ? { ...rs, metadata: a.rs.metadata, spec: a.rs.spec } : rs));
      } else if (a.type === 'delete') {
        this.rss = this.rss.filter((rs) => rs.metadata.uid !== a.rs.metadata.uid);
      } else this.d = { ...this.d, metadata: a.deployment.metadata, status: a.deployment.status ?? {} };
    }
  }

  /** The ReplicaSet controller for one ReplicaSet: pods to spec (deleting unready pods first), then its status. */
  syncReplicaSet(i: number): void {
    const rs = this.rss[i % Math.max(1, this.rss.length)];
    if (!rs) return;
    const uid = rs.metadata.uid ?? '';
    let pods = this.pods.get(uid) ?? [];
    const want = specReplicas(rs);
    if (pods.length < want) pods = [...pods, ...Array.from({ length: want - pods.length }, () => ({ ready: false }))];
    if (pods.length > want) pods = [...pods].sort((a, b) => Number(a.ready) - Number(b.ready)).slice(pods.length - want);
    this.pods.set(uid, pods);
    const ready = pods.filter((p) => p.ready).length;
    rs.status = { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 };
  }

  podReady(i: number): void {
    const unready = this.rss.flatMap((rs) => (this.pods.get(rs.metadata.uid ?? '') ?? []).filter((p) => !p.ready));
    const p = unready[i % Math.max(1, unready.length)];
    if (p) p.ready = true;
  }

  complete(): boolean {
    const s = this.d.status ?? {};
    return s.availableReplicas === this.d.spec.replicas && s.replicas === s.updatedReplicas && this.rss.filter((rs) => specReplicas(rs) > 0).length === 1;
  }

  changeImage(image: string): void {
    this.d = { ...this.d, metadata: { ...this.d.metadata, generation: (this.d.metadata.generation ?? 1) + 1 }, spec: { ...this.d.spec, template: template(image) } };
  }
}

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`));

describe('decide (property): rolling updates', () => {
  it('never leave fewer than replicas - maxUnavailable ready pods, and always complete', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        intOrPercent,
        intOrPercent,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()), { minLength: 1, maxLength: 300 }),
        fc.option(fc.nat({ max: 300 }), { nil: undefined }),
        (replicas, surge, unavailable, steps, rolloverAt) => {
          const before = deployment({ replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });
          const old = replicaSet(before, { image: 'web:1', replicas, revision: 1 });
          const c = new Cluster(before, old);
          c.syncDeployment(); // sees its ReplicaSet, records revision 1
          c.changeImage('web:2');
          const floor = replicas - maxUnavailable(c.d);
          const check = (when: string): void => assert.ok(c.readyPods() >= floor, `${when}: ${c.readyPods()} ready pods < ${floor} (replicas ${replicas}, surge ${String(surge)}, unavailable ${String(unavailable)})`);
          steps.forEach(([kind, n], i) => {
            if (i === rolloverAt) c.changeImage('web:3');
            if (kind === 0) c.syncDeployment();
            else if (kind === 1) c.syncReplicaSet(n);
            else c.podReady(n);
            check(`step ${i}`);
          });
          for (let round = 0; round < 100 && !c.complete(); round++) {
            c.syncDeployment();
            for (let i = 0; i < c.rss.length; i++) c.syncReplicaSet(i);
            check(`settling round ${round}`);
            for (let i = 0; i < 100; i++) c.podReady(0);
            for (let i = 0; i < c.rss.length; i++) c.syncReplicaSet(i);
            check(`settling round ${round}`);
          }
          const s = c.d.status ?? {};
          assert.deepEqual([s.replicas, s.updatedReplicas, s.availableReplicas], [replicas, replicas, replicas], JSON.stringify(s));
          assert.equal(c.d.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
          const live = c.rss.filter((rs) => specReplicas(rs) > 0);
          assert.equal(live.length, 1);
          assert.equal(live[0]?.spec.template.spec['containers'] !== undefined, true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
