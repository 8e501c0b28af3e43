// Store keys: /registry/<group or core>/<plural>/[<namespace>/]<name>

import type { ResourceType } from '../api/scheme.js';
import { REGISTRY_PREFIX } from './cache.js';

export function resourcePrefix(rt: ResourceType): string {
  return `${REGISTRY_PREFIX}${rt.group || 'core'}/${rt.plural}/`;
}

/** Prefix of a collection: the whole resource, or one namespace of it. */
export function collectionPrefix(rt: ResourceType, namespace: string | undefined): string {
  return rt.namespaced && namespace ? `${resourcePrefix(rt)}${namespace}/` : resourcePrefix(rt);
}

export function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return rt.namespaced ? `${resourcePrefix(rt)}${namespace ?? ''}/${name}` : `${resourcePrefix(rt)}${name}`;
}
