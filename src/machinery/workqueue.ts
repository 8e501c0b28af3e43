// A work queue of keys with client-go's guarantees, which controllers rely on:
// - a key is queued at most once (adds while queued are merged: "dirty" dedupe);
// - a key being processed is never handed out again until done(key), so one key is never synced concurrently;
// - a key added while it is being processed is queued again at done(key), so a change mid-sync is not lost;
// - retries back off per key (5 ms doubling to 1000 s by default, as client-go's item exponential limiter).
// Unlike client-go, get() resolves undefined as soon as shutDown() is called, even with keys still queued:
// controllers are level-triggered, so abandoned keys are picked up again from the informer's adds on restart.

import { exponentialDelay } from '../util/backoff.js';
import type { Clock, TimerHandle } from '../util/clock.js';

export interface WorkQueueOptions {
  clock: Clock;
  /** First retry delay of addRateLimited (default 5 ms). */
  baseDelayMs?: number;
  /** Retry delay cap (default 1000 s). */
  maxDelayMs?: number;
}

/** FIFO of strings with O(1) amortised shift. */
class Fifo {
  private items: string[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(s: string): void {
    this.items.push(s);
  }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const s = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return s;
  }
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly queue = new Fifo();
  /** Keys that need processing: queued, or added while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private waiters: ((key: string | undefined) => void)[] = [];
  /** addAfter timers, at most one per key (the earliest wins). */
  private readonly delayed = new Map<string, { readyAt: number; handle: TimerHandle }>();
  private readonly failures = new Map<string, number>();
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** Mark `key` as needing processing. Ignored after shutDown(). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done(key) queues it again
    this.enqueue(key);
  }

  /**
   * The next key to process, waiting for one if needed; the caller must call done(key) when finished.
   * Resolves undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.queue.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Processing of `key` finished; if it was added meanwhile, queue it again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) this.enqueue(key);
  }

  /** Add `key` after `ms` (now if ms <= 0). A key already waiting keeps the earlier of the two times. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.handle);
    }
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, handle });
  }

  /** Add `key` after its per-key backoff: base * 2^numRequeues(key), capped. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, exponentialDelay(n, { initialMs: this.baseDelayMs, maxMs: this.maxDelayMs }));
  }

  /** Stop tracking retries for `key` (after a successful sync); its next failure starts from the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys queued and ready to hand out (not counting ones being processed or waiting on addAfter). */
  len(): number {
    return this.queue.length;
  }

  /** Stop: pending and future get() resolve undefined, adds are ignored, delayed adds are cancelled. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { handle } of this.delayed.values()) this.clock.clearTimeout(handle);
    this.delayed.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private enqueue(key: string): void {
    this.queue.push(key);
    // Hand straight to a waiting worker. Bookkeeping happens here, synchronously, not when the worker's
    // promise continuation runs, so a second add in between cannot queue the key twice.
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift();
      if (waiter) waiter(this.take());
    }
  }

  private take(): string {
    const key = this.queue.shift();
    if (key === undefined) throw new Error('workqueue: take from empty queue');
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }
}
