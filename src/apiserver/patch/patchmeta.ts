// The patch-meta table: for each built-in kind, which lists merge (and by which key) instead of being
// replaced, and which maps are "retainKeys" (union-like structs such as Deployment.spec.strategy).
// Values come from the patchStrategy/patchMergeKey tags of k8s.io/api (reference §8.5). Fields not
// listed are replaced atomically when they are lists, merged recursively when they are maps.

/** How a list merges: by a key field for lists of objects, by value ('union') for lists of scalars. */
export type ListMerge = { readonly mergeKey: string } | 'union';

export interface FieldMeta {
  /** Absent: the list is replaced atomically. */
  readonly list?: ListMerge;
  /** The map (or each list item) drops members the applied value leaves out; see apply.ts. */
  readonly retainKeys?: boolean;
  /** The fields of this map, or of each item of this list. */
  readonly fields?: Fields;
}

export type Fields = Readonly<Record<string, FieldMeta>>;

/** `apps/v1/Deployment`; the core group has no prefix: `v1/Pod`. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The meta of one field, or undefined; own properties only, so `constructor` finds nothing. */
export function fieldMeta(fields: Fields | undefined, name: string): FieldMeta | undefined {
  return fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : undefined;
}

const byName: ListMerge = { mergeKey: 'name' };
const byType: ListMerge = { mergeKey: 'type' };
const byIp: ListMerge = { mergeKey: 'ip' };

const objectMeta: Fields = {
  ownerReferences: { list: { mergeKey: 'uid' } },
  finalizers: { list: 'union' },
};

const container: Fields = {
  ports: { list: { mergeKey: 'containerPort' } },
  env: { list: byName },
  volumeMounts: { list: { mergeKey: 'mountPath' } },
  volumeDevices: { list: { mergeKey: 'devicePath' } },
};

const podSpec: Fields = {
  containers: { list: byName, fields: container },
  initContainers: { list: byName, fields: container },
  ephemeralContainers: { list: byName, fields: container },
  imagePullSecrets: { list: byName },
  schedulingGates: { list: byName },
  volumes: { list: byName, retainKeys: true },
  hostAliases: { list: byIp },
  topologySpreadConstraints: { list: { mergeKey: 'topologyKey' } },
};

const podTemplateSpec: Fields = {
  metadata: { fields: objectMeta },
  spec: { fields: podSpec },
};

const podStatus: Fields = {
  conditions: { list: byType },
  podIPs: { list: byIp },
  hostIPs: { list: byIp },
};

const conditionsStatus: Fields = { conditions: { list: byType } };

/** Top-level fields of a kind: metadata always, plus spec/status sub-trees. */
function kind(spec?: Fields, status?: Fields): Fields {
  return {
    metadata: { fields: objectMeta },
    ...(spec ? { spec: { fields: spec } } : {}),
    ...(status ? { status: { fields: status } } : {}),
  };
}

const workloadSpec: Fields = { template: { fields: podTemplateSpec } };

/** To add a kind: one line here, composed from the sub-trees above (see README.md). */
export const PATCH_META: Readonly<Record<string, Fields>> = {
  'v1/Pod': kind(podSpec, podStatus),
  'v1/Service': kind({ ports: { list: { mergeKey: 'port' } } }, conditionsStatus),
  'v1/Node': kind({ podCIDRs: { list: 'union' } }, { conditions: { list: byType }, addresses: { list: byType } }),
  'v1/Namespace': kind(undefined, conditionsStatus),
  'v1/ConfigMap': kind(),
  'v1/Secret': kind(),
  'v1/ServiceAccount': kind(),
  'v1/Endpoints': kind(),
  'v1/Event': kind(),
  'apps/v1/Deployment': kind({ ...workloadSpec, strategy: { retainKeys: true } }, conditionsStatus),
  'apps/v1/ReplicaSet': kind(workloadSpec, conditionsStatus),
  'batch/v1/Job': kind(workloadSpec, conditionsStatus),
  'autoscaling/v1/HorizontalPodAutoscaler': kind(),
  'autoscaling/v2/HorizontalPodAutoscaler': kind(undefined, conditionsStatus),
  'networking.k8s.io/v1/Ingress': kind(),
};

/** The field tree of a kind, or undefined for kinds without one (custom kinds): those merge like RFC 7386. */
export function patchMetaFor(kindKeyValue: string): Fields | undefined {
  return Object.hasOwn(PATCH_META, kindKeyValue) ? PATCH_META[kindKeyValue] : undefined;
}
