// The loop around a controller's sync(key): N workers pull keys from the queue, run sync, retry failures with
// per-key backoff, and stop cleanly. Level-triggered: sync reads current state, so retrying is always safe.

import { consoleLogger, type Logger } from '../util/logger.js';
import type { WorkQueue } from './workqueue.js';

export interface RunControllerOptions {
  /** Appears in every log line. */
  name: string;
  queue: WorkQueue;
  /** Converge one object; throw to have it retried with backoff. */
  sync: (key: string) => Promise<void>;
  /** Parallel syncs (distinct keys only: the queue never hands out one key twice at once). */
  workers: number;
  /** Abort to stop: the queue is shut down, no new syncs start, and in-flight syncs are awaited. */
  signal: AbortSignal;
  logger?: Logger;
}

/** Run until `signal` aborts (or the queue is shut down); resolves once every in-flight sync has finished. */
export async function runController(opts: RunControllerOptions): Promise<void> {
  const { name, queue, sync, signal } = opts;
  const logger = opts.logger ?? consoleLogger;
  if (!(opts.workers >= 1)) throw new RangeError(`${name}: workers must be >= 1, got ${opts.workers}`);
  const onAbort = (): void => queue.shutDown();
  if (signal.aborted) queue.shutDown();
  else signal.addEventListener('abort', onAbort, { once: true });

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (error) {
        logger.error(`${name}: sync failed, will retry`, {
          controller: name,
          key,
          requeues: queue.numRequeues(key),
          error: error instanceof Error ? error.message : String(error),
        });
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: opts.workers }, () => worker()));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
