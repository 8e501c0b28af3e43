// The vocabulary of the schema table: a field is one of a dozen shapes, an object type is a
// description plus its fields. Small constructors keep the per-group tables one line per field.

/** One field's shape. `ref` names another object type of the table (by its short name). */
export type Field =
  | { readonly t: 'string'; readonly description: string; readonly enum?: readonly string[] }
  | { readonly t: 'integer'; readonly description: string; readonly format: 'int32' | 'int64' }
  | { readonly t: 'number'; readonly description: string }
  | { readonly t: 'boolean'; readonly description: string }
  /** A resource quantity (`500m`, `1Gi`, `2`): a string or a number on the wire. */
  | { readonly t: 'quantity'; readonly description: string }
  /** A port number or name, a count or a percentage: an integer or a string. */
  | { readonly t: 'intOrString'; readonly description: string }
  /** An object with arbitrary keys whose values all have one shape. */
  | { readonly t: 'map'; readonly description: string; readonly values: Field }
  | { readonly t: 'list'; readonly description: string; readonly items: Field }
  | { readonly t: 'ref'; readonly description: string; readonly name: string }
  /** Free-form: anything goes below this point; neither validated nor described further. */
  | { readonly t: 'free'; readonly description: string };

export interface ObjectType {
  readonly description: string;
  readonly fields: Readonly<Record<string, Field>>;
  /** Field names `kubectl explain` marks `-required-`. Informative only: validation.ts enforces. */
  readonly required?: readonly string[];
}

/** The types of one API package, named by their OpenAPI prefix (`io.k8s.api.core.v1`). */
export interface TypeGroup {
  readonly pkg: string;
  readonly types: Readonly<Record<string, ObjectType>>;
}

export const str = (description = '', values?: readonly string[]): Field =>
  values ? { t: 'string', description, enum: values } : { t: 'string', description };
export const int32 = (description = ''): Field => ({ t: 'integer', description, format: 'int32' });
export const int64 = (description = ''): Field => ({ t: 'integer', description, format: 'int64' });
export const num = (description = ''): Field => ({ t: 'number', description });
export const bool = (description = ''): Field => ({ t: 'boolean', description });
export const quantity = (description = ''): Field => ({ t: 'quantity', description });
export const intOrString = (description = ''): Field => ({ t: 'intOrString', description });
export const map = (values: Field, description = ''): Field => ({ t: 'map', description, values });
export const strMap = (description = ''): Field => map(str(), description);
export const anyMap = (description = ''): Field => map(free(), description);
export const list = (items: Field, description = ''): Field => ({ t: 'list', description, items });
export const strList = (description = ''): Field => list(str(), description);
export const ref = (name: string, description = ''): Field => ({ t: 'ref', description, name });
export const free = (description = ''): Field => ({ t: 'free', description });

/** An object type. */
export function obj(description: string, fields: Record<string, Field>, required?: readonly string[]): ObjectType {
  return required ? { description, fields, required } : { description, fields };
}

/** A top-level kind: apiVersion, kind and metadata first, then its own fields. */
export function kind(description: string, fields: Record<string, Field>): ObjectType {
  return {
    description,
    fields: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents. In CamelCase.'),
      metadata: ref('ObjectMeta', "Standard object's metadata."),
      ...fields,
    },
  };
}

/** The `status` of a kind: served and stored, but free-form here. */
export const status = (what: string): Field => free(`Most recently observed status of the ${what}. Populated by the system. Read-only.`);
