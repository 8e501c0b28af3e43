// Service IP and node port allocation through a real API server (SQLite store): chosen IPs honoured or refused
// (422, as Kubernetes: "provided IP is already allocated", out of range), no duplicates, addresses released on
// delete and reusable, the `default/kubernetes` Service, and allocations that survive an API server restart.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApiServer, startTestServer, type TestServer } from './support/apiserver.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { isApiError, type ApiError } from '../src/api/errors.js';
import type { KubeObject } from '../src/api/meta.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { ApiServer } from '../src/apiserver/server.js';
import { SqliteStore } from '../src/storage/sqlite.js';

const SERVICES = lookupResource('', 'v1', 'services') as ResourceType;
const ENDPOINTS = lookupResource('', 'v1', 'endpoints') as ResourceType;
const SLICES = lookupResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType;

interface Spec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports: { name?: string; port: number; nodePort?: number; targetPort?: number | string; protocol?: string }[];
}

function svc(name: string, spec: Partial<Spec> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

const specOf = (o: KubeObject): Spec => o.spec as Spec;

async function rejected(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  assert.fail('expected the API server to refuse the write');
}

describe('Service allocation', () => {
  let server: TestServer;
  const ns = { namespace: 'default' };
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  it('keeps default/kubernetes at the first address, with Endpoints and an EndpointSlice at the API server', async () => {
    const k = await server.client.resource(SERVICES).get('kubernetes', ns);
    assert.equal(specOf(k).clusterIP, '10.96.0.1');
    assert.deepEqual(
      specOf(k).ports.map((p) => [p.name, p.port, p.targetPort]),
      [['https', 443, server.port]],
    );
    const ep = await server.client.resource(ENDPOINTS).get('kubernetes', ns);
    assert.match(JSON.stringify(ep['subsets']), new RegExp(`"port":${server.port}`));
    const slice = await server.client.resource(SLICES).get('kubernetes', ns);
    assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kubernetes');
  });

  it('allocates distinct cluster IPs from 10.96.0.0/12, outside the low band', async () => {
    const ips = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const s = await server.client.resource(SERVICES).create(svc(`alloc-${i}`), ns);
      const ip = specOf(s).clusterIP ?? '';
      assert.match(ip, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/, `cluster IP ${ip} not in 10.96.0.0/12`);
      assert.notEqual(ip.startsWith('10.96.0.'), true, `${ip} was taken from the band left for chosen IPs`);
      assert.deepEqual(specOf(s).clusterIPs, [ip]);
      ips.add(ip);
    }
    assert.equal(ips.size, 20);
  });

  it('honours a chosen IP and refuses it twice with 422 "provided IP is already allocated"', async () => {
    const a = await server.client.resource(SERVICES).create(svc('chosen-a', { clusterIP: '10.96.0.50' }), ns);
    assert.equal(specOf(a).clusterIP, '10.96.0.50');
    const e = await rejected(server.client.resource(SERVICES).create(svc('chosen-b', { clusterIP: '10.96.0.50' }), ns));
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.match(e.message, /provided IP is already allocated/);
    assert.equal(e.details?.causes?.[0]?.field, 'spec.clusterIPs');
  });

  it('refuses an IP outside the range', async () => {
    const e = await rejected(server.client.resource(SERVICES).create(svc('outside', { clusterIP: '10.0.0.5' }), ns));
    assert.equal(e.code, 422);
    assert.match(e.message, /not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/12/);
  });

  it('releases the IP on delete, and it can be chosen again', async () => {
    await server.client.resource(SERVICES).create(svc('reuse-a', { clusterIP: '10.96.0.60' }), ns);
    await server.client.resource(SERVICES).delete('reuse-a', ns);
    const b = await server.client.resource(SERVICES).create(svc('reuse-b', { clusterIP: '10.96.0.60' }), ns);
    assert.equal(specOf(b).clusterIP, '10.96.0.60');
  });

  it('does not let a failed create keep its IP (name taken)', async () => {
    await server.client.resource(SERVICES).create(svc('taken', { clusterIP: '10.96.0.61' }), ns);
    const e = await rejected(server.client.resource(SERVICES).create(svc('taken', { clusterIP: '10.96.0.62' }), ns));
    assert.equal(e.reason, 'AlreadyExists');
    const c = await server.client.resource(SERVICES).create(svc('other', { clusterIP: '10.96.0.62' }), ns);
    assert.equal(specOf(c).clusterIP, '10.96.0.62');
  });

  it('keeps the cluster IP across a replace without it, and refuses changing it', async () => {
    const s = await server.client.resource(SERVICES).create(svc('immutable'), ns);
    const replaced = await server.client.resource(SERVICES).update({ ...s, spec: { selector: { app: 'x' }, ports: [{ port: 81 }] } });
    assert.equal(specOf(replaced).clusterIP, specOf(s).clusterIP);
    const e = await rejected(
      server.client.resource(SERVICES).update({ ...replaced, spec: { ...specOf(replaced), clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70'] } }),
    );
    assert.equal(e.code, 422);
  });

  it('allocates node ports in 30000-32767, refuses duplicates and out-of-range, releases them', async () => {
    const a = await server.client.resource(SERVICES).create(
      svc('np-a', {
        type: 'NodePort',
        ports: [
          { name: 'http', port: 80 },
          { name: 'x', port: 81, nodePort: 31000 },
        ],
      }),
      ns,
    );
    const ports = specOf(a).ports.map((p) => p.nodePort ?? 0);
    assert.ok(ports[0] !== undefined && ports[0] >= 30000 && ports[0] <= 32767, `node port ${String(ports[0])}`);
    assert.equal(ports[1], 31000);
    const dup = await rejected(server.client.resource(SERVICES).create(svc('np-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }), ns));
    assert.equal(dup.code, 422);
    assert.match(dup.message, /provided port is already allocated/);
    const out = await rejected(server.client.resource(SERVICES).create(svc('np-c', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }), ns));
    assert.match(out.message, /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
    // Turning the Service into a ClusterIP one frees its node ports.
    await server.client.resource(SERVICES).patch('np-a', 'merge', { spec: { type: 'ClusterIP' } }, ns);
    const again = await server.client.resource(SERVICES).create(svc('np-d', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }), ns);
    assert.equal(specOf(again).ports[0]?.nodePort, 31000);
  });

  it('gives headless Services no IP', async () => {
    const h = await server.client.resource(SERVICES).create(svc('headless', { clusterIP: 'None' }), ns);
    assert.equal(specOf(h).clusterIP, 'None');
  });
});

describe('Service allocation across an API server restart', () => {
  it('keeps every allocation: a restarted server refuses the same IP and node port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-svc-restart-'));
    let proc = await spawnApiServer({ dataDir });
    try {
      let client = Client.fromConnection(loadKubeconfig({ path: proc.kubeconfig }));
      const made = await client.resource(SERVICES).create(svc('persist', { type: 'NodePort', ports: [{ port: 80 }] }), { namespace: 'default' });
      client.close();
      await proc.kill();
      proc = await spawnApiServer({ dataDir });
      client = Client.fromConnection(loadKubeconfig({ path: proc.kubeconfig }));
      const ip = specOf(made).clusterIP ?? '';
      const nodePort = specOf(made).ports[0]?.nodePort ?? 0;
      const e = await rejected(client.resource(SERVICES).create(svc('persist-2', { clusterIP: ip }), { namespace: 'default' }));
      assert.match(e.message, /provided IP is already allocated/);
      const p = await rejected(
        client.resource(SERVICES).create(svc('persist-3', { type: 'NodePort', ports: [{ port: 80, nodePort }] }), { namespace: 'default' }),
      );
      assert.match(p.message, /provided port is already allocated/);
      const k = await client.resource(SERVICES).get('kubernetes', { namespace: 'default' });
      assert.equal(specOf(k).clusterIP, '10.96.0.1');
      client.close();
    } finally {
      await proc.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Service allocation repair', () => {
  it('frees, on start, claims that no Service holds (a crash between the claim and the write)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minik8s-svc-repair-'));
    const store = new SqliteStore(join(dir, 'state.db'));
    await store.create('/ranges/serviceips/10.96.0.77', JSON.stringify({ namespace: 'default', name: 'ghost' }));
    await store.create('/ranges/servicenodeports/31777', JSON.stringify({ namespace: 'default', name: 'ghost' }));
    const server = new ApiServer({ store, port: 0, bindAddress: '127.0.0.1', tokens: [] });
    const { port } = await server.start();
    const client = Client.fromConnection({ server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: false, namespace: 'default', context: 'test' });
    try {
      const s = await client
        .resource(SERVICES)
        .create(svc('reborn', { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 31777 }] }), { namespace: 'default' });
      assert.equal(specOf(s).clusterIP, '10.96.0.77');
      assert.equal(specOf(s).ports[0]?.nodePort, 31777);
      assert.ok(await store.get('/ranges/serviceips/10.96.0.1'), 'the kubernetes Service keeps its claim');
    } finally {
      client.close();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
