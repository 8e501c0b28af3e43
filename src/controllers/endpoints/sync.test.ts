// syncEndpoints over pre-filled, deep-frozen caches with a client that records its writes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { Endpoints, EndpointSlice, Service } from '../../api/services.js';
import { byNamespace, Store } from '../../machinery/store.js';
import { NAMESPACE_INDEX } from '../../machinery/informer.js';
import type { Pod } from '../api.js';
import { syncEndpoints, type EndpointWrites, type Kind } from './sync.js';
import { MIRRORED_BY } from './desired.js';

interface Write {
  op: 'create' | 'update' | 'delete';
  kind: Kind;
  name: string;
  obj?: KubeObject;
}

function cache<T extends KubeObject>(items: T[]): Store<T> {
  const s = new Store<T>({ freeze: 'deep', indexers: { [NAMESPACE_INDEX]: byNamespace } });
  for (const i of items) s.upsert(structuredClone(i));
  return s;
}

function recorder(): { writes: EndpointWrites; log: Write[] } {
  const log: Write[] = [];
  return {
    log,
    writes: {
      create: (kind, obj) => Promise.resolve(void log.push({ op: 'create', kind, name: obj.metadata.name ?? '', obj })),
      update: (kind, obj) => Promise.resolve(void log.push({ op: 'update', kind, name: obj.metadata.name ?? '', obj })),
      delete: (kind, _ns, name) => Promise.resolve(void log.push({ op: 'delete', kind, name })),
    },
  };
}

function service(name: string, spec: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  };
}

function pod(
  name: string,
  opts: {
    app: string;
    ip?: string;
    ready?: boolean;
    node?: string;
    deleting?: boolean;
    phase?: 'Running' | 'Succeeded';
    ports?: { name: string; containerPort: number }[];
  },
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: opts.app },
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { nodeName: opts.node ?? 'n1', containers: [{ name: 'c', image: 'x', ports: opts.ports ?? [] }] },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.ip ? { podIP: opts.ip } : {}),
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

async function run(opts: { services: Service[]; pods?: Pod[]; endpoints?: Endpoints[]; slices?: EndpointSlice[] }, key: string): Promise<Write[]> {
  const r = recorder();
  await syncEndpoints(
    {
      services: cache(opts.services),
      pods: cache(opts.pods ?? []),
      endpoints: cache(opts.endpoints ?? []),
      slices: cache(opts.slices ?? []),
      writes: r.writes,
    },
    key,
  );
  return r.log;
}

const created = <T extends KubeObject>(log: Write[], kind: Kind): T[] => log.filter((w) => w.op === 'create' && w.kind === kind).map((w) => w.obj as T);

describe('endpoints sync', () => {
  it('lists ready pods as addresses and not-ready ones as notReadyAddresses, ignoring pods without IP, finished or deleting', async () => {
    const pods = [
      pod('a', { app: 'web', ip: '10.244.1.3' }),
      pod('b', { app: 'web', ip: '10.244.2.2', ready: false }),
      pod('c', { app: 'web' }),
      pod('d', { app: 'web', ip: '10.244.1.9', phase: 'Succeeded' }),
      pod('e', { app: 'web', ip: '10.244.1.10', deleting: true }),
      pod('f', { app: 'other', ip: '10.244.1.11' }),
    ];
    const log = await run({ services: [service('web')], pods }, 'default/web');
    const [ep] = created<Endpoints>(log, 'endpoints');
    assert.deepEqual(
      ep?.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports]),
      [[['10.244.1.3'], ['10.244.2.2'], [{ name: 'http', port: 8080, protocol: 'TCP' }]]],
    );
    const [slice] = created<EndpointSlice>(log, 'endpointslices');
    assert.equal(slice?.metadata.labels?.['kubernetes.io/service-name'], 'web');
    assert.deepEqual(
      slice?.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready, e.conditions?.terminating, e.nodeName]),
      [
        ['10.244.1.3', true, false, 'n1'],
        ['10.244.1.10', false, true, 'n1'],
        ['10.244.2.2', false, false, 'n1'],
      ],
    );
    assert.equal(slice?.metadata.ownerReferences?.[0]?.uid, 'uid-web');
  });

  it('resolves named target ports per pod and groups pods by the ports they resolve to', async () => {
    const svc = service('named', { ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
    const pods = [
      pod('a', { app: 'named', ip: '10.244.1.2', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { app: 'named', ip: '10.244.1.3', ports: [{ name: 'web', containerPort: 9090 }] }),
      pod('c', { app: 'named', ip: '10.244.1.4' }),
    ];
    const log = await run({ services: [svc], pods }, 'default/named');
    const [ep] = created<Endpoints>(log, 'endpoints');
    assert.deepEqual(
      ep?.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.port)]),
      [
        [['10.244.1.2'], [8080]],
        [['10.244.1.3'], [9090]],
      ],
    );
    assert.equal(created<EndpointSlice>(log, 'endpointslices').length, 3, 'one slice per port set, the pod without the port in its own');
  });

  it('keeps several ports of one Service in one subset', async () => {
    const svc = service('multi', {
      ports: [
        { name: 'a', port: 80, targetPort: 8080 },
        { name: 'b', port: 53, targetPort: 5353, protocol: 'UDP' },
      ],
    });
    const log = await run({ services: [svc], pods: [pod('p', { app: 'multi', ip: '10.244.0.5' })] }, 'default/multi');
    assert.deepEqual(created<Endpoints>(log, 'endpoints')[0]?.subsets?.[0]?.ports, [
      { name: 'a', port: 8080, protocol: 'TCP' },
      { name: 'b', port: 5353, protocol: 'UDP' },
    ]);
  });

  it('writes nothing when the stored objects already match, and updates only what changed', async () => {
    const svc = service('web');
    const first = await run({ services: [svc], pods: [pod('a', { app: 'web', ip: '10.244.1.3' })] }, 'default/web');
    const ep = {
      ...(created<Endpoints>(first, 'endpoints')[0] as Endpoints),
      metadata: { ...(created<Endpoints>(first, 'endpoints')[0] as Endpoints).metadata, resourceVersion: '5' },
    };
    const slice = created<EndpointSlice>(first, 'endpointslices')[0] as EndpointSlice;
    assert.deepEqual(await run({ services: [svc], pods: [pod('a', { app: 'web', ip: '10.244.1.3' })], endpoints: [ep], slices: [slice] }, 'default/web'), []);
    const turned = await run(
      { services: [svc], pods: [pod('a', { app: 'web', ip: '10.244.1.3', ready: false })], endpoints: [ep], slices: [slice] },
      'default/web',
    );
    assert.deepEqual(
      turned.map((w) => [w.op, w.kind]),
      [
        ['update', 'endpointslices'],
        ['update', 'endpoints'],
      ],
    );
    const updated = turned[1]?.obj as Endpoints;
    assert.equal(updated.metadata.resourceVersion, '5', 'an update carries the cached resourceVersion');
    assert.equal(updated.subsets?.[0]?.addresses, undefined);
  });

  it('removes Endpoints and slices of a deleted Service', async () => {
    const svc = service('gone');
    const first = await run({ services: [svc] }, 'default/gone');
    const ep = created<Endpoints>(first, 'endpoints')[0] as Endpoints;
    const slice = created<EndpointSlice>(first, 'endpointslices')[0] as EndpointSlice;
    assert.deepEqual(ep.subsets, []);
    const log = await run({ services: [], endpoints: [ep], slices: [slice] }, 'default/gone');
    assert.deepEqual(log.map((w) => [w.op, w.kind]).sort(), [
      ['delete', 'endpoints'],
      ['delete', 'endpointslices'],
    ]);
  });

  it('mirrors the Endpoints of a selectorless Service into a slice, and leaves the Endpoints alone', async () => {
    const svc = service('dns', { selector: {}, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const ep: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'dns', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.200.0.1' }], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }] }],
    };
    const log = await run({ services: [svc], endpoints: [ep] }, 'default/dns');
    assert.deepEqual(
      log.map((w) => [w.op, w.kind]),
      [['create', 'endpointslices']],
    );
    const slice = created<EndpointSlice>(log, 'endpointslices')[0];
    assert.equal(slice?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], MIRRORED_BY);
    assert.deepEqual(slice?.endpoints?.[0]?.addresses, ['10.200.0.1']);
    assert.deepEqual(slice?.ports, [{ name: 'dns', port: 5353, protocol: 'UDP' }]);
  });

  it('does not mirror Endpoints marked skip-mirror (the API server writes the kubernetes slice itself)', async () => {
    const svc = service('kubernetes', { selector: {} });
    const ep: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [],
    };
    assert.deepEqual(await run({ services: [svc], endpoints: [ep] }, 'default/kubernetes'), []);
  });
});
