// The Job controller's decisions, as a pure function of the Job, its pods and the time: the status to report,
// how many pods to create or which to delete, whether the Job has just finished, and when to look again.

import type { Condition, Job, Pod } from '../api.js';
import { isPodReady } from '../api.js';

/** Kubernetes' pod-failure back-off: 10 s after the first failure, doubling, at most 6 minutes. */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 6 * 60_000;

export type JobStatus = NonNullable<Job['status']>;

export interface JobFinish {
  type: 'Complete' | 'Failed';
  reason: string;
  message: string;
}

export interface JobPlan {
  /** The status the Job should report (conditions included). */
  status: JobStatus;
  /** Set when this sync finishes the Job (its condition is in `status`). */
  finish?: JobFinish;
  /** New pods to create now. */
  create: number;
  /** Pods to delete now (extra active pods, or every active pod of a finished Job). */
  remove: Pod[];
  /** Look again after this long (deadline, back-off, TTL), if anything is pending on time. */
  requeueAfterMs?: number;
  /** The TTL after finishing has run out: delete the Job. */
  expired?: boolean;
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function condition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** The time a Job finished (Complete or Failed), or undefined while it runs. */
export function finishedAt(job: Job): number | undefined {
  const c = condition(job, 'Complete') ?? condition(job, 'Failed');
  if (!c) return undefined;
  const t = Date.parse((c.type === 'Complete' ? job.status?.completionTime : undefined) ?? c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

const isActive = (p: Pod): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp;

/** Container restarts of running/pending pods: what backoffLimit also counts under restartPolicy OnFailure. */
function restarts(pods: Pod[]): number {
  let n = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const list of [p.status.containerStatuses, p.status['initContainerStatuses']])
      if (Array.isArray(list)) for (const s of list as { restartCount?: unknown }[]) n += typeof s.restartCount === 'number' ? s.restartCount : 0;
  }
  return n;
}

/** When a failed pod stopped: its Ready condition's last transition, else the latest container finish. */
function failedAt(p: Pod): number {
  let t = 0;
  for (const cs of p.status?.containerStatuses ?? []) {
    const term = cs.state?.['terminated'];
    const at = term && typeof term === 'object' ? Date.parse(String((term as Record<string, unknown>)['finishedAt'])) : NaN;
    if (!Number.isNaN(at)) t = Math.max(t, at);
  }
  if (t) return t;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const at = Date.parse(ready?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? 0 : at;
}

function ttlPlan(job: Job, now: number, status: JobStatus): JobPlan {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const plan: JobPlan = { status, create: 0, remove: [] };
  if (ttl === undefined) return plan;
  const left = (finishedAt(job) ?? now) + ttl * 1000 - now;
  if (left <= 0) plan.expired = true;
  else plan.requeueAfterMs = left;
  return plan;
}

/** Decide for `job` given the pods it controls (terminating ones included) at `now` (ms). */
export function decideJob(job: Job, pods: Pod[], now: number): JobPlan {
  const prev = job.status ?? {};
  const active = pods.filter(isActive);
  // Counts never go down: a finished pod someone deleted still counted once.
  const succeeded = Math.max(prev.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length);
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const failed = Math.max(prev.failed ?? 0, failedPods.length);
  const status: JobStatus = {
    ...prev,
    active: active.length,
    succeeded,
    failed,
    ready: active.filter(isPodReady).length,
  };
  if (finishedAt(job) !== undefined) {
    // Finished: only the leftovers of the finish (pods still active) and the TTL remain.
    return { ...ttlPlan(job, now, status), remove: active };
  }
  const startTime = prev.startTime ?? rfc3339(now);
  if (!job.spec.suspend) status.startTime = startTime;
  const backoffLimit = job.spec.backoffLimit ?? 6;
  const completions = job.spec.completions;
  const parallelism = job.spec.parallelism ?? 1;

  let finish: JobFinish | undefined;
  const onFailureRestarts = job.spec.template.spec.restartPolicy === 'OnFailure' ? restarts(active) : 0;
  const pastOnFailure =
    job.spec.template.spec.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? onFailureRestarts > 0 : onFailureRestarts >= backoffLimit);
  const deadlineMs = job.spec.activeDeadlineSeconds !== undefined ? Date.parse(startTime) + job.spec.activeDeadlineSeconds * 1000 : undefined;
  if (failed > backoffLimit || pastOnFailure)
    finish = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  else if (deadlineMs !== undefined && !job.spec.suspend && now >= deadlineMs)
    finish = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  else if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0)
    finish = { type: 'Complete', reason: 'Completed', message: 'Job completed' };

  if (finish) {
    const at = rfc3339(now);
    status.conditions = [
      ...(prev.conditions ?? []).filter((c) => c.type !== finish.type),
      { type: finish.type, status: 'True', reason: finish.reason, message: finish.message, lastProbeTime: at, lastTransitionTime: at },
    ];
    if (finish.type === 'Complete') status.completionTime = at;
    else status.active = status.ready = 0;
    // A failed Job's pods are deleted; its status reports none active once they are gone.
    const done: JobPlan = { ...ttlPlan({ ...job, status }, now, status), remove: finish.type === 'Failed' ? active : [], finish };
    return done;
  }

  // How many should run: what is left to complete, at most `parallelism` (none when suspended). Without
  // `completions` (a work queue), the first success means no new pods.
  let want = job.spec.suspend ? 0 : completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
  want = Math.max(0, want);
  const plan: JobPlan = { status, create: 0, remove: [] };
  if (deadlineMs !== undefined && !job.spec.suspend) plan.requeueAfterMs = deadlineMs - now;
  if (active.length > want) {
    // Remove the pods least along first: not yet scheduled, then not ready, then the newest.
    const rank = (p: Pod): number => (!p.spec.nodeName ? 0 : !isPodReady(p) ? 1 : 2);
    plan.remove = [...active]
      .sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
      .slice(0, active.length - want);
  } else if (active.length < want) {
    // Back off after failures as Kubernetes does: 10 s, 20 s, 40 s ... after the latest failure.
    const newFailures = failedPods.length;
    const last = Math.max(0, ...failedPods.map(failedAt));
    const wait = newFailures > 0 ? Math.min(BACKOFF_BASE_MS * 2 ** (newFailures - 1), BACKOFF_MAX_MS) : 0;
    const left = last + wait - now;
    if (left > 0) plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, left);
    else plan.create = want - active.length;
  }
  return plan;
}
