// Small helpers for AbortSignal, whose `reason` is typed `any` and may be anything a caller passed to abort().

/** The signal's abort reason as an Error (abort() without an argument gives a DOMException AbortError). */
export function abortReason(signal: AbortSignal): Error {
  return toError(signal.reason);
}

/** Errors pass through; anything else thrown or rejected is wrapped so callers can rely on `.message`. */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Settle like `p`, or reject with the abort reason as soon as `signal` aborts, so a caller is never stuck on an
 * operation that ignores its signal. `p` keeps handlers attached, so a late rejection is not unhandled.
 */
export function abortable<R>(p: Promise<R>, signal: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(e));
      },
    );
  });
}
