// /openapi/v3: an index and one document per group/version, generated from the scheme.
// What kubectl needs: a PATCH operation per kind that advertises `fieldValidation` (so it
// validates on the server instead of downloading /openapi/v2), and schemas that `explain`
// can walk. strategic-merge-patch is deliberately not advertised (see the API reference, §4).

import { createHash } from 'node:crypto';
import { RESOURCES, groupVersion, groupsInOrder, type ResourceType } from '../api/scheme.js';

type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const str = (description: string): Schema => ({ type: 'string', description });
const strMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string', default: '' } });

const OBJECT_META: Schema = {
  type: 'object',
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  properties: {
    name: str('Name must be unique within a namespace.'),
    generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    uid: str('UID is the unique in time and space value for this object.'),
    resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency and watch.'),
    generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
    creationTimestamp: str('CreationTimestamp is a timestamp representing the server time when this object was created.'),
    deletionTimestamp: str('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
    labels: strMap('Map of string keys and values that can be used to organize and categorize objects.'),
    annotations: strMap('Annotations is an unstructured key value map stored with a resource.'),
    finalizers: { type: 'array', description: 'Must be empty before the object is deleted from the registry.', items: { type: 'string', default: '' } },
    ownerReferences: { type: 'array', description: 'List of objects depended by this object.', items: { type: 'object' } },
  },
};

function schemaName(rt: ResourceType): string {
  const g = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `io.k8s.api.${g}.${rt.version}.${rt.kind}`;
}

function gvk(rt: ResourceType): Schema {
  return { group: rt.group, version: rt.version, kind: rt.kind };
}

function kindSchema(rt: ResourceType): Schema {
  return {
    type: 'object',
    description: `${rt.kind} (${groupVersion(rt)}).`,
    'x-kubernetes-group-version-kind': [gvk(rt)],
    properties: {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { allOf: [{ $ref: `#/components/schemas/${META}` }], default: {}, description: "Standard object's metadata." },
      spec: { type: 'object', description: `Spec defines the desired state of the ${rt.kind}.`, 'x-kubernetes-preserve-unknown-fields': true },
      status: { type: 'object', description: `Status is the most recently observed state of the ${rt.kind}.`, 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
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
  const schemas: Record<string, Schema> = { [META]: OBJECT_META };
  let allPaths: Record<string, Schema> = {};
  for (const rt of rts) {
    schemas[schemaName(rt)] = kindSchema(rt);
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
