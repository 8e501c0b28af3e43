// Polling for end-to-end tests: retry a probe until it yields a value, or fail with what was
// awaited (and the probe's last error). One helper for every suite instead of a copy in each.

export interface UntilOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Resolves with the first value `probe` returns that is not undefined (a thrown error counts as
 * "not yet"). `what` may be a function, called only on failure, to describe what was seen.
 */
export async function until<T>(what: string | (() => string | Promise<string>), probe: () => T | undefined | Promise<T | undefined>, options: UntilOptions | number = {}): Promise<T> {
  const opts: UntilOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const desc = typeof what === 'string' ? what : await what();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${desc}${last instanceof Error ? `; last error: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** `until` for a boolean condition. */
export async function untilTrue(what: string | (() => string | Promise<string>), check: () => boolean | Promise<boolean>, options: UntilOptions | number = {}): Promise<void> {
  await until(what, async () => ((await check()) ? true : undefined), options);
}
