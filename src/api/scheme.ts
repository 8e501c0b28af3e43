// The one literal table of API kinds. Routes, discovery, OpenAPI, the client and the CLI are
// all driven from it. Adding a kind = adding a row here (plus a printer and a validator).

export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'exec';

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  categories: readonly string[];
  subresources: readonly Subresource[];
  /** Field selectors beyond metadata.name / metadata.namespace, with how to read them. */
  fields?: Readonly<Record<string, (obj: Record<string, unknown>) => string | undefined>>;
}

const all = ['all'] as const;

function path(obj: Record<string, unknown>, ...keys: string[]): string | undefined {
  let cur: unknown = obj;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'string' ? cur : typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : undefined;
}

const podFields = {
  'spec.nodeName': (o: Record<string, unknown>) => path(o, 'spec', 'nodeName'),
  'spec.restartPolicy': (o: Record<string, unknown>) => path(o, 'spec', 'restartPolicy'),
  'spec.schedulerName': (o: Record<string, unknown>) => path(o, 'spec', 'schedulerName'),
  'spec.serviceAccountName': (o: Record<string, unknown>) => path(o, 'spec', 'serviceAccountName'),
  'spec.hostNetwork': (o: Record<string, unknown>) => path(o, 'spec', 'hostNetwork') ?? 'false',
  'status.phase': (o: Record<string, unknown>) => path(o, 'status', 'phase'),
  'status.podIP': (o: Record<string, unknown>) => path(o, 'status', 'podIP'),
  'status.nominatedNodeName': (o: Record<string, unknown>) => path(o, 'status', 'nominatedNodeName'),
};

type FieldFn = (o: Record<string, unknown>) => string | undefined;

const eventFields: Record<string, FieldFn> = {
  reason: (o) => path(o, 'reason'),
  reportingComponent: (o) => path(o, 'reportingComponent'),
  source: (o) => path(o, 'source', 'component'),
  type: (o) => path(o, 'type'),
};
for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
  eventFields[`involvedObject.${f}`] = (o) => path(o, 'involvedObject', f);
}

export const RESOURCES: readonly ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, categories: [], subresources: ['status'], fields: { 'status.phase': (o) => path(o, 'status', 'phase') } },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, categories: [], subresources: ['status'], fields: { 'spec.unschedulable': (o) => path(o, 'spec', 'unschedulable') ?? 'false' } },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], namespaced: true, categories: all, subresources: ['status', 'binding', 'log', 'exec'], fields: podFields },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], namespaced: true, categories: all, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'], namespaced: true, categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true, categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', shortNames: [], namespaced: true, categories: [], subresources: [], fields: { type: (o) => path(o, 'type') } },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'], namespaced: true, categories: [], subresources: [], fields: eventFields },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'], namespaced: true, categories: all, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], namespaced: true, categories: all, subresources: ['status', 'scale'] },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', shortNames: [], namespaced: true, categories: all, subresources: ['status'] },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', shortNames: ['hpa'], namespaced: true, categories: all, subresources: ['status'] },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', shortNames: [], namespaced: true, categories: [], subresources: [] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', shortNames: ['ing'], namespaced: true, categories: [], subresources: ['status'] },
];

export function groupVersion(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** Key used by per-kind tables (patch metadata, printers, validators): `apps/v1/Deployment`, `v1/Pod`. */
export function kindKey(rt: Pick<ResourceType, 'group' | 'version' | 'kind'>): string {
  return `${groupVersion(rt)}/${rt.kind}`;
}

const byGvr = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byGvk = new Map(RESOURCES.map((r) => [`${groupVersion(r)}/${r.kind}`, r]));

export function lookupResource(group: string, version: string, plural: string): ResourceType | undefined {
  return byGvr.get(`${group}/${version}/${plural}`);
}

export function lookupKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byGvk.get(`${apiVersion}/${kind}`);
}

/** Resolves what a user types: `pods`, `pod`, `po`, `Pod`, `deployments.apps`, `deploy.apps`. */
export function resolveResource(name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot === -1 ? lower : lower.slice(0, dot);
  const group = dot === -1 ? undefined : lower.slice(dot + 1);
  return RESOURCES.find(
    (r) =>
      (group === undefined || r.group === group || `${r.version}.${r.group}` === group) &&
      (r.plural === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)),
  );
}

export function groupsInOrder(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push((g = { group: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}
