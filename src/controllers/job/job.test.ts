import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controllers.js';
import type { Job, Pod } from '../api.js';
import { JobController } from './controller.js';
import { BACKOFF_BASE_MS, decideJob } from './decide.js';

const JOBS = lookupResource('batch', 'v1', 'jobs') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NAMESPACES = lookupResource('', 'v1', 'namespaces') as ResourceType;
const NS = `jobtest-${process.pid}`;

function jobSpec(name: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } }, ...spec },
  };
}

describe('decideJob (pure)', () => {
  const job = (spec: Partial<Job['spec']>, status: Job['status'] = {}): Job => ({
    ...jobSpec('j', spec),
    metadata: { name: 'j', namespace: NS, uid: 'u' },
    status,
  });
  const pod = (phase: NonNullable<Pod['status']>['phase'], extra: Partial<NonNullable<Pod['status']>> = {}): Pod => ({
    metadata: { name: `p-${Math.random()}`, namespace: NS, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { nodeName: 'n1' },
    status: { phase, ...extra },
  });

  it('runs min(parallelism, completions - succeeded) pods', () => {
    assert.equal(decideJob(job({ completions: 5, parallelism: 2 }), [], 0).create, 2);
    assert.equal(decideJob(job({ completions: 5, parallelism: 2 }), [pod('Succeeded'), pod('Succeeded'), pod('Succeeded'), pod('Succeeded')], 0).create, 1);
    // A work queue (no completions): the first success stops new pods; done when none is left running.
    assert.equal(decideJob(job({ parallelism: 3 }), [pod('Succeeded'), pod('Running')], 0).create, 0);
    assert.equal(decideJob(job({ parallelism: 3 }), [pod('Succeeded')], 0).finish?.type, 'Complete');
  });

  it('fails past backoffLimit, counting container restarts under OnFailure', () => {
    assert.equal(decideJob(job({ backoffLimit: 1 }), [pod('Failed')], 0).finish, undefined);
    assert.equal(decideJob(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], 0).finish?.reason, 'BackoffLimitExceeded');
    const onFailure = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } });
    const restarting = pod('Running', { containerStatuses: [{ name: 'c', ready: false, restartCount: 2 }] });
    assert.equal(decideJob(onFailure, [restarting], 0).finish?.reason, 'BackoffLimitExceeded');
    assert.equal(decideJob(onFailure, [pod('Running', { containerStatuses: [{ name: 'c', ready: false, restartCount: 1 }] })], 0).finish, undefined);
  });

  it('backs off 10 s, 20 s ... after failures before creating again', () => {
    const t0 = Date.parse('2026-01-01T00:00:10Z');
    const failed = (): Pod =>
      pod('Failed', { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { finishedAt: '2026-01-01T00:00:10Z' } } }] });
    const one = decideJob(job({ backoffLimit: 6 }), [failed()], t0 + 1000);
    assert.equal(one.create, 0);
    assert.equal(one.requeueAfterMs, BACKOFF_BASE_MS - 1000);
    assert.equal(decideJob(job({ backoffLimit: 6 }), [failed()], t0 + BACKOFF_BASE_MS).create, 1);
    assert.equal(decideJob(job({ backoffLimit: 6 }), [failed(), failed()], t0 + BACKOFF_BASE_MS).create, 0);
  });
});

describe('JobController.sync', () => {
  let h: ControllerHarness;
  let c: JobController;
  const requeued: { key: string; ms: number }[] = [];

  before(async () => {
    h = await startControllerHarness();
    await h.server.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    c = new JobController(h.ctx, { enqueue: () => undefined, enqueueAfter: (key, ms) => requeued.push({ key, ms }) });
    c.watch();
    await h.startInformers();
  });
  after(async () => {
    await h.stop();
  });

  const jobs = () => h.server.client.resource<Job>(JOBS);
  const pods = () => h.server.client.resource<Pod>(PODS);
  async function create(name: string, spec: Partial<Job['spec']> = {}): Promise<Job> {
    const job = await jobs().create(jobSpec(name, spec));
    await h.cached(c.jobs, `${NS}/${name}`);
    return job;
  }
  async function ownedPods(job: Job, n: number): Promise<Pod[]> {
    await h.cached(c.jobs, `${NS}/${job.metadata.name ?? ''}`, () => c.podsOf(job).length === n);
    return c.podsOf(job);
  }
  async function setPhase(pod: Pod, phase: NonNullable<Pod['status']>['phase'], extra: Partial<NonNullable<Pod['status']>> = {}): Promise<void> {
    const fresh = await pods().get(pod.metadata.name ?? '', { namespace: NS });
    const next = await pods().update({ ...fresh, status: { ...fresh.status, phase, ...extra } }, { subresource: 'status' });
    await h.cached(c.pods, `${NS}/${pod.metadata.name ?? ''}`, (p) => p?.metadata.resourceVersion === next.metadata.resourceVersion);
  }
  async function synced(job: Job): Promise<Job> {
    const key = `${NS}/${job.metadata.name ?? ''}`;
    await c.sync(key);
    const fresh = await jobs().get(job.metadata.name ?? '', { namespace: NS });
    await h.cached(c.jobs, key, (j) => j?.metadata.resourceVersion === fresh.metadata.resourceVersion);
    return fresh;
  }

  it('the API server defaults the selector and the pod template labels from the uid', async () => {
    const job = await create('defaults');
    const uid = job.metadata.uid ?? '';
    assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    assert.equal(job.spec.template.metadata?.labels?.['batch.kubernetes.io/job-name'], 'defaults');
    assert.equal(job.spec.template.metadata?.labels?.['controller-uid'], uid);
    assert.equal(job.spec.completions, 1);
    assert.equal(job.spec.backoffLimit, 6);
  });

  it('creates parallelism pods owned by the Job, waits on expectations, then completes', async () => {
    let job = await create('three', { completions: 3, parallelism: 2 });
    const key = `${NS}/three`;
    await c.sync(key);
    await h.cached(c.jobs, key, (j) => j?.status?.startTime !== undefined);
    await c.sync(key); // the cache may not hold the new pods yet: expectations keep this one from creating more
    let owned = await ownedPods(job, 2);
    assert.equal(c.expectations.satisfied(key), true);
    const listed = await pods().list({ namespace: NS, labelSelector: 'batch.kubernetes.io/job-name=three' });
    assert.equal(listed.items.length, 2, 'exactly parallelism pods');
    for (const p of owned) {
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, job.metadata.uid);
      assert.equal(p.metadata.ownerReferences?.[0]?.controller, true);
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'three');
      assert.match(p.metadata.name ?? '', /^three-/);
    }
    job = await synced(job);
    assert.equal(job.status?.active, 2);
    assert.ok(job.status?.startTime, 'startTime is set');
    // One succeeds: one more pod, never more than parallelism running.
    await setPhase(owned[0] as Pod, 'Succeeded');
    job = await synced(job);
    owned = await ownedPods(job, 3);
    job = await synced(job);
    assert.deepEqual([job.status?.active, job.status?.succeeded], [2, 1]);
    for (const p of owned.filter((p) => p.status?.phase !== 'Succeeded')) await setPhase(p, 'Succeeded');
    job = await synced(job);
    assert.equal(job.status?.succeeded, 3);
    assert.equal(job.status?.active, 0);
    const complete = job.status?.conditions?.find((x) => x.type === 'Complete');
    assert.equal(complete?.status, 'True');
    assert.ok(job.status?.completionTime);
    await c.sync(key); // finished: nothing more is created
    assert.equal(c.podsOf(job).length, 3);
  });

  it('fails with BackoffLimitExceeded and deletes the running pods', async () => {
    let job = await create('failing', { completions: 2, parallelism: 2, backoffLimit: 1 });
    await c.sync(`${NS}/failing`);
    const owned = await ownedPods(job, 2);
    const finished = {
      containerStatuses: [
        { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: new Date(h.clock.now()).toISOString() } } },
      ],
    };
    await setPhase(owned[0] as Pod, 'Failed', finished);
    job = await synced(job);
    assert.equal(job.status?.failed, 1);
    assert.equal(job.status?.conditions, undefined, 'one failure is within backoffLimit 1');
    const wait = requeued.filter((r) => r.key === `${NS}/failing`).pop();
    assert.ok(wait && wait.ms <= BACKOFF_BASE_MS, `requeued for the back-off, saw ${JSON.stringify(wait)}`);
    await setPhase(owned[1] as Pod, 'Running');
    const extra = await pods().create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'failing-extra', namespace: NS, ownerReferences: owned[0]?.metadata.ownerReferences ?? [] },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await ownedPods(job, 3);
    await setPhase(extra, 'Failed', finished);
    job = await synced(job);
    const failed = job.status?.conditions?.find((x) => x.type === 'Failed');
    assert.equal(failed?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.failed, 2);
    await h.cached(c.pods, `${NS}/${owned[1]?.metadata.name ?? ''}`, (p) => p === undefined || p.metadata.deletionTimestamp !== undefined);
  });

  it('fails with DeadlineExceeded once activeDeadlineSeconds have passed', async () => {
    let job = await create('deadline', { activeDeadlineSeconds: 30 });
    job = await synced(job);
    assert.equal(job.status?.active, 0);
    await ownedPods(job, 1);
    assert.ok(
      requeued.some((r) => r.key === `${NS}/deadline` && r.ms > 29_000 && r.ms <= 30_000),
      'requeued for the deadline',
    );
    h.clock.advance(30_000);
    job = await synced(job);
    assert.equal(job.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'DeadlineExceeded');
  });

  it('deletes a finished Job ttlSecondsAfterFinished later', async () => {
    let job = await create('ttl', { ttlSecondsAfterFinished: 5 });
    await c.sync(`${NS}/ttl`);
    const [p] = await ownedPods(job, 1);
    await setPhase(p as Pod, 'Succeeded');
    job = await synced(job);
    assert.equal(job.status?.conditions?.[0]?.type, 'Complete');
    await c.sync(`${NS}/ttl`);
    assert.ok(
      requeued.some((r) => r.key === `${NS}/ttl` && r.ms > 0 && r.ms <= 5000),
      'requeued for the TTL',
    );
    h.clock.advance(6000);
    await c.sync(`${NS}/ttl`);
    await h.cached(c.jobs, `${NS}/ttl`, (j) => j === undefined || j.metadata.deletionTimestamp !== undefined);
  });
});
