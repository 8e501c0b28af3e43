// /openapi/v3: an index and one document per group/version, generated from the scheme.
// What kubectl needs: a PATCH operation per kind that advertises `fieldValidation` (so it
// validates on the server instead of downloading /openapi/v2), and schemas that `explain`
// can walk, generated from the schema table in src/api/schema (the same table that drives
// fieldValidation). strategic-merge-patch is deliberately not advertised (see the API
// reference, §4): kubectl would then compute apply patches from these schemas, which carry no
// patch strategies, instead of from its compiled-in types.

import { createHash } from 'node:crypto';
import { RESOURCES, groupVersion, groupsInOrder, kindKey, type ResourceType } from '../api/scheme.js';
import { kindTypeName, lookupType, qualifiedName, reachableTypes, type Field, type ObjectType } from '../api/schema/index.js';

type Schema = Record<string, unknown>;

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Named scalar schemas, so `kubectl explain` prints `<Quantity>` and `<IntOrString>` as for upstream. */
const SCALARS: Record<string, Schema> = {
  [QUANTITY]: {
    description: 'Quantity is a fixed-point representation of a number (`500m`, `1Gi`, `2`): a string, or a plain number.',
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'number' }, { type: 'string' }],
  },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string (a port name, a percentage).',
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
  },
};

const refTo = (name: string): Schema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });

/** The OpenAPI schema of one field of the table. */
function fieldSchema(f: Field): Schema {
  const d: Schema = f.description ? { description: f.description } : {};
  switch (f.t) {
    case 'string':
      return { type: 'string', ...d, ...(f.enum ? { enum: [...f.enum] } : {}) };
    case 'integer':
      return { type: 'integer', format: f.format, ...d };
    case 'number':
      return { type: 'number', format: 'double', ...d };
    case 'boolean':
      return { type: 'boolean', ...d };
    case 'quantity':
      return { ...refTo(QUANTITY), ...d };
    case 'intOrString':
      return { ...refTo(INT_OR_STRING), ...d };
    case 'map':
      return { type: 'object', ...d, additionalProperties: fieldSchema(f.values) };
    case 'list':
      return { type: 'array', ...d, items: fieldSchema(f.items) };
    case 'ref':
      return { ...refTo(qualifiedName(f.name) ?? f.name), ...d };
    case 'free':
      return { type: 'object', ...d, 'x-kubernetes-preserve-unknown-fields': true };
  }
}

function objectSchema(t: ObjectType, gvks: Schema[]): Schema {
  const properties: Record<string, Schema> = {};
  for (const [name, f] of Object.entries(t.fields)) properties[name] = fieldSchema(f);
  return {
    type: 'object',
    description: t.description,
    ...(gvks.length ? { 'x-kubernetes-group-version-kind': gvks } : {}),
    properties,
    ...(t.required?.length ? { required: [...t.required] } : {}),
  };
}

function schemaName(rt: ResourceType): string {
  const typeName = kindTypeName(kindKey(rt));
  const known = typeName === undefined ? undefined : qualifiedName(typeName);
  if (known) return known;
  const g = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `io.k8s.api.${g}.${rt.version}.${rt.kind}`;
}

function gvk(rt: ResourceType): Schema {
  return { group: rt.group, version: rt.version, kind: rt.kind };
}

/** A kind outside the schema table (a custom kind): metadata described, spec and status free-form. */
function freeKindSchema(rt: ResourceType): Schema {
  const free = (description: string): Field => ({ t: 'free', description });
  return objectSchema(
    {
      description: `${rt.kind} (${groupVersion(rt)}).`,
      fields: {
        apiVersion: { t: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
        kind: { t: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
        metadata: { t: 'ref', name: 'ObjectMeta', description: "Standard object's metadata." },
        spec: free(`Spec defines the desired state of the ${rt.kind}.`),
        status: free(`Status is the most recently observed state of the ${rt.kind}.`),
      },
    },
    [gvk(rt)],
  );
}

const QUERY = (name: string): Schema => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
const ok = (rt: ResourceType): Schema => ({ '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(rt)}` } } } } });

function paths(rt: ResourceType): Record<string, Schema> {
  const root = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const coll = rt.namespaced ? `${root}/namespaces/{namespace}/${rt.plural}` : `${root}/${rt.plural}`;
  const op = (action: string, extra: Schema = {}): Schema => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk(rt), responses: ok(rt), ...extra });
  const write = [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')];
  return {
    [coll]: { get: op('list'), post: op('post', { parameters: write }) },
    [`${coll}/{name}`]: {
      get: op('get'),
      put: op('put', { parameters: write }),
      delete: op('delete'),
      patch: op('patch', {
        parameters: [...write, QUERY('force')],
        requestBody: { content: { 'application/json-patch+json': {}, 'application/merge-patch+json': {}, 'application/apply-patch+yaml': {} } },
      }),
    },
  };
}

export function groupVersionDoc(group: string, version: string): Schema | undefined {
  const rts = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rts.length) return undefined;
  const schemas: Record<string, Schema> = { ...SCALARS };
  // Top-level types carry their GVK (explain finds a kind's schema by it); the types they use
  // are emitted once each, under their own names, and joined by $ref.
  const gvks = new Map<string, Schema[]>();
  for (const rt of rts) {
    const typeName = kindTypeName(kindKey(rt));
    if (typeName !== undefined) gvks.set(typeName, [...(gvks.get(typeName) ?? []), gvk(rt)]);
  }
  for (const name of reachableTypes(['ObjectMeta', ...gvks.keys()])) {
    const t = lookupType(name);
    const q = qualifiedName(name);
    if (t && q) schemas[q] = objectSchema(t, gvks.get(name) ?? []);
  }
  let allPaths: Record<string, Schema> = {};
  for (const rt of rts) {
    if (kindTypeName(kindKey(rt)) === undefined) schemas[schemaName(rt)] = freeKindSchema(rt);
    allPaths = { ...allPaths, ...paths(rt) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: allPaths, components: { schemas } };
}

function docPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

let cachedIndex: { index: Schema; docs: Map<string, string> } | undefined;

/** Index and serialized documents, built once (the scheme is static). */
export function openapiV3(): { index: Schema; docs: Map<string, string> } {
  if (cachedIndex) return cachedIndex;
  const docs = new Map<string, string>();
  const indexPaths: Record<string, Schema> = {};
  for (const g of groupsInOrder()) {
    for (const v of g.versions) {
      const text = JSON.stringify(groupVersionDoc(g.group, v));
      const p = docPath(g.group, v);
      docs.set(p, text);
      const hash = createHash('sha512').update(text).digest('hex').slice(0, 64).toUpperCase();
      indexPaths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
    }
  }
  cachedIndex = { index: { paths: indexPaths }, docs };
  return cachedIndex;
}
