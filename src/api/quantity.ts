// Resource quantities ("100m", "0.5", "2", "128Mi", "1G", "1e3") as Kubernetes writes them, turned into whole
// numbers (the scheduler and the node agent count this way): CPU in millicores, memory in bytes, rounding up like resource.Quantity's
// MilliValue()/Value(). Arithmetic is exact (BigInt), so "0.1" is 100 millicores, not 100.00000000000001.

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
// Kubernetes spells kilo `k`; `K` is accepted too because people write it (and the project's docs do).
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, K: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^\+?(\d*)(?:\.(\d*))?(?:([eE][-+]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkKMGTPE])?)$/;

/**
 * `q × 10^scale`, rounded up to a whole number; undefined when `q` is not a non-negative quantity.
 * scale 3 gives milli-units (CPU), scale 0 whole units (bytes, pod counts).
 */
export function scaledQuantity(q: string | number | undefined, scale: number): number | undefined {
  if (q === undefined) return undefined;
  const text = typeof q === 'number' ? (Number.isFinite(q) ? String(q) : '') : q.trim();
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int === '' && frac === '') return undefined;
  const exponent = m[3];
  const suffix = m[4] ?? '';
  let exp10 = scale - frac.length + (exponent ? Number(exponent.slice(1)) : (DECIMAL[suffix] ?? 0));
  const exp2 = BINARY[suffix] ?? 0;
  if (Math.abs(exp10) > 60) exp10 = Math.sign(exp10) * 60; // keeps BigInt powers small; nothing real is this far out
  let n = BigInt(int + frac) << BigInt(exp2);
  if (exp10 >= 0) n *= 10n ** BigInt(exp10);
  else {
    const d = 10n ** BigInt(-exp10);
    n = (n + d - 1n) / d;
  }
  return Number(n);
}

/** CPU in millicores ("100m" → 100, "0.5" → 500, "2" → 2000). */
export function milliCPU(q: string | number | undefined): number | undefined {
  return scaledQuantity(q, 3);
}

/** Memory (or any count) in whole units ("1Ki" → 1024, "1k" → 1000, "1.5Gi" → 1610612736). */
export function units(q: string | number | undefined): number | undefined {
  return scaledQuantity(q, 0);
}

/** CPU shares for a request: millicores × 1024 / 1000, at least 2 (the kernel's minimum). */
export function cpuSharesFor(millis: number): number {
  return Math.max(2, Math.floor((millis * 1024) / 1000));
}
