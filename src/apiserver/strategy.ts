// Per-resource create/update/delete strategy, after Kubernetes' registry strategies:
// status is cleared on create and kept on spec updates; generation moves only when the
// spec (anything outside metadata and status) changes; identity fields are immutable.

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import { groupVersion, kindKey, type ResourceType } from '../api/scheme.js';
import { applyDefaults } from '../api/defaults.js';
import { validateMeta, fe, type FieldError } from '../api/validation.js';
import { VALIDATORS } from '../api/validators.js';

/** Kinds whose status the creating client may set (the agent registers a Node with its status). */
const KEEP_STATUS_ON_CREATE = new Set(['v1/Node', 'v1/Namespace']);

export function hasStatusSubresource(rt: ResourceType): boolean {
  return rt.subresources.includes('status');
}

function initialStatus(rt: ResourceType): unknown {
  switch (kindKey(rt)) {
    case 'v1/Pod':
      return { phase: 'Pending' };
    case 'v1/Service':
      return { loadBalancer: {} };
    default:
      return {};
  }
}

export function prepareForCreate(rt: ResourceType, obj: KubeObject, now: string, uid: string): void {
  obj.apiVersion = groupVersion(rt);
  obj.kind = rt.kind;
  const m = obj.metadata;
  m.uid = uid;
  m.creationTimestamp = now;
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
  if (!rt.namespaced) delete m.namespace;
  if (hasStatusSubresource(rt) && !KEEP_STATUS_ON_CREATE.has(kindKey(rt))) obj.status = initialStatus(rt);
  if (kindKey(rt) === 'v1/Namespace') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (!Array.isArray(spec['finalizers'])) spec['finalizers'] = ['kubernetes'];
    obj.spec = spec;
  }
  applyDefaults(kindKey(rt), obj);
}

/** Namespaces Kubernetes never lets go: deleting one is Forbidden. */
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** Throws when `obj` may not be deleted at all (the system namespaces). */
export function checkDelete(rt: ResourceType, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  if (kindKey(rt) === 'v1/Namespace' && UNDELETABLE_NAMESPACES.has(name)) {
    throw new ApiError('Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
}

/** A namespace's spec.finalizers (the namespace controller's `kubernetes`) still hold its deletion. */
export function specFinalizersPending(rt: ResourceType, obj: KubeObject): boolean {
  if (kindKey(rt) !== 'v1/Namespace') return false;
  const fin = isObject(obj.spec) ? obj.spec['finalizers'] : undefined;
  return Array.isArray(fin) && fin.length > 0;
}

/** `next` is the client's desired object; returns the object to store. */
export function prepareForUpdate(rt: ResourceType, old: KubeObject, next: KubeObject, subresource: 'status' | 'finalize' | undefined): KubeObject {
  let out: KubeObject;
  if (subresource === 'status') {
    out = { ...structuredClone(old), status: next.status };
    // Labels and annotations may change with a status write (as the kubelet does for pods).
    out.metadata = { ...out.metadata, labels: next.metadata.labels ?? old.metadata.labels, annotations: next.metadata.annotations ?? old.metadata.annotations };
    if (out.metadata.labels === undefined) delete out.metadata.labels;
    if (out.metadata.annotations === undefined) delete out.metadata.annotations;
  } else {
    out = next;
    if (hasStatusSubresource(rt)) {
      if (old.status === undefined) delete out.status;
      else out.status = old.status;
    }
  }
  out.apiVersion = groupVersion(rt);
  out.kind = rt.kind;
  const m = out.metadata;
  const om = old.metadata;
  m.name = om.name;
  m.uid = om.uid;
  m.creationTimestamp = om.creationTimestamp;
  if (rt.namespaced) m.namespace = om.namespace;
  else delete m.namespace;
  if (om.deletionTimestamp) {
    m.deletionTimestamp = om.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  delete m.managedFields;
  if (m.generateName === undefined && om.generateName !== undefined) m.generateName = om.generateName;
  if (kindKey(rt) === 'v1/Namespace' && subresource !== 'finalize') keepNamespaceFinalizers(old, out);
  applyDefaults(kindKey(rt), out);
  m.generation = om.generation ?? 1;
  if (specChanged(old, out)) m.generation = (om.generation ?? 1) + 1;
  return out;
}

/** As Kubernetes: a namespace's spec.finalizers change only through its finalize subresource. */
function keepNamespaceFinalizers(old: KubeObject, out: KubeObject): void {
  const before = isObject(old.spec) ? old.spec['finalizers'] : undefined;
  const spec = isObject(out.spec) ? { ...out.spec } : {};
  if (before === undefined) delete spec['finalizers'];
  else spec['finalizers'] = before;
  out.spec = spec;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const rest: Record<string, unknown> = { ...o };
    delete rest['metadata'];
    delete rest['status'];
    delete rest['apiVersion'];
    delete rest['kind'];
    return rest;
  };
  return !isDeepStrictEqual(strip(a), strip(b));
}

/** Equal as stored: what decides whether a write is a no-op (no new resourceVersion). */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const norm = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return isDeepStrictEqual(JSON.parse(JSON.stringify(norm(a))), JSON.parse(JSON.stringify(norm(b))));
}

export function validate(rt: ResourceType, obj: KubeObject): FieldError[] {
  const errs = validateMeta(obj.metadata, { namespaced: rt.namespaced, nameRule: rt.kind === 'Namespace' ? 'label' : 'subdomain' });
  if (rt.kind === 'Event' || rt.kind === 'Node') {
    // Event and node names follow looser rules upstream (events embed dots and numbers).
    return errs.filter((e) => !(e.field === 'metadata.name' && e.reason === 'FieldValueInvalid')).concat(extra(rt, obj));
  }
  return errs.concat(extra(rt, obj));
}

function extra(rt: ResourceType, obj: KubeObject): FieldError[] {
  const v = VALIDATORS[kindKey(rt)];
  if (!v) return [];
  try {
    return v(obj);
  } catch {
    // A validator must never turn odd input into a 500: report the object as malformed.
    return [fe.invalid('spec', '<object>', 'malformed object')];
  }
}
