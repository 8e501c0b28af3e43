// Validation: objects in, field errors out (path, reason, message), as Kubernetes reports
// them in a 422 Status's details.causes. Type checks come first so that no later code
// trips over a wrong type sent by a client.

import type { StatusCause } from './meta.js';
import { isObject } from './meta.js';
import { selectorFromSpec, matchesLabels, SelectorError } from './selector.js';

export type FieldError = Required<Pick<StatusCause, 'reason' | 'message' | 'field'>>;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const fe = {
  required: (field: string, what = 'Required value'): FieldError => ({ reason: 'FieldValueRequired', message: what, field }),
  invalid: (field: string, value: unknown, why: string): FieldError => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
    field,
  }),
  type: (field: string, want: string): FieldError => ({ reason: 'FieldValueTypeInvalid', message: `Invalid type: expected ${want}`, field }),
  notSupported: (field: string, value: unknown, allowed: readonly string[]): FieldError => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
    field,
  }),
  forbidden: (field: string, why: string): FieldError => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${why}`, field }),
  duplicate: (field: string, value: unknown): FieldError => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field }),
};

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

function stringMap(v: unknown, field: string, errs: FieldError[], checkLabels: boolean): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) {
    errs.push(fe.type(field, 'object'));
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') errs.push(fe.type(`${field}[${k}]`, 'string'));
    if (!QUALIFIED_NAME.test(k) || k.length > 316) errs.push(fe.invalid(field, k, 'name part must consist of alphanumeric characters, "-", "_" or ".", and must start and end with an alphanumeric character'));
    if (checkLabels && typeof val === 'string' && (val.length > 63 || !LABEL_VALUE.test(val))) {
      errs.push(fe.invalid(`${field}[${k}]`, val, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
  }
}

/** Metadata rules shared by every kind. `nameRule` is 'subdomain' for most kinds, 'label' for namespaces. */
export function validateMeta(meta: unknown, opts: { namespaced: boolean; nameRule?: 'subdomain' | 'label' | 'any' }): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(meta)) return [fe.type('metadata', 'object')];
  const name = meta['name'];
  if (name === undefined || name === '') errs.push(fe.required('metadata.name', 'Required value: name or generateName is required'));
  else if (typeof name !== 'string') errs.push(fe.type('metadata.name', 'string'));
  else if (opts.nameRule !== 'any') {
    const ok = opts.nameRule === 'label' ? isDns1123Label(name) : isDns1123Subdomain(name);
    if (!ok) errs.push(fe.invalid('metadata.name', name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
  }
  for (const f of ['generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'] as const) {
    if (meta[f] !== undefined && meta[f] !== null && typeof meta[f] !== 'string') errs.push(fe.type(`metadata.${f}`, 'string'));
  }
  stringMap(meta['labels'], 'metadata.labels', errs, true);
  stringMap(meta['annotations'], 'metadata.annotations', errs, false);
  const fin = meta['finalizers'];
  if (fin !== undefined && fin !== null && (!Array.isArray(fin) || fin.some((f) => typeof f !== 'string'))) errs.push(fe.type('metadata.finalizers', 'array of strings'));
  const owners = meta['ownerReferences'];
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners)) errs.push(fe.type('metadata.ownerReferences', 'array'));
    else
      owners.forEach((o: unknown, i) => {
        if (!isObject(o)) return errs.push(fe.type(`metadata.ownerReferences[${i}]`, 'object'));
        for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (typeof o[f] !== 'string' || o[f] === '') errs.push(fe.required(`metadata.ownerReferences[${i}].${f}`));
        return undefined;
      });
  }
  return errs;
}

export function validateSelectorMatchesTemplate(spec: Record<string, unknown>, base: string, errs: FieldError[]): void {
  const sel = spec['selector'];
  if (!isObject(sel)) {
    errs.push(fe.required(`${base}.selector`));
    return;
  }
  let reqs;
  try {
    reqs = selectorFromSpec(sel);
  } catch (e) {
    errs.push(fe.invalid(`${base}.selector`, sel, e instanceof SelectorError ? e.message : 'invalid selector'));
    return;
  }
  if (reqs.length === 0) errs.push(fe.invalid(`${base}.selector`, sel, 'empty selector is invalid for deployment'));
  const tmpl = spec['template'];
  const labels = isObject(tmpl) && isObject(tmpl['metadata']) ? tmpl['metadata']['labels'] : undefined;
  if (!matchesLabels(reqs, isObject(labels) ? (labels as Record<string, string>) : undefined)) {
    errs.push(fe.invalid(`${base}.template.metadata.labels`, labels ?? {}, '`selector` does not match template `labels`'));
  }
}

export function nonNegativeInt(v: unknown, field: string, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) errs.push(fe.type(field, 'integer'));
  else if (v < 0) errs.push(fe.invalid(field, v, 'must be greater than or equal to 0'));
}
