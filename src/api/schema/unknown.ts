// Which fields of an object the schema table does not know: what fieldValidation=Strict refuses
// and Warn reports. Iterative (the input is a request body), and in document order, like the
// decoder errors of the real API server: `spec.template.spec.containers[0].imagee`.

import { kindTypeName, lookupType } from './table.js';
import type { Field } from './types.js';

export interface UnknownFieldsOptions {
  /**
   * The value is a merge, strategic-merge or apply patch rather than an object: `$` keys
   * (`$patch`, `$retainKeys`, `$setElementOrder/...`, `$deleteFromPrimitiveList/...`) are
   * directives, and a null removes a field, so neither counts as an unknown field.
   */
  patch?: boolean;
}

type Step = { value: unknown; field: Field; path: string } | { unknown: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Dotted paths of the fields of `obj` that the schema of `kindKey` does not declare. Descends
 * through objects, lists, maps and refs; stops at free-form fields and at values whose JSON
 * type does not match the schema (type errors are validation's business). Kinds outside the
 * table (custom kinds) have no unknown fields.
 */
export function unknownFields(kindKey: string, obj: unknown, opts: UnknownFieldsOptions = {}): string[] {
  const root = kindTypeName(kindKey);
  if (root === undefined) return [];
  const out: string[] = [];
  const stack: Step[] = [{ value: obj, field: { t: 'ref', name: root, description: '' }, path: '' }];
  while (stack.length) {
    const step = stack.pop() as Step;
    if ('unknown' in step) {
      out.push(step.unknown);
      continue;
    }
    const { value, field, path } = step;
    // Children go on the stack in reverse so that they come off it in document order.
    const children: Step[] = [];
    if (field.t === 'list' && Array.isArray(value)) {
      value.forEach((item, i) => children.push({ value: item, field: field.items, path: `${path}[${i}]` }));
    } else if (field.t === 'map' && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) children.push({ value: v, field: field.values, path: join(path, k) });
    } else if (field.t === 'ref' && isPlainObject(value)) {
      const type = lookupType(field.name);
      if (!type) continue;
      for (const [k, v] of Object.entries(value)) {
        if (opts.patch && (k.startsWith('$') || v === null)) continue;
        const f = Object.hasOwn(type.fields, k) ? type.fields[k] : undefined;
        if (!f) children.push({ unknown: join(path, k) });
        else if (typeof v === 'object' && v !== null) children.push({ value: v, field: f, path: join(path, k) });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Step);
  }
  return out;
}
