// Load shapes. Open loop: request i is due at start + i/rate whatever happened to earlier ones,
// and its latency counts from when it was due, so a stalled server cannot hide its stall by
// slowing the generator down (no coordinated omission). Closed loop: N workers, each sending its
// next request when the previous one answers: the maximum throughput at that concurrency.

export interface OpResult {
  /** Milliseconds from when the request was due (open loop) or sent (closed loop) to its answer. */
  latencyMs: number;
  ok: boolean;
  error?: string;
}

export interface LoadResult {
  results: OpResult[];
  wallMs: number;
  /** Open loop only: the largest delay between when a request was due and when it was sent. */
  maxDispatchLagMs: number;
}

async function timed(op: () => Promise<unknown>, from: number): Promise<OpResult> {
  try {
    await op();
    return { latencyMs: performance.now() - from, ok: true };
  } catch (e) {
    return { latencyMs: performance.now() - from, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export function openLoop(opts: { rate: number; count: number; op: (i: number) => Promise<unknown> }): Promise<LoadResult> {
  const { rate, count, op } = opts;
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<OpResult>[] = [];
  let maxLag = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (pending.length < count) {
        const due = start + pending.length * interval;
        if (due > now) break;
        const i = pending.length;
        maxLag = Math.max(maxLag, now - due);
        pending.push(timed(() => op(i), due));
      }
      if (pending.length < count) {
        setTimeout(tick, Math.max(0, start + pending.length * interval - performance.now()));
        return;
      }
      void Promise.all(pending).then((results) => resolve({ results, wallMs: performance.now() - start, maxDispatchLagMs: maxLag }));
    };
    tick();
  });
}

export async function closedLoop(opts: { concurrency: number; durationMs: number; op: (i: number) => Promise<unknown> }): Promise<LoadResult> {
  const results: OpResult[] = [];
  const start = performance.now();
  const end = start + opts.durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = next++;
      results.push(await timed(() => opts.op(i), performance.now()));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { results, wallMs: performance.now() - start, maxDispatchLagMs: 0 };
}

/** Runs `op(0..count-1)` with at most `concurrency` in flight; throws on the first failure. */
export async function bounded(opts: { concurrency: number; count: number; op: (i: number) => Promise<unknown> }): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.count) await opts.op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.count) }, worker));
  return performance.now() - start;
}
