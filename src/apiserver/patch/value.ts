// JSON value helpers shared by every patch type. Inputs are parsed JSON (`unknown`); outputs are fresh
// objects that share no structure with the inputs, so callers may mutate a result (set resourceVersion, …)
// without touching a cached original or the request body.

export type JsonMap = Record<string, unknown>;

/** A JSON object: not null, not an array. Objects with a null prototype count too. */
export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property lookup: `m['constructor']` must not find Object.prototype's. */
export function hasKey(m: JsonMap, key: string): boolean {
  return Object.hasOwn(m, key);
}

export function getKey(m: JsonMap, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

/** Sets an own property even for the key `__proto__` (a plain assignment would replace the prototype). */
export function setKey(m: JsonMap, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    m[key] = value;
  }
}

/** A deep copy of a JSON value with ordinary prototypes. */
export function cloneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const k of Object.keys(v)) setKey(out, k, cloneJson(v[k]));
    return out;
  }
  return v;
}

/** JSON equality (RFC 6902 §4.6): objects compare by members regardless of order, arrays element-wise. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasKey(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
