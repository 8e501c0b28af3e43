// List merging for strategic merge patch. Three strategies, chosen by the patch-meta table:
//   atomic (no entry)  the patch list replaces the original;
//   union              scalars: original values, then patch values not yet present;
//   mergeKey K         objects: a patch item merges into the original item with the same K, or is appended;
//                      `{K: v, $patch: delete}` removes that item.
// In every strategy a bare `{$patch: replace}` item means "the rest of this patch list is the whole list",
// `$deleteFromPrimitiveList/<field>` drops equal values first, and `$setElementOrder/<field>` orders the
// merged list: items it names come first in its order, the others after, in their merged order.

import { PATCH } from './directives.js';
import { badPatch } from './errors.js';
import type { FieldMeta, Fields } from './patchmeta.js';
import { cloneJson, deepEqual, getKey, isMap, type JsonMap } from './value.js';

export interface ListPatch {
  readonly original: unknown;
  /** Undefined when only `$setElementOrder/…` or `$deleteFromPrimitiveList/…` names the field. */
  readonly patch: readonly unknown[] | undefined;
  readonly meta: FieldMeta | undefined;
  readonly order: unknown;
  readonly deletions: unknown;
  readonly path: string;
}

/** Merges one map item; supplied by strategic.ts (it also merges maps). Undefined: `$patch: delete`. */
export type MergeItem = (
  original: JsonMap,
  patch: JsonMap,
  fields: Fields | undefined,
  path: string,
) => JsonMap | undefined;

/** The merged list, or undefined when the field is absent and stays absent. */
export function mergeList(lp: ListPatch, mergeItem: MergeItem): unknown {
  if (lp.patch === undefined && !Array.isArray(lp.original)) {
    return lp.original === undefined ? undefined : cloneJson(lp.original);
  }
  const deletions = optionalList(lp.deletions, lp.path, '$deleteFromPrimitiveList');
  const order = optionalList(lp.order, lp.path, '$setElementOrder');
  const patchItems = lp.patch ?? [];
  const replaceAll = patchItems.some(isReplaceMarker);
  const items = patchItems.filter((item) => !isReplaceMarker(item));
  let start = Array.isArray(lp.original) && !replaceAll ? lp.original.map(cloneJson) : [];
  if (deletions) start = start.filter((x) => !deletions.some((d) => deepEqual(x, d)));

  const strategy = lp.meta?.list;
  if (strategy === undefined) return lp.patch === undefined ? start : items.map(cloneJson);
  if (strategy === 'union') {
    for (const item of items) if (!start.some((x) => deepEqual(x, item))) start.push(cloneJson(item));
    return order ? sortByOrder(start, order, (x, o) => deepEqual(x, o)) : start;
  }
  const key = strategy.mergeKey;
  const merged = mergeByKey(start, items, key, lp, mergeItem);
  const same = (x: unknown, o: unknown): boolean => isMap(x) && isMap(o) && deepEqual(getKey(x, key), getKey(o, key));
  return order ? sortByOrder(merged, order, same) : merged;
}

function mergeByKey(
  start: unknown[],
  items: readonly unknown[],
  key: string,
  lp: ListPatch,
  mergeItem: MergeItem,
): unknown[] {
  let out = start;
  for (const item of items) {
    if (!isMap(item)) throw badPatch(`strategic: ${lp.path}: items must be objects (this list merges by "${key}")`);
    const value = getKey(item, key);
    if (value === undefined)
      throw badPatch(`strategic: ${lp.path}: item ${JSON.stringify(item)} has no merge key "${key}"`);
    const matches = (x: unknown): boolean => isMap(x) && deepEqual(getKey(x, key), value);
    const at = out.findIndex(matches);
    const current = out[at];
    const merged = mergeItem(
      isMap(current) ? current : {},
      item,
      lp.meta?.fields,
      `${lp.path}[${key}=${JSON.stringify(value)}]`,
    );
    if (merged === undefined) out = out.filter((x) => !matches(x));
    else if (at >= 0) out[at] = merged;
    else out.push(merged);
  }
  return out;
}

/** Stable: items matched by the order list first, in its order; the rest keep their relative order. */
function sortByOrder(list: unknown[], order: readonly unknown[], same: (x: unknown, o: unknown) => boolean): unknown[] {
  const rank = (x: unknown): number => {
    const i = order.findIndex((o) => same(x, o));
    return i < 0 ? order.length : i;
  };
  return list
    .map((x, i) => ({ x, i, r: rank(x) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((e) => e.x);
}

function isReplaceMarker(item: unknown): boolean {
  return isMap(item) && Object.keys(item).length === 1 && getKey(item, PATCH) === 'replace';
}

function optionalList(v: unknown, path: string, directive: string): readonly unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw badPatch(`strategic: ${path}: ${directive} must be a list`);
  const list: readonly unknown[] = v;
  return list;
}
