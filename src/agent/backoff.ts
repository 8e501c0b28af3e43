// Restart back-off for crashing containers (CrashLoopBackOff) and for failing starts (image pulls, bad
// config): pure functions over a small per-container record, so the timing is tested with plain numbers.
//
// A crashed container is restarted at once the first time; each later crash waits `delay` after the
// container finished, and the delay doubles per restart from 10 s up to 5 min. A container that ran for
// 10 minutes before crashing (or a record untouched for 10 minutes) starts the count again.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run at least this long (or a record this old) resets the back-off. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** The delay that applies to the next restart, and when it was last raised. */
export interface BackoffEntry {
  delayMs: number;
  updatedAt: number;
}

/** The entry in force for a container that finished at `finishedAt` after starting at `startedAt`. */
export function effectiveEntry(
  entry: BackoffEntry | undefined,
  run: { startedAt?: number | undefined; finishedAt?: number | undefined },
  now: number,
  policy: BackoffPolicy,
): BackoffEntry | undefined {
  if (!entry) return undefined;
  if (now - entry.updatedAt >= policy.resetAfterMs) return undefined;
  if (run.startedAt !== undefined && run.finishedAt !== undefined && run.finishedAt - run.startedAt >= policy.resetAfterMs) return undefined;
  return entry;
}

/** Milliseconds left before a restart is allowed (0: now). */
export function restartWaitMs(entry: BackoffEntry | undefined, finishedAt: number | undefined, now: number): number {
  if (!entry) return 0;
  const from = finishedAt ?? entry.updatedAt;
  return Math.max(0, from + entry.delayMs - now);
}

/** The entry to record when restarting now: the first restart arms the initial delay, later ones double it. */
export function nextEntry(entry: BackoffEntry | undefined, now: number, policy: BackoffPolicy): BackoffEntry {
  const delayMs = entry ? Math.min(policy.maxMs, Math.max(policy.initialMs, entry.delayMs * 2)) : policy.initialMs;
  return { delayMs, updatedAt: now };
}

/** A failed start (pull, config, create): retried after a delay that doubles per failure. */
export interface StartFailure {
  /** Kubernetes waiting reason: ErrImagePull, ErrImageNeverPull, CreateContainerConfigError, CreateContainerError, RunContainerError. */
  reason: string;
  message: string;
  at: number;
  delayMs: number;
}

export function nextFailure(prev: StartFailure | undefined, failure: { reason: string; message: string }, now: number, policy: BackoffPolicy): StartFailure {
  const delayMs = prev && now - prev.at < policy.resetAfterMs ? Math.min(policy.maxMs, prev.delayMs * 2) : policy.initialMs;
  return { ...failure, at: now, delayMs };
}

/** The waiting reason shown while a failed start waits for its retry. */
export function backoffReason(reason: string): string {
  return reason === 'ErrImagePull' ? 'ImagePullBackOff' : reason;
}
