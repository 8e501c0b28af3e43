// Resource quantities as pod specs write them ("250m", "0.5", "2", "64Mi", "1G", "1.5e3") turned into the
// integers the runtime takes: CPU in millicores, memory in bytes. Values are kept as exact fractions
// (BigInt numerator / denominator), so "0.1" CPU is exactly 100m, and rounding happens once, upwards,
// as Kubernetes rounds a quantity it has to express in a coarser unit.

/** A non-negative rational `num / den`. */
interface Fraction {
  num: bigint;
  den: bigint;
}

const SUFFIX: Record<string, Fraction> = {
  n: { num: 1n, den: 1_000_000_000n },
  u: { num: 1n, den: 1_000_000n },
  m: { num: 1n, den: 1000n },
  '': { num: 1n, den: 1n },
  k: { num: 1000n, den: 1n },
  K: { num: 1000n, den: 1n }, // not Kubernetes' spelling, but people write it
  M: { num: 10n ** 6n, den: 1n },
  G: { num: 10n ** 9n, den: 1n },
  T: { num: 10n ** 12n, den: 1n },
  P: { num: 10n ** 15n, den: 1n },
  E: { num: 10n ** 18n, den: 1n },
  Ki: { num: 1n << 10n, den: 1n },
  Mi: { num: 1n << 20n, den: 1n },
  Gi: { num: 1n << 30n, den: 1n },
  Ti: { num: 1n << 40n, den: 1n },
  Pi: { num: 1n << 50n, den: 1n },
  Ei: { num: 1n << 60n, den: 1n },
};

const SHAPE = /^\+?([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([-+]?[0-9]{1,3})|([KMGTPE]i|[numkKMGTPE]))?$/;

/** The exact value of a quantity, or undefined when it is not one (negative values included). */
function parse(q: string | number): Fraction | undefined {
  const text = typeof q === 'number' ? (Number.isFinite(q) && q >= 0 ? String(q) : '') : q.trim();
  // String(1e21) is "1e+21": the exponent form is accepted by SHAPE.
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [whole = '', frac = ''] = (m[1] ?? '').split('.');
  let num = BigInt(`${whole}${frac}` || '0');
  let den = 10n ** BigInt(frac.length);
  if (m[2] !== undefined) {
    const e = Number(m[2]);
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  } else {
    const s = SUFFIX[m[3] ?? ''];
    if (!s) return undefined;
    num *= s.num;
    den *= s.den;
  }
  return { num, den };
}

function ceilScaled(q: string | number | undefined, scale: bigint): number | undefined {
  if (q === undefined) return undefined;
  const f = parse(q);
  if (!f) return undefined;
  const n = f.num * scale;
  return Number((n + f.den - 1n) / f.den);
}

/** CPU in millicores: "250m" → 250, "0.5" → 500, "2" → 2000, "1u" → 1 (rounded up). */
export function cpuMillis(q: string | number | undefined): number | undefined {
  return ceilScaled(q, 1000n);
}

/** Bytes (or any whole count): "64Mi" → 67108864, "1G" → 1e9, "1.5Ki" → 1536. */
export function quantityValue(q: string | number | undefined): number | undefined {
  return ceilScaled(q, 1n);
}

/** CPU shares for a request: millicores × 1024 / 1000, at least 2 (the kernel's minimum). */
export function cpuSharesFor(millis: number): number {
  return Math.max(2, Math.floor((millis * 1024) / 1000));
}
