// The Job controller (batch/v1): runs a Job's pods to `completions` successes, `parallelism` at a time, and
// finishes it Complete, or Failed past `backoffLimit` or `activeDeadlineSeconds`; deletes it
// `ttlSecondsAfterFinished` after. Handlers only enqueue Job keys; sync(key) decides with decide.ts.

import { isApiError } from '../../api/errors.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { EventRecorder } from '../../client/events.js';
import { Expectations } from '../../machinery/expectations.js';
import type { InformerEvent, SharedInformer } from '../../machinery/informer.js';
import { byOwnerUid, objectKey } from '../../machinery/store.js';
import { isDeepStrictEqual } from 'node:util';
import { controllerRef, newControllerRef, type Job, type Pod } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { decideJob } from './decide.js';

const JOBS = lookupResource('batch', 'v1', 'jobs') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const OWNER_INDEX = 'ownerUid';

export interface JobControllerHooks {
  enqueue(key: string): void;
  enqueueAfter(key: string, ms: number): void;
}

export class JobController {
  readonly jobs: SharedInformer<Job>;
  readonly pods: SharedInformer<Pod>;
  readonly expectations: Expectations;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly hooks: JobControllerHooks,
  ) {
    this.jobs = ctx.informers.informerFor<Job>('jobs.batch');
    this.pods = ctx.informers.informerFor<Pod>('pods');
    this.pods.addIndexers({ [OWNER_INDEX]: byOwnerUid });
    this.expectations = new Expectations({ clock: ctx.clock });
    this.recorder = ctx.recorder('job-controller');
  }

  /** Register the handlers (they only enqueue and count expectations). */
  watch(): void {
    this.jobs.addHandler((e) => {
      if (e.type === 'delete') this.expectations.delete(objectKey(e.next));
      else this.hooks.enqueue(objectKey(e.next));
    });
    this.pods.addHandler((e) => this.onPod(e));
  }

  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'Job' || !ref.apiVersion.startsWith('batch/')) return undefined;
    return `${pod.metadata.namespace ?? ''}/${ref.name}`;
  }

  private onPod(e: InformerEvent<Pod>): void {
    const key = this.ownerKey(e.next);
    if (!key) return;
    if (e.type === 'add') {
      this.expectations.creationObserved(key);
      if (e.next.metadata.deletionTimestamp) this.expectations.deletionObserved(key);
    } else if (e.type === 'update') {
      if (!e.prev.metadata.deletionTimestamp && e.next.metadata.deletionTimestamp) this.expectations.deletionObserved(key);
    } else if (!e.prev.metadata.deletionTimestamp) this.expectations.deletionObserved(key);
    this.hooks.enqueue(key);
  }

  /** The pods `job` controls (by controller reference uid), terminating ones included. */
  podsOf(job: Job): Pod[] {
    const uid = job.metadata.uid ?? '';
    return this.pods.store.byIndex(OWNER_INDEX, uid).filter((p) => controllerRef(p)?.uid === uid);
  }

  async sync(key: string): Promise<void> {
    const job = this.jobs.store.get(key);
    if (!job) {
      this.expectations.delete(key);
      return;
    }
    if (job.metadata.deletionTimestamp) return;
    if (!this.expectations.satisfied(key)) return; // the pod events still on their way re-enqueue the key
    const now = this.ctx.clock.now();
    const plan = decideJob(job, this.podsOf(job), now);
    const ns = job.metadata.namespace ?? 'default';
    if (plan.expired) {
      await this.deleteJob(job);
      return;
    }
    await this.removePods(key, job, plan.remove);
    if (plan.create > 0) await this.createPods(key, job, plan.create);
    if (!isDeepStrictEqual(plan.status, job.status ?? {})) {
      await this.ctx.client
        .resource<Job>(JOBS)
        .update({ ...job, metadata: { ...job.metadata, namespace: ns }, status: plan.status }, { subresource: 'status' });
    }
    if (plan.finish) {
      if (plan.finish.type === 'Complete') this.recorder.event(job, 'Normal', 'Completed', plan.finish.message);
      else this.recorder.event(job, 'Warning', plan.finish.reason, plan.finish.message);
    }
    if (plan.requeueAfterMs !== undefined) this.hooks.enqueueAfter(key, Math.max(1, plan.requeueAfterMs));
  }

  private async createPods(key: string, job: Job, n: number): Promise<void> {
    const ns = job.metadata.namespace ?? 'default';
    const tmpl = job.spec.template;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...(tmpl.metadata?.labels ? { labels: { ...tmpl.metadata.labels } } : {}),
        ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
        generateName: `${job.metadata.name ?? 'job'}-`,
        namespace: ns,
        ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
      },
      spec: structuredClone(tmpl.spec),
    };
    this.expectations.expectCreations(key, n);
    const results = await Promise.allSettled(Array.from({ length: n }, () => this.ctx.client.resource<Pod>(PODS).create(pod)));
    let firstError: Error | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
      else {
        this.expectations.creationObserved(key); // never coming
        firstError ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
        this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private async removePods(key: string, job: Job, pods: Pod[]): Promise<void> {
    if (pods.length === 0) return;
    this.expectations.expectDeletions(key, pods.length);
    const results = await Promise.allSettled(
      pods.map((p) =>
        this.ctx.client.resource(PODS).delete(p.metadata.name ?? '', { namespace: p.metadata.namespace, preconditions: { uid: p.metadata.uid ?? '' } }),
      ),
    );
    let firstError: Error | undefined;
    results.forEach((r, i) => {
      const name = pods[i]?.metadata.name ?? '';
      if (r.status === 'fulfilled') this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      else {
        this.expectations.deletionObserved(key);
        if (!isApiError(r.reason, 'NotFound')) firstError ??= r.reason instanceof Error ? r.reason : new Error(String(r.reason));
      }
    });
    if (firstError !== undefined) throw firstError;
  }

  private async deleteJob(job: Job): Promise<void> {
    try {
      await this.ctx.client.resource(JOBS).delete(job.metadata.name ?? '', {
        namespace: job.metadata.namespace,
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid ?? '' },
      });
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }
}

/** The `job` entry of the controller registry. */
export function startJobController(ctx: ControllerContext): RunningController {
  const hooks: JobControllerHooks = { enqueue: () => undefined, enqueueAfter: () => undefined };
  const controller = new JobController(ctx, hooks);
  const loop = startLoop(ctx, {
    name: 'job',
    sync: (key) => controller.sync(key),
    waitFor: [controller.jobs, controller.pods],
  });
  hooks.enqueue = (key) => loop.enqueue(key);
  hooks.enqueueAfter = (key, ms) => loop.enqueueAfter(key, ms);
  controller.watch();
  return loop;
}
