// The queue-and-workers half every controller shares: handlers enqueue keys, `workers` run sync(key) with per-key
// retry backoff, and stop() waits for in-flight syncs. Syncs start only once the given informers have synced, so
// a controller never acts on a partial cache.

import type { KubeObject } from '../api/meta.js';
import { runController } from '../machinery/controller.js';
import type { SharedInformer } from '../machinery/informer.js';
import { WorkQueue } from '../machinery/workqueue.js';
import type { ControllerContext, RunningController } from './types.js';

export interface ControllerLoop extends RunningController {
  enqueue(key: string): void;
  enqueueAfter(key: string, ms: number): void;
}

export function startLoop(
  ctx: ControllerContext,
  opts: { name: string; sync: (key: string) => Promise<void>; waitFor: Pick<SharedInformer<KubeObject>, 'waitForSync'>[]; workers?: number; onStop?: () => Promise<void> },
): ControllerLoop {
  const queue = new WorkQueue({ clock: ctx.clock });
  const abort = new AbortController();
  const running = (async () => {
    try {
      await Promise.all(opts.waitFor.map((i) => i.waitForSync(abort.signal)));
    } catch {
      return; // stopped before the caches synced
    }
    await runController({ name: opts.name, queue, sync: opts.sync, workers: opts.workers ?? ctx.settings.concurrentSyncs, signal: abort.signal, logger: ctx.logger });
  })();
  return {
    enqueue: (key) => queue.add(key),
    enqueueAfter: (key, ms) => queue.addAfter(key, ms),
    stop: async () => {
      abort.abort(new Error(`${opts.name} stopped`));
      queue.shutDown();
      await running;
      await opts.onStop?.();
    },
  };
}
