// Exponential backoff with a cap and optional jitter. Randomness is injected so tests are deterministic.

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * Fraction in [0, 1] (default 0). A delay d becomes d * (1 - jitter * random()): jitter spreads retries
   * *below* the exponential curve, so the cap stays a hard cap and clients stuck at the cap still spread out.
   */
  jitter?: number;
  /** Uniform source in [0, 1) (default Math.random). */
  random?: () => number;
}

/** The un-jittered delay for retry number `attempt` (0-based): initialMs * factor^attempt, capped at maxMs. */
export function exponentialDelay(
  attempt: number,
  opts: Pick<BackoffOptions, 'initialMs' | 'maxMs' | 'factor'>,
): number {
  const raw = opts.initialMs * Math.pow(opts.factor ?? 2, Math.max(0, attempt));
  // Large attempts overflow to Infinity (or NaN for 0 * Infinity); both mean "at the cap" or "zero".
  if (Number.isNaN(raw)) return 0;
  return Math.min(opts.maxMs, raw);
}

export class Backoff {
  private readonly opts: Required<Omit<BackoffOptions, 'random'>> & { random: () => number };
  private n = 0;

  constructor(opts: BackoffOptions) {
    const factor = opts.factor ?? 2;
    const jitter = opts.jitter ?? 0;
    if (!(opts.initialMs >= 0)) throw new RangeError(`backoff initialMs must be >= 0, got ${opts.initialMs}`);
    if (!(opts.maxMs >= opts.initialMs)) throw new RangeError(`backoff maxMs must be >= initialMs, got ${opts.maxMs}`);
    if (!(factor >= 1)) throw new RangeError(`backoff factor must be >= 1, got ${factor}`);
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff jitter must be in [0, 1], got ${jitter}`);
    this.opts = { initialMs: opts.initialMs, maxMs: opts.maxMs, factor, jitter, random: opts.random ?? Math.random };
  }

  /** Retries handed out since the last reset. */
  get attempts(): number {
    return this.n;
  }

  /** The delay to wait before the next retry; each call counts one attempt. */
  next(): number {
    const base = exponentialDelay(this.n, this.opts);
    this.n++;
    if (this.opts.jitter === 0) return base;
    const r = Math.min(1, Math.max(0, this.opts.random()));
    return base * (1 - this.opts.jitter * r);
  }

  /** Start again from initialMs (call after a success). */
  reset(): void {
    this.n = 0;
  }
}
