// A simplified server-side apply (PATCH with application/apply-patch+yaml): the applied object is merged
// into the live one with the list semantics of the patch-meta table, and creates the object when absent.
//
// Limitation: there is no managedFields tracking. Real server-side apply records which manager owns each
// field; here nothing is recorded, so
//   - a field removed from the manifest is NOT removed from the object (send null, or use a patch);
//   - there is no conflict detection between managers (`force` has no meaning);
//   - `metadata.managedFields` is neither written nor read.
// The exceptions are retainKeys maps (Deployment.spec.strategy, each PodSpec volume): their members are the
// applied ones only, because they describe one choice of a union (RollingUpdate vs Recreate, emptyDir vs
// configMap) and keeping the old member would produce an invalid object.

import { fieldMeta, patchMetaFor, type FieldMeta, type Fields } from './patchmeta.js';
import { cloneJson, deepEqual, getKey, hasKey, isMap, setKey, type JsonMap } from './value.js';

/** Merges `applied` into `live` (or returns a copy of `applied` when there is no live object). Never mutates inputs. */
export function serverSideApply(kindKey: string, live: unknown, applied: unknown): unknown {
  return mergeValue(live, applied, { fields: patchMetaFor(kindKey) });
}

function mergeValue(live: unknown, applied: unknown, meta: FieldMeta | undefined): unknown {
  if (isMap(applied)) return mergeMap(isMap(live) ? live : {}, applied, meta);
  if (Array.isArray(applied)) return mergeList(Array.isArray(live) ? live : [], applied, meta);
  return applied;
}

/** Members of both merge recursively; null in the applied object removes a member. */
function mergeMap(live: JsonMap, applied: JsonMap, meta: FieldMeta | undefined): JsonMap {
  const out: JsonMap = {};
  const fields: Fields | undefined = meta?.fields;
  for (const key of Object.keys(live)) {
    if (!hasKey(applied, key)) {
      if (meta?.retainKeys !== true) setKey(out, key, cloneJson(live[key]));
    } else if (applied[key] !== null) {
      setKey(out, key, mergeValue(live[key], applied[key], fieldMeta(fields, key)));
    }
  }
  for (const key of Object.keys(applied)) {
    if (!hasKey(live, key) && applied[key] !== null) {
      setKey(out, key, mergeValue(undefined, applied[key], fieldMeta(fields, key)));
    }
  }
  return out;
}

/** Keyed and union lists: the applied items in their order, then live items the manifest does not name. */
function mergeList(live: readonly unknown[], applied: readonly unknown[], meta: FieldMeta | undefined): unknown[] {
  const strategy = meta?.list;
  if (strategy === undefined) return applied.map((x) => mergeValue(undefined, x, undefined));
  if (strategy === 'union') {
    const out = applied.map(cloneJson);
    for (const x of live) if (!out.some((y) => deepEqual(x, y))) out.push(cloneJson(x));
    return out;
  }
  const key = strategy.mergeKey;
  const keyOf = (x: unknown): unknown => (isMap(x) ? getKey(x, key) : undefined);
  const itemMeta: FieldMeta = { fields: meta?.fields, retainKeys: meta?.retainKeys };
  const used = new Set<number>();
  const out = applied.map((item) => {
    const k = keyOf(item);
    const at = k === undefined ? -1 : live.findIndex((x, i) => !used.has(i) && deepEqual(keyOf(x), k));
    if (at >= 0) used.add(at);
    return mergeValue(at >= 0 ? live[at] : undefined, item, itemMeta);
  });
  live.forEach((x, i) => {
    const k = keyOf(x);
    const named = k !== undefined && applied.some((a) => deepEqual(keyOf(a), k));
    if (!used.has(i) && !named) out.push(cloneJson(x));
  });
  return out;
}
