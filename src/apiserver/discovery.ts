// Discovery: aggregated (apidiscovery.k8s.io v2 and v2beta1, one round trip) and legacy
// (APIVersions, APIGroupList, APIResourceList), all generated from the scheme table.

import { RESOURCES, groupsInOrder, type ResourceType } from '../api/scheme.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUB_VERBS = ['get', 'patch', 'update'];

function subresourceKind(rt: ResourceType, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'binding') return { group: '', version: 'v1', kind: 'Binding' };
  if (sub === 'exec') return { group: '', version: 'v1', kind: 'PodExecOptions' };
  return { group: rt.group, version: rt.version, kind: rt.kind };
}

function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  if (sub === 'exec') return ['create', 'get'];
  return sub === 'binding' ? ['create'] : SUB_VERBS;
}

function aggregatedResource(rt: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: rt.plural,
    singularResource: rt.singular,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    verbs: VERBS,
  };
  if (rt.shortNames.length) r['shortNames'] = rt.shortNames;
  if (rt.categories.length) r['categories'] = rt.categories;
  if (rt.subresources.length) {
    r['subresources'] = rt.subresources.map((s) => ({ subresource: s, responseKind: subresourceKind(rt, s), verbs: subresourceVerbs(s) }));
  }
  return r;
}

/** Aggregated discovery for `/api` (core only) or `/apis` (every named group). */
export function aggregated(core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const items = groupsInOrder()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: RESOURCES.filter((r) => r.group === g.group && r.version === v).map(aggregatedResource),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** The aggregated-discovery version the Accept header asks for first, if any. */
export function aggregatedVersionWanted(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const clause of (accept ?? '').split(',')) {
    if (!clause.includes('as=APIGroupDiscoveryList')) continue;
    if (clause.includes('v=v2beta1')) return 'v2beta1';
    if (clause.includes('v=v2')) return 'v2';
  }
  return undefined;
}

export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function legacyGroupList(): Record<string, unknown> {
  const groups = groupsInOrder()
    .filter((g) => g.group !== '')
    .map((g) => {
      const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
      return { name: g.group, versions, preferredVersion: versions[0] };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rts = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rts.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const rt of rts) {
    const r: Record<string, unknown> = { name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: VERBS };
    if (rt.shortNames.length) r['shortNames'] = rt.shortNames;
    if (rt.categories.length) r['categories'] = rt.categories;
    resources.push(r);
    for (const s of rt.subresources) {
      const k = subresourceKind(rt, s);
      resources.push({ name: `${rt.plural}/${s}`, singularName: '', namespaced: rt.namespaced, group: k.group, version: k.version, kind: k.kind, verbs: subresourceVerbs(s) });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
