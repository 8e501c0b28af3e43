import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../api.js';
import { decide, type Plan } from './decide.js';
import { T0, deployment, replicaSet, template } from './testkit.js';
import { POD_TEMPLATE_HASH, REVISION, canonicalTemplate, fenceposts, scaledValue, templateHash } from './util.js';

const NO_PODS = new Map<string, number>();

function run(d: Deployment, rss: ReplicaSet[], opts: { now?: number; running?: Map<string, number> } = {}): Plan {
  return decide({ deployment: d, replicaSets: rss, runningPods: opts.running ?? NO_PODS, now: opts.now ?? T0 + 60_000 });
}

/** name → replicas for every create/update in the plan. */
function sizes(plan: Plan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of plan.actions) if (a.type === 'create' || a.type === 'update') out[a.rs.metadata.name ?? ''] = a.rs.spec.replicas ?? -1;
  return out;
}

function statusOf(plan: Plan): Deployment | undefined {
  const a = plan.actions.find((x) => x.type === 'status');
  return a?.type === 'status' ? a.deployment : undefined;
}

const cond = (d: Deployment | undefined, type: string) => d?.status?.conditions?.find((c) => c.type === type);

describe('fenceposts: maxSurge rounds up, maxUnavailable rounds down', () => {
  it('resolves ints and percentages as Kubernetes does', () => {
    assert.equal(scaledValue('25%', 3, true), 1);
    assert.equal(scaledValue('25%', 3, false), 0);
    assert.equal(scaledValue('50%', 5, true), 3);
    assert.equal(scaledValue('50%', 5, false), 2);
    assert.equal(scaledValue(2, 5, false), 2);
    assert.equal(scaledValue('2', 5, false), 2);
    assert.deepEqual(fenceposts(deployment({ replicas: 10 })), { surge: 3, unavailable: 2 });
  });
  it('makes maxUnavailable 1 when both would be 0 (a rollout could never move)', () => {
    const d = deployment({ replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } } });
    assert.deepEqual(fenceposts(d), { surge: 0, unavailable: 1 });
  });
});

describe('the pod-template hash', () => {
  it('ignores the hash label and the empty values Go clients send back', () => {
    const t = template('web:1');
    const echoed = { ...t, metadata: { ...t.metadata, creationTimestamp: null, labels: { app: 'web', [POD_TEMPLATE_HASH]: 'x' } }, spec: { ...t.spec, resources: {} } };
    assert.equal(canonicalTemplate(echoed), canonicalTemplate(t));
    assert.equal(templateHash(echoed), templateHash(t));
    assert.notEqual(templateHash(template('web:2')), templateHash(t));
    assert.notEqual(templateHash(t, 1), templateHash(t));
    assert.match(templateHash(t), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
});

describe('decide: RollingUpdate', () => {
  it('creates the first ReplicaSet at full size, with the hash label, revision 1 and an event', () => {
    const plan = run(deployment(), []);
    const create = plan.actions[0];
    assert.equal(create?.type, 'create');
    if (create?.type !== 'create') return;
    const hash = templateHash(template('web:1'));
    assert.equal(create.rs.metadata.name, `web-${hash}`);
    assert.equal(create.rs.spec.replicas, 3);
    assert.equal(create.rs.spec.selector.matchLabels?.[POD_TEMPLATE_HASH], hash);
    assert.equal(create.rs.spec.template.metadata?.labels?.[POD_TEMPLATE_HASH], hash);
    assert.equal(create.rs.metadata.labels?.[POD_TEMPLATE_HASH], hash);
    assert.deepEqual(create.rs.metadata.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]), [['Deployment', 'd-uid', true]]);
    assert.equal(create.rs.metadata.annotations?.[REVISION], '1');
    assert.equal(create.rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(create.rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    const d = statusOf(plan);
    assert.equal(d?.metadata.annotations?.[REVISION], '1');
    assert.equal(cond(d, 'Progressing')?.reason, 'NewReplicaSetCreated');
    assert.equal(cond(d, 'Available')?.status, 'False');
    assert.deepEqual(plan.events, [{ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set web-${hash} to 3` }]);
  });

  it('gives its ReplicaSets minReadySeconds, so availability (and so each step) waits for it', () => {
    const created = run(deployment({ minReadySeconds: 10 }), []).actions[0];
    assert.equal(created?.type === 'create' && created.rs.spec.minReadySeconds, 10);
    const d = deployment({ minReadySeconds: 5 });
    const rs = replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 });
    const updated = run(d, [rs]).actions.find((a) => a.type === 'update');
    assert.equal(updated?.type === 'update' && updated.rs.spec.minReadySeconds, 5);
  });

  it('copies the Deployment annotations (change-cause) but not last-applied onto the new ReplicaSet', () => {
    const plan = run(deployment({ annotations: { 'kubernetes.io/change-cause': 'v1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }), []);
    const a = plan.actions[0];
    assert.equal(a?.type === 'create' && a.rs.metadata.annotations?.['kubernetes.io/change-cause'], 'v1');
    assert.equal(a?.type === 'create' && a.rs.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
  });

  it('rolls step by step: surge one new pod, then drop one old pod per newly available pod', () => {
    const d = deployment({ image: 'web:2', generation: 2 });
    const old = replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 });
    // Step 1: a new ReplicaSet with maxSurge (1) pod; nothing old may go (maxUnavailable is 0 of 3).
    let plan = run(d, [old]);
    const created = plan.actions.find((a) => a.type === 'create');
    assert.equal(created?.type === 'create' && created.rs.spec.replicas, 1);
    assert.equal(created?.type === 'create' && created.rs.metadata.annotations?.[REVISION], '2');
    assert.deepEqual(Object.values(sizes(plan)), [1]);
    // Step 2: the new pod is available: one old one may go.
    const fresh = replicaSet(d, { image: 'web:2', replicas: 1, revision: 2 });
    plan = run(d, [old, fresh]);
    assert.deepEqual(sizes(plan), { [old.metadata.name ?? '']: 2 });
    assert.match(plan.events[0]?.message ?? '', /^Scaled down replica set web-\w+ to 2 from 3$/);
    // Step 3: the old one shrank: the new one grows to 2.
    plan = run(d, [{ ...old, spec: { ...old.spec, replicas: 2 }, status: { ...old.status, replicas: 2, availableReplicas: 2, readyReplicas: 2 } }, fresh]);
    assert.deepEqual(sizes(plan), { [fresh.metadata.name ?? '']: 2 });
    assert.match(plan.events[0]?.message ?? '', /^Scaled up replica set web-\w+ to 2 from 1$/);
  });

  it('does not scale old pods down while new ones are not available, but removes unavailable old pods first', () => {
    const d = deployment({ image: 'web:2', replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } });
    const old = replicaSet(d, { image: 'web:1', replicas: 4, available: 3, revision: 1 });
    const fresh = replicaSet(d, { image: 'web:2', replicas: 1, available: 0, revision: 2 });
    // 5 pods, 3 available, minAvailable 3: only the unavailable old pod may go.
    const plan = run(d, [old, fresh]);
    assert.deepEqual(sizes(plan), { [old.metadata.name ?? '']: 3 });
  });

  it('completes: Progressing NewReplicaSetAvailable, Available True, and old ReplicaSets beyond the history limit deleted', () => {
    const d = deployment({ image: 'web:4', generation: 4, revisionHistoryLimit: 1, status: { observedGeneration: 4, replicas: 3, updatedReplicas: 3, availableReplicas: 3 } });
    const rss = [
      replicaSet(d, { image: 'web:1', replicas: 0, revision: 1 }),
      replicaSet(d, { image: 'web:2', replicas: 0, revision: 2 }),
      replicaSet(d, { image: 'web:3', replicas: 0, revision: 3 }),
      replicaSet(d, { image: 'web:4', replicas: 3, revision: 4 }),
    ];
    const plan = run(d, rss);
    const deleted = plan.actions.filter((a) => a.type === 'delete').map((a) => (a.type === 'delete' ? a.rs.metadata.uid : ''));
    assert.deepEqual(deleted, ['rs-web:1', 'rs-web:2']);
    const s = statusOf(plan);
    assert.equal(cond(s, 'Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.deepEqual(
      { ...s?.status, conditions: undefined },
      { observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, conditions: undefined },
    );
  });

  it('rolls back to an old template by reusing its ReplicaSet, which gets the next revision', () => {
    const d = deployment({ image: 'web:1', generation: 3 });
    const v1 = replicaSet(d, { image: 'web:1', replicas: 0, revision: 1 });
    const v2 = replicaSet(d, { image: 'web:2', replicas: 3, revision: 2 });
    const plan = run(d, [v1, v2]);
    assert.equal(plan.actions.some((a) => a.type === 'create'), false);
    const up = plan.actions.find((a) => a.type === 'update' && a.rs.metadata.uid === 'rs-web:1');
    assert.equal(up?.type === 'update' && up.rs.metadata.annotations?.[REVISION], '3');
    assert.equal(up?.type === 'update' && up.rs.spec.replicas, 1);
    assert.equal(statusOf(plan)?.metadata.annotations?.[REVISION], '3');
  });

  it('marks ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds, and asks to be woken before that', () => {
    const since = new Date(T0).toISOString().replace('.000Z', 'Z');
    const progressing = { type: 'Progressing', status: 'True' as const, reason: 'ReplicaSetUpdated', lastUpdateTime: since, lastTransitionTime: since };
    const status = { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [progressing] };
    const d = deployment({ image: 'web:2', generation: 2, progressDeadlineSeconds: 30, status });
    const rss = [replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 }), replicaSet(d, { image: 'web:2', replicas: 1, available: 0, revision: 2 })];
    const early = run(d, rss, { now: T0 + 10_000 });
    assert.equal(statusOf(early)?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason ?? 'ReplicaSetUpdated', 'ReplicaSetUpdated');
    assert.equal(early.requeueAfterMs, 21_000);
    const late = run(d, rss, { now: T0 + 31_000 });
    const c = cond(statusOf(late), 'Progressing');
    assert.deepEqual([c?.status, c?.reason], ['False', 'ProgressDeadlineExceeded']);
    assert.equal(late.requeueAfterMs, undefined);
  });
});

describe('decide: Recreate', () => {
  const recreate = { type: 'Recreate' as const };
  it('scales every old ReplicaSet to 0, waits for their pods to be gone, then creates the new one at full size', () => {
    const d = deployment({ image: 'web:2', strategy: recreate });
    const old = replicaSet(d, { image: 'web:1', replicas: 3, revision: 1 });
    let plan = run(d, [old]);
    assert.deepEqual(sizes(plan), { [old.metadata.name ?? '']: 0 });
    const down = { ...old, spec: { ...old.spec, replicas: 0 }, status: { replicas: 0, availableReplicas: 0, readyReplicas: 0, observedGeneration: 1 } };
    plan = run(d, [down], { running: new Map([['rs-web:1', 1]]) });
    assert.deepEqual(sizes(plan), {}, 'a terminating old pod still runs: wait');
    plan = run(d, [down]);
    const created = plan.actions.find((a) => a.type === 'create');
    assert.equal(created?.type === 'create' && created.rs.spec.replicas, 3);
  });
});

describe('decide: pause and scaling', () => {
  it('rolls nothing out while paused, but scales, and says DeploymentPaused', () => {
    const d = deployment({ image: 'web:2', paused: true, replicas: 5 });
    const old = replicaSet(deployment({ replicas: 3 }), { image: 'web:1', replicas: 3, revision: 1 });
    const plan = run(d, [old]);
    assert.equal(plan.actions.some((a) => a.type === 'create'), false);
    assert.deepEqual(sizes(plan), { [old.metadata.name ?? '']: 5 });
    assert.equal(cond(statusOf(plan), 'Progressing')?.reason, 'DeploymentPaused');
  });

  it('scales proportionally mid-rollout, leftovers to the largest ReplicaSet', () => {
    const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    const before = deployment({ replicas: 10, strategy });
    const old = replicaSet(before, { image: 'web:1', replicas: 8, revision: 1 });
    const fresh = replicaSet(before, { image: 'web:2', replicas: 5, available: 0, revision: 2 });
    const d = deployment({ image: 'web:2', replicas: 20, strategy, generation: 3 });
    const plan = run(d, [old, fresh]);
    assert.deepEqual(sizes(plan), { [old.metadata.name ?? '']: 14, [fresh.metadata.name ?? '']: 9 });
    const after = plan.actions.find((a) => a.type === 'update');
    assert.equal(after?.type === 'update' && after.rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '23');
  });
});
