// Time as a dependency. Machinery never reads the wall clock or schedules timers itself; it is handed a
// Clock, so tests drive time with FakeClock instead of sleeping.

/** Opaque handle for a scheduled callback. Only the clock that issued it can cancel it. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since an arbitrary epoch (the Unix epoch for realClock). */
  now(): number;
  /** Run `fn` once after `ms` milliseconds (negative or NaN counts as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancel a pending callback; a no-op for one that already ran or was cancelled. */
  clearTimeout(handle: TimerHandle): void;
  /** Resolve after `ms`; reject with the abort reason (an Error) if `signal` aborts first (or already has). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

import { abortReason } from './abort.js';

function delayOf(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Shared implementation of sleep() on top of a clock's own setTimeout/clearTimeout. */
function sleepOn(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      if (signal) reject(abortReason(signal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, delayOf(ms));
    this.timers.set(id, t);
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

/** The process clock: Date.now and Node timers. */
export const realClock: Clock = new RealClock();

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Yield one macrotask turn so every queued promise continuation runs. */
function flushMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. Timers fire in due-time order (ties in scheduling order), each with
 * now() set to its due time; timers scheduled by a callback fire in the same advance if they fall due in it.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + delayOf(ms), seq: id, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of timers scheduled and not yet fired or cancelled. */
  pending(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    return this.earliest(Infinity)?.[1].at;
  }

  /** Move time forward by `ms`, running due timers synchronously. Promise continuations run afterwards. */
  advance(ms: number): void {
    const target = this.t + delayOf(ms);
    for (let next = this.earliest(target); next; next = this.earliest(target)) this.fire(next);
    this.t = target;
  }

  /**
   * Like advance(), but lets promise continuations run before and after each timer, so async code that
   * awaits a sleep and then schedules the next one (a backoff loop) makes progress within one call.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.t + delayOf(ms);
    await flushMicrotasks();
    for (let next = this.earliest(target); next; next = this.earliest(target)) {
      this.fire(next);
      await flushMicrotasks();
    }
    this.t = target;
  }

  private earliest(limit: number): [number, FakeTimer] | undefined {
    let best: [number, FakeTimer] | undefined;
    for (const entry of this.timers) {
      const timer = entry[1];
      if (timer.at > limit) continue;
      if (!best || timer.at < best[1].at || (timer.at === best[1].at && timer.seq < best[1].seq)) best = entry;
    }
    return best;
  }

  private fire([id, timer]: [number, FakeTimer]): void {
    this.timers.delete(id);
    this.t = Math.max(this.t, timer.at);
    timer.fn();
  }
}
