// The patch entry point for the API server's PATCH handler: pick the patch type from the Content-Type, then
// apply it to the current object. Everything here is pure; see README.md.

import { serverSideApply } from './apply.js';
import { badPatch } from './errors.js';
import { applyJsonPatch } from './jsonpatch.js';
import { mergePatch } from './mergepatch.js';
import { strategicMergePatch } from './strategic.js';
import { isMap } from './value.js';

export { serverSideApply } from './apply.js';
export { PatchError, type PatchErrorReason } from './errors.js';
export { applyJsonPatch, parseJsonPatch, type JsonPatchOperation } from './jsonpatch.js';
export { mergePatch } from './mergepatch.js';
export { kindKey, PATCH_META, patchMetaFor, type FieldMeta, type Fields, type ListMerge } from './patchmeta.js';
export { strategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** `application/merge-patch+json; charset=utf-8` → 'merge'; anything else → undefined (answer 415). */
export function patchTypeFromContentType(contentType: string): PatchType | undefined {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, mediaType) ? CONTENT_TYPES[mediaType] : undefined;
}

export interface ApplyPatchOptions {
  type: PatchType;
  /** `apps/v1/Deployment`, `v1/Pod`: selects the strategic-merge and apply list semantics. */
  kindKey: string;
  /** The current object; undefined only for 'apply', which then creates. Others treat it as `{}`. */
  original: unknown;
  /** The request body, already parsed. */
  patch: unknown;
}

/** The patched object. Throws PatchError (BadRequest or Invalid) when the patch cannot be applied. */
export function applyPatch(opts: ApplyPatchOptions): unknown {
  const original = opts.original ?? {};
  const result = patchOnce(opts, original);
  if (!isMap(result)) throw badPatch(`${opts.type} patch: the result is not a JSON object`);
  return result;
}

function patchOnce(opts: ApplyPatchOptions, original: unknown): unknown {
  switch (opts.type) {
    case 'json':
      return applyJsonPatch(original, opts.patch);
    case 'merge':
      if (!isMap(opts.patch)) throw badPatch('merge patch: the patch must be a JSON object');
      return mergePatch(original, opts.patch);
    case 'strategic':
      return strategicMergePatch(opts.kindKey, original, opts.patch);
    case 'apply':
      if (!isMap(opts.patch)) throw badPatch('apply: the applied configuration must be an object');
      return serverSideApply(opts.kindKey, opts.original, opts.patch);
  }
}
