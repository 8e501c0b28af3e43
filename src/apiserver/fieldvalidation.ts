// The `fieldValidation` query parameter of create, update and patch: what to do with fields the
// schema table (src/api/schema) does not know. Strict refuses the write (400), Warn (the default
// since Kubernetes 1.27) lets it through with one `Warning: 299` header per field, Ignore does
// nothing. kubectl sends Strict by default, so a typo in a manifest fails instead of vanishing.

import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import { kindKey, type ResourceType } from '../api/scheme.js';
import { unknownFields } from '../api/schema/index.js';
import type { PatchType } from './patch/index.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Warning headers stop here: Node clients refuse response headers over 16 KiB in all. */
const MAX_WARNING_BYTES = 8 * 1024;

export function fieldValidationMode(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new ApiError('BadRequest', `fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
}

export interface FieldValidationRequest {
  rt: ResourceType;
  query: URLSearchParams;
  /** The object of a create or update, or the body of a patch. */
  body: unknown;
  /** Set for a patch: its body holds directives and nulls; a JSON patch is not checked at all. */
  patchType?: PatchType;
}

/**
 * Checks the body's fields against the kind's schema. Under Strict, throws BadRequest naming
 * every unknown field; under Warn, adds the warnings to `res` (sent with whatever answer follows).
 */
export function validateFields(res: ServerResponse, req: FieldValidationRequest): void {
  const mode = fieldValidationMode(req.query);
  // A JSON patch names paths, not fields; checking the patched object instead would also flag
  // unknown fields that were stored before (under Warn or Ignore), which the user did not send.
  if (mode === 'Ignore' || req.patchType === 'json') return;
  const unknown = unknownFields(kindKey(req.rt), req.body, { patch: req.patchType !== undefined });
  if (!unknown.length) return;
  const messages = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === 'Strict') throw new ApiError('BadRequest', `strict decoding error: ${messages.join(', ')}`);
  addWarnings(res, messages);
}

/** Appends `299 - "<text>"` warnings (RFC 7234 §5.5), keeping any already set. */
export function addWarnings(res: ServerResponse, texts: readonly string[]): void {
  const prev = res.getHeader('Warning');
  const values = prev === undefined ? [] : Array.isArray(prev) ? [...prev] : [String(prev)];
  let bytes = values.reduce((n, v) => n + v.length, 0);
  for (let i = 0; i < texts.length; i++) {
    const value = `299 - ${headerSafe(JSON.stringify(texts[i]))}`;
    if (bytes + value.length > MAX_WARNING_BYTES) {
      values.push(`299 - "${texts.length - i} more warnings were left out"`);
      break;
    }
    values.push(value);
    bytes += value.length;
  }
  res.setHeader('Warning', values);
}

/** Header values must be printable ASCII: escape the rest as JSON would (`\u00e9`). */
function headerSafe(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
