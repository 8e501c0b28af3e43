// RFC 7386 JSON Merge Patch: an object patch merges member by member, null removes a member, and anything
// else (arrays included) replaces the target wholesale.

import { cloneJson, hasKey, isMap, setKey, type JsonMap } from './value.js';

/** Applies a merge patch (already parsed from JSON). Never mutates either argument. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return cloneJson(patch);
  const base: JsonMap = isMap(target) ? target : {};
  const out: JsonMap = {};
  // Existing members keep their place; new ones follow, so a patched object reads like the original.
  for (const key of Object.keys(base)) {
    if (!hasKey(patch, key)) setKey(out, key, cloneJson(base[key]));
    else if (patch[key] !== null) setKey(out, key, mergePatch(base[key], patch[key]));
  }
  for (const key of Object.keys(patch)) {
    if (!hasKey(base, key) && patch[key] !== null) setKey(out, key, mergePatch(undefined, patch[key]));
  }
  return out;
}
