// Strategic merge patch: a JSON merge patch whose lists can merge by key (per the patch-meta table) and
// whose maps and list items can carry directives ($patch, $retainKeys, $setElementOrder/…,
// $deleteFromPrimitiveList/…). Lists without an entry in the table are replaced atomically; kinds without
// an entry (custom kinds) therefore behave exactly like RFC 7386 for directive-free patches.

import {
  DELETE_FROM_PRIMITIVE_LIST,
  isDirective,
  listDirectiveFields,
  PATCH,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
} from './directives.js';
import { badPatch, PatchError } from './errors.js';
import { fieldMeta, patchMetaFor, type Fields } from './patchmeta.js';
import { mergeList } from './strategiclist.js';
import { cloneJson, getKey, hasKey, isMap, setKey, type JsonMap } from './value.js';

/** Applies a strategic merge patch (already parsed from JSON) for the kind `kindKey`. Never mutates inputs. */
export function strategicMergePatch(kindKey: string, original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) throw badPatch('strategic: the patch must be a JSON object');
  const merged = mergeMap(isMap(original) ? original : {}, patch, patchMetaFor(kindKey), '');
  if (merged === undefined) throw badPatch('strategic: "$patch: delete" cannot delete the whole object');
  return merged;
}

/** Merges a patch map into an original map; undefined means the patch said `$patch: delete`. */
function mergeMap(original: JsonMap, patch: JsonMap, fields: Fields | undefined, path: string): JsonMap | undefined {
  const directive = getKey(patch, PATCH);
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return mergeMap({}, withoutKey(patch, PATCH), fields, path);
  if (directive !== undefined && directive !== 'merge') {
    throw badPatch(`strategic: ${path || '/'}: unknown $patch directive ${JSON.stringify(directive)}`);
  }
  const base = retainedKeys(original, patch, path);
  const listFields = listDirectiveFields(patch);
  const touched = (key: string): boolean => !isDirective(key) && (hasKey(patch, key) || listFields.has(key));
  const out: JsonMap = {};
  // Existing members keep their place; new ones follow.
  for (const key of Object.keys(base)) {
    const value = touched(key) ? mergeField(base, patch, key, fields, path) : cloneJson(base[key]);
    if (value !== undefined) setKey(out, key, value);
  }
  for (const key of new Set([...Object.keys(patch), ...listFields])) {
    if (hasKey(base, key) || !touched(key)) continue;
    const value = mergeField(base, patch, key, fields, path);
    if (value !== undefined) setKey(out, key, value);
  }
  return out;
}

/** The merged value of one member; undefined removes it. */
function mergeField(base: JsonMap, patch: JsonMap, key: string, fields: Fields | undefined, path: string): unknown {
  const meta = fieldMeta(fields, key);
  const value = getKey(patch, key);
  const original = getKey(base, key);
  const sub = `${path}/${key}`;
  if (value === null) return undefined;
  if (value === undefined || Array.isArray(value)) {
    return mergeList(
      {
        original,
        patch: value,
        meta,
        order: getKey(patch, SET_ELEMENT_ORDER + key),
        deletions: getKey(patch, DELETE_FROM_PRIMITIVE_LIST + key),
        path: sub,
      },
      mergeMap,
    );
  }
  if (isMap(value)) return mergeMap(isMap(original) ? original : {}, value, meta?.fields, sub);
  return value;
}

/** `$retainKeys`: the original keeps only the listed members, and the patch may set no others. */
function retainedKeys(original: JsonMap, patch: JsonMap, path: string): JsonMap {
  const retain = getKey(patch, RETAIN_KEYS);
  if (retain === undefined) return original;
  if (!Array.isArray(retain) || !retain.every((k): k is string => typeof k === 'string')) {
    throw badPatch(`strategic: ${path || '/'}: $retainKeys must be a list of strings`);
  }
  for (const key of Object.keys(patch)) {
    if (!isDirective(key) && patch[key] !== null && !retain.includes(key)) {
      throw new PatchError(`strategic: ${path || '/'}: the patch sets ${key}, which $retainKeys does not list`);
    }
  }
  const out: JsonMap = {};
  for (const key of Object.keys(original)) if (retain.includes(key)) setKey(out, key, original[key]);
  return out;
}

function withoutKey(m: JsonMap, key: string): JsonMap {
  const out: JsonMap = {};
  for (const k of Object.keys(m)) if (k !== key) setKey(out, k, m[k]);
  return out;
}
