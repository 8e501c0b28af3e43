// The scheduling loop: informers in, bindings out. Everything here is plumbing around scheduleOne (schedule.ts);
// see README.md for the flow and the invariants.

import { isApiError } from '../api/errors.js';
import type { EventRecorder } from '../client/events.js';
import { runController } from '../machinery/controller.js';
import type { InformerEvent, SharedInformer } from '../machinery/informer.js';
import { WorkQueue } from '../machinery/workqueue.js';
import { exponentialDelay } from '../util/backoff.js';
import type { Clock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { AssumedPods } from './assume.js';
import type { Binder } from './binder.js';
import { newSnapshot, type Policy } from './framework.js';
import { isNodeReady } from './plugins/node-ready.js';
import { scheduleOne, type ScheduleState } from './schedule.js';
import { isTerminal, needsScheduling, podKey, type Node, type Pod, type PodCondition } from './types.js';

export interface SchedulerOptions {
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  binder: Binder;
  recorder: EventRecorder;
  policy: Policy;
  clock: Clock;
  logger?: Logger;
  /** Retry delay for an unschedulable pod: initialMs doubling to maxMs (default 1 s to 60 s). Cluster changes retry at once. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Bindings in flight at once (default 4). Decisions are still made one at a time; see README.md. */
  parallelism?: number;
  /** How long a bound pod's assumption waits for the informer to confirm it (default 30 s). */
  assumedTtlMs?: number;
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function podScheduledCondition(pod: Pod): PodCondition | undefined {
  const conditions = pod.status?.conditions;
  return Array.isArray(conditions) ? conditions.find((c) => c.type === 'PodScheduled') : undefined;
}

/** Node changes that can make an unschedulable pod fit: anything but heartbeats and other status chatter. */
function nodeChangeMatters(prev: Node, next: Node): boolean {
  return (
    JSON.stringify(prev.metadata.labels ?? {}) !== JSON.stringify(next.metadata.labels ?? {}) ||
    JSON.stringify(prev.spec ?? {}) !== JSON.stringify(next.spec ?? {}) ||
    JSON.stringify(prev.status?.allocatable ?? {}) !== JSON.stringify(next.status?.allocatable ?? {}) ||
    isNodeReady(prev) !== isNodeReady(next)
  );
}

function specChanged(prev: Pod, next: Pod): boolean {
  const a = prev.metadata.generation;
  const b = next.metadata.generation;
  if (a !== undefined && b !== undefined) return a !== b;
  return JSON.stringify(prev.spec ?? {}) !== JSON.stringify(next.spec ?? {});
}

export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly assumed: AssumedPods;
  /** Pods whose last attempt found no node; retried on cluster changes and after their backoff. */
  private readonly unschedulable = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private state: ScheduleState = {};

  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? consoleLogger;
    this.queue = new WorkQueue({ clock: opts.clock });
    this.assumed = new AssumedPods({ clock: opts.clock, ...(opts.assumedTtlMs !== undefined ? { ttlMs: opts.assumedTtlMs } : {}) });
  }

  /**
   * Subscribe to the informers (which the caller starts), wait for both to sync, and schedule until `signal`
   * aborts; resolves once in-flight bindings have finished.
   */
  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = [this.opts.pods.addHandler((e) => this.onPod(e)), this.opts.nodes.addHandler((e) => this.onNode(e))];
    try {
      try {
        await Promise.all([this.opts.pods.waitForSync(signal), this.opts.nodes.waitForSync(signal)]);
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      await runController({
        name: 'scheduler',
        queue: this.queue,
        workers: this.opts.parallelism ?? 4,
        signal,
        logger: this.logger,
        sync: (key) => this.sync(key),
      });
    } finally {
      for (const u of unsubscribe) u();
      this.queue.shutDown();
    }
  }

  // ---- event handlers: bookkeeping and enqueue only ----

  private onPod(e: InformerEvent<Pod>): void {
    const key = podKey(e.next);
    if (e.type === 'delete') {
      this.assumed.forget(key);
      this.dropPending(key);
      // A bound pod going away frees room on its node.
      if (e.prev.spec?.nodeName && !isTerminal(e.prev)) this.retryUnschedulable();
      return;
    }
    this.assumed.observe(key, e.next);
    if (needsScheduling(e.next)) {
      // An unschedulable pod's own status write (our condition patch) is no reason to try again; a spec change is.
      if (e.type === 'add' || !this.unschedulable.has(key) || specChanged(e.prev, e.next)) this.queue.add(key);
      return;
    }
    this.dropPending(key);
    if (e.type === 'update' && e.next.spec?.nodeName && isTerminal(e.next) && !isTerminal(e.prev)) this.retryUnschedulable();
  }

  private onNode(e: InformerEvent<Node>): void {
    if (e.type === 'add' || (e.type === 'update' && nodeChangeMatters(e.prev, e.next))) this.retryUnschedulable();
  }

  private dropPending(key: string): void {
    this.unschedulable.delete(key);
    this.attempts.delete(key);
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.add(key);
  }

  // ---- one pod ----

  private async sync(key: string): Promise<void> {
    const { pods, nodes, policy, binder, recorder, clock } = this.opts;
    const pod = pods.store.get(key);
    if (!pod || !needsScheduling(pod)) {
      this.dropPending(key);
      return;
    }
    // Decided already (binding in flight or not yet seen): deciding again could bind it twice.
    if (this.assumed.has(key)) return;

    // Decide and assume synchronously, with no await in between, so concurrent workers each see the others'
    // assumptions: parallel bindings never overcommit a node and round-robin never hands out a node twice.
    const snapshot = newSnapshot(nodes.store.list(), this.assumed.overlay(pods.store.list()));
    const result = scheduleOne(pod, snapshot, { policy, state: this.state });
    if ('unschedulable' in result) {
      await this.markUnschedulable(pod, result.unschedulable);
      return;
    }
    const node = result.node;
    this.state = result.state;
    this.assumed.assume(pod, node);
    try {
      await binder.bind(pod, node);
    } catch (e) {
      this.assumed.forget(key);
      // Already bound (by us earlier, or someone else) or gone: the informer will tell us; nothing to retry.
      if (isApiError(e, 'Conflict') || isApiError(e, 'NotFound')) {
        this.logger.debug('scheduler: binding skipped', { pod: key, node, reason: e.reason });
        return;
      }
      throw e; // retried with the work queue's backoff
    }
    this.assumed.bound(key);
    this.dropPending(key);
    this.logger.debug('scheduler: bound', { pod: key, node });
    recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} to ${node}`);
    // The binding does not touch status; a PodScheduled=False left from earlier attempts would linger until the
    // node agent's first status write, so flip it here.
    const cond = podScheduledCondition(pod);
    if (cond && cond.status !== 'True') {
      await binder
        .setCondition(pod, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: isoSeconds(clock.now()) })
        .catch((err: unknown) =>
          this.logger.debug('scheduler: could not set PodScheduled=True', { pod: key, error: err instanceof Error ? err.message : String(err) }),
        );
    }
  }

  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const { binder, recorder, clock } = this.opts;
    const key = podKey(pod);
    const n = this.attempts.get(key) ?? 0;
    this.attempts.set(key, n + 1);
    this.unschedulable.add(key);
    const delay = exponentialDelay(n, { initialMs: this.opts.backoff?.initialMs ?? 1000, maxMs: this.opts.backoff?.maxMs ?? 60_000 });
    this.queue.addAfter(key, delay);
    this.logger.debug('scheduler: unschedulable', { pod: key, message, retryInMs: delay });
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const prev = podScheduledCondition(pod);
    if (prev?.status === 'False' && prev.reason === 'Unschedulable' && prev.message === message) return;
    const since = prev?.status === 'False' && prev.lastTransitionTime ? prev.lastTransitionTime : isoSeconds(clock.now());
    try {
      await binder.setCondition(pod, {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
        lastTransitionTime: since,
      });
    } catch (e) {
      // Gone meanwhile: nothing to report on. Anything else is logged; the next attempt writes it again.
      if (!isApiError(e, 'NotFound'))
        this.logger.warn('scheduler: could not set PodScheduled=False', { pod: key, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
