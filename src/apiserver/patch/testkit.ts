// Test support (imported only by *.test.ts): freezing inputs, generating merge patches, comparing results.

import { cloneJson, deepEqual, getKey, hasKey, isMap, setKey, type JsonMap } from './value.js';

/** Freezes a JSON value all the way down, so any mutation by the code under test throws (ESM is strict). */
export function deepFreeze<T>(v: T): T {
  if (Array.isArray(v)) v.forEach(deepFreeze);
  else if (isMap(v)) Object.values(v).forEach(deepFreeze);
  return Object.freeze(v);
}

/** An RFC 7386 patch that turns `a` into `b` (exact when `b`'s objects hold no null members). */
export function createMergePatch(a: unknown, b: unknown): unknown {
  if (!isMap(a) || !isMap(b)) return cloneJson(b);
  const patch: JsonMap = {};
  for (const key of Object.keys(a)) if (!hasKey(b, key)) setKey(patch, key, null);
  for (const key of Object.keys(b)) {
    const from = getKey(a, key);
    const to = b[key];
    if (!hasKey(a, key)) setKey(patch, key, cloneJson(to));
    else if (!deepEqual(from, to))
      setKey(patch, key, isMap(from) && isMap(to) ? createMergePatch(from, to) : cloneJson(to));
  }
  return patch;
}

/** A JSON round trip: plain prototypes, so node:assert's deepStrictEqual compares values only. */
export function plain(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** Builds `{a: {b: value}}` from ['a', 'b']. */
export function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** Reads `v.a.b` for ['a', 'b']. */
export function at(v: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((cur, key) => (isMap(cur) ? getKey(cur, key) : undefined), v);
}
