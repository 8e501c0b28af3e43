// The schema table: every object type the server knows field by field, and which type is the top
// level of each kind. Groups of types live one file per API group; this file joins them.

import { APPS } from './apps.js';
import { AUTOSCALING } from './autoscaling.js';
import { BATCH } from './batch.js';
import { CORE } from './core.js';
import { DISCOVERY } from './discovery.js';
import { META } from './meta.js';
import { NETWORKING } from './networking.js';
import type { Field, ObjectType, TypeGroup } from './types.js';

export const GROUPS: readonly TypeGroup[] = [META, CORE, APPS, BATCH, AUTOSCALING, NETWORKING, DISCOVERY];

/** The top-level type of each kind, by kind key (`apps/v1/Deployment`, `v1/Pod`). */
export const KIND_TYPES: Readonly<Record<string, string>> = {
  'v1/Namespace': 'Namespace',
  'v1/Node': 'Node',
  'v1/Pod': 'Pod',
  'v1/Service': 'Service',
  'v1/Endpoints': 'Endpoints',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Event': 'Event',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscaler',
  'networking.k8s.io/v1/Ingress': 'Ingress',
  'discovery.k8s.io/v1/EndpointSlice': 'EndpointSlice',
};

interface Entry {
  readonly qualified: string;
  readonly type: ObjectType;
}

const byName = new Map<string, Entry>();
for (const g of GROUPS) {
  for (const [name, type] of Object.entries(g.types)) {
    // Short names are the `ref` targets, so they must be unique across groups.
    if (byName.has(name)) throw new Error(`schema: type ${name} is defined twice`);
    byName.set(name, { qualified: `${g.pkg}.${name}`, type });
  }
}

/** An object type by its short name (`Container`), or undefined. */
export function lookupType(name: string): ObjectType | undefined {
  return byName.get(name)?.type;
}

/** The OpenAPI component name of a type: `io.k8s.api.core.v1.Container`. */
export function qualifiedName(name: string): string | undefined {
  return byName.get(name)?.qualified;
}

/** Short names of every type in the table. */
export function typeNames(): string[] {
  return [...byName.keys()];
}

/** The short name of a kind's top-level type, or undefined for kinds outside the table (custom kinds). */
export function kindTypeName(kindKey: string): string | undefined {
  return Object.hasOwn(KIND_TYPES, kindKey) ? KIND_TYPES[kindKey] : undefined;
}

/** The type names a field refers to directly (through lists and maps). */
export function fieldRefs(f: Field): string[] {
  let cur: Field = f;
  for (;;) {
    if (cur.t === 'list') cur = cur.items;
    else if (cur.t === 'map') cur = cur.values;
    else return cur.t === 'ref' ? [cur.name] : [];
  }
}

/** Every type reachable from the named ones, the named ones first. */
export function reachableTypes(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const t = lookupType(name);
    if (t) for (const f of Object.values(t.fields)) queue.push(...fieldRefs(f));
  }
  return [...seen];
}
