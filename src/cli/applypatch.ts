// Client-side apply, as kubectl does it, so objects applied by kubectl and by mkctl are interchangeable:
//   - the manifest is recorded in the `kubectl.kubernetes.io/last-applied-configuration` annotation, encoded
//     exactly like kubectl (Go's JSON: sorted keys, compact, <>& escaped, a trailing newline, and an
//     `annotations: {}` left behind when the manifest has no other annotations);
//   - an update sends a three-way strategic merge patch: fields removed since the last apply are deleted
//     (null, `$patch: delete`, `$deleteFromPrimitiveList`), fields that differ from the live object are set,
//     keyed lists (containers, env, ports, ...) merge by key with `$setElementOrder`, retainKeys maps
//     (Deployment.spec.strategy, volumes) carry `$retainKeys`. Kinds without patch metadata get a plain
//     three-way JSON merge patch. An empty patch means `unchanged` and nothing is sent.
// Pure functions; tested in applypatch.test.ts.

import type { KubeObject } from '../api/meta.js';
import { fieldMeta, patchMetaFor, type FieldMeta, type Fields } from '../apiserver/patch/patchmeta.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** Go's encoding/json output for a JSON value: sorted keys, compact, HTML-safe. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const m = v as JsonMap;
    const keys = Object.keys(m)
      .filter((k) => m[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${goJson(k)}:${goJson(m[k])}`).join(',')}}`;
  }
  return 'null';
}

/**
 * The object to create or to diff against: the manifest plus the last-applied annotation holding the
 * manifest itself (without that annotation). Does not modify `obj`.
 */
export function withLastApplied(obj: KubeObject): KubeObject {
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const bare = { ...obj, metadata: { ...obj.metadata, annotations } };
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: `${goJson(bare)}\n` } } };
}

/** The previous manifest from a live object's annotation; undefined when it has none (or it is not JSON). */
export function lastApplied(live: KubeObject): JsonMap | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isMap(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

interface DiffOptions {
  /** Strategic (list merge keys, directives) or plain JSON merge patch. */
  strategic: boolean;
}

/** The three-way patch for one map. Empty when nothing needs to change. */
function diffMap(original: JsonMap | undefined, modified: JsonMap, current: JsonMap, fields: Fields | undefined, opts: DiffOptions): JsonMap {
  const out: JsonMap = {};
  for (const key of Object.keys(modified)) {
    const m = modified[key];
    const c = Object.hasOwn(current, key) ? current[key] : undefined;
    const o = original && Object.hasOwn(original, key) ? original[key] : undefined;
    if (m === null || m === undefined) {
      if (c !== undefined && c !== null) out[key] = null;
      continue;
    }
    const meta = opts.strategic ? fieldMeta(fields, key) : undefined;
    if (isMap(m) && isMap(c)) {
      const sub = diffMap(isMap(o) ? o : undefined, m, c, meta?.fields, opts);
      if (Object.keys(sub).length > 0) {
        if (meta?.retainKeys) sub['$retainKeys'] = Object.keys(m).sort();
        out[key] = sub;
      }
      continue;
    }
    if (Array.isArray(m) && Array.isArray(c) && meta?.list) {
      Object.assign(out, diffList(key, { original: Array.isArray(o) ? o : undefined, modified: m, current: c }, meta, opts));
      continue;
    }
    if (!deepEqual(m, c)) out[key] = clone(m);
  }
  if (original) {
    for (const key of Object.keys(original)) {
      if (Object.hasOwn(modified, key)) continue;
      if (Object.hasOwn(current, key) && current[key] !== null) out[key] = null;
    }
  }
  return out;
}

interface Lists {
  original: unknown[] | undefined;
  modified: unknown[];
  current: unknown[];
}

function diffList(key: string, lists: Lists, meta: FieldMeta, opts: DiffOptions): JsonMap {
  if (meta.list === 'union') return diffUnion(key, lists);
  const mergeKey = meta.list?.mergeKey ?? 'name';
  const keyed = (l: unknown[]): l is JsonMap[] => l.every((x) => isMap(x) && x[mergeKey] !== undefined);
  if (!keyed(lists.modified) || !keyed(lists.current) || (lists.original && !keyed(lists.original))) {
    return deepEqual(lists.modified, lists.current) ? {} : { [key]: clone(lists.modified) };
  }
  const find = (l: JsonMap[] | undefined, k: unknown): JsonMap | undefined => l?.find((x) => deepEqual(x[mergeKey], k));
  const items: JsonMap[] = [];
  for (const m of lists.modified) {
    const k = m[mergeKey];
    const c = find(lists.current, k);
    if (!c) {
      items.push(clone(m));
      continue;
    }
    const sub = diffMap(find(lists.original, k), m, c, meta.fields, opts);
    if (Object.keys(sub).length > 0) {
      if (meta.retainKeys) sub['$retainKeys'] = Object.keys(m).sort();
      items.push({ [mergeKey]: clone(k), ...sub });
    }
  }
  for (const o of lists.original ?? []) {
    const k = o[mergeKey];
    if (!find(lists.modified, k) && find(lists.current, k)) items.push({ [mergeKey]: clone(k), $patch: 'delete' });
  }
  const wanted = lists.modified.map((m) => m[mergeKey]);
  const liveOrder = lists.current.map((c) => c[mergeKey]).filter((k) => wanted.some((w) => deepEqual(w, k)));
  const reordered = !deepEqual(
    liveOrder,
    wanted.filter((w) => liveOrder.some((k) => deepEqual(w, k))),
  );
  if (items.length === 0 && !reordered) return {};
  const out: JsonMap = { [`$setElementOrder/${key}`]: wanted.map((k) => ({ [mergeKey]: clone(k) })) };
  if (items.length > 0) out[key] = items;
  return out;
}

function diffUnion(key: string, lists: Lists): JsonMap {
  const has = (l: unknown[], v: unknown): boolean => l.some((x) => deepEqual(x, v));
  const added = lists.modified.filter((v) => !has(lists.current, v));
  const removed = (lists.original ?? []).filter((v) => !has(lists.modified, v) && has(lists.current, v));
  const out: JsonMap = {};
  if (added.length > 0) out[key] = clone(added);
  if (removed.length > 0) out[`$deleteFromPrimitiveList/${key}`] = clone(removed);
  return out;
}

export interface ApplyPatch {
  type: 'strategic' | 'merge';
  /** Empty: the live object already matches the manifest. */
  patch: JsonMap;
}

/**
 * The patch that takes `current` to the manifest `modified` (already carrying its last-applied
 * annotation), deleting what `original` (the previous manifest) had and `modified` no longer has.
 * `kindKey` is `apps/v1/Deployment` style; kinds without patch metadata get a JSON merge patch.
 */
export function threeWayPatch(kindKey: string, docs: { original: JsonMap | undefined; modified: JsonMap; current: JsonMap }): ApplyPatch {
  const fields = patchMetaFor(kindKey);
  const strategic = fields !== undefined;
  const patch = diffMap(docs.original, docs.modified, docs.current, fields, { strategic });
  return { type: strategic ? 'strategic' : 'merge', patch };
}
