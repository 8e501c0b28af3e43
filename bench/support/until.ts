// Polling for benchmarks: wait for a condition, failing with what was awaited. Unlike test/support/until.ts, an
// error thrown by the condition stops the wait at once: a benchmark should not time a retry loop around a failure.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, fn: () => Promise<boolean>, ms: number, everyMs = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
