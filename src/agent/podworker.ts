// Pod workers: a work queue keyed by pod UID and N workers running syncPod. The queue hands a UID to one
// worker at a time and queues it again if it was added meanwhile, so one pod is never synced concurrently
// and a change during a sync is never lost. Syncs that fail are retried with per-pod back-off; a sync may ask
// to run again later (a back-off ending). What the agent remembers per pod (back-offs, the last status it
// wrote) lives here and is dropped once the pod is gone from the API and the runtime.

import { runController } from '../machinery/controller.js';
import { WorkQueue } from '../machinery/workqueue.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { newPodSyncState, type PodSyncState, type SyncResult } from './sync.js';
import type { Pod } from './types.js';

export interface PodWorkersOptions {
  clock: Clock;
  logger: Logger;
  /** Parallel syncs of distinct pods. */
  workers: number;
  /** The pod bound to this node with this UID, from the informer's cache (undefined: gone from the API). */
  lookup: (uid: string) => Pod | undefined;
  sync: (uid: string, pod: Pod | undefined, state: PodSyncState) => Promise<SyncResult>;
  /** Retry delays of failed syncs (default 200 ms doubling to 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class PodWorkers {
  readonly queue: WorkQueue;
  private readonly states = new Map<string, PodSyncState>();
  private readonly opts: PodWorkersOptions;

  constructor(opts: PodWorkersOptions) {
    this.opts = opts;
    this.queue = new WorkQueue({ clock: opts.clock, baseDelayMs: opts.retryBaseMs ?? 200, maxDelayMs: opts.retryMaxMs ?? 30_000 });
  }

  enqueue(uid: string): void {
    if (uid) this.queue.add(uid);
  }

  /** UIDs the agent holds state for (pods it has synced and not yet forgotten). */
  known(): string[] {
    return [...this.states.keys()];
  }

  /** One sync of one pod (the queue guarantees it is the only one running for this UID). */
  async syncOne(uid: string): Promise<void> {
    let state = this.states.get(uid);
    if (!state) {
      state = newPodSyncState();
      this.states.set(uid, state);
    }
    const result = await this.opts.sync(uid, this.opts.lookup(uid), state);
    if (result.finished) {
      this.states.delete(uid);
      return;
    }
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(uid, Math.max(1, result.requeueAfterMs));
  }

  /** Runs until `signal` aborts; resolves once in-flight syncs have finished. */
  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'pod-workers',
      queue: this.queue,
      workers: this.opts.workers,
      signal,
      logger: this.opts.logger,
      sync: (uid) => this.syncOne(uid),
    });
  }
}
