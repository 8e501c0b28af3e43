// The service proxy against the kernel: real `nft` in a network namespace of its own. An incremental update leaves
// the same ruleset as a full load; `minik8s proxy` (a real process, real API server) follows Services and
// EndpointSlices; `minik8s proxy --cleanup` removes its table.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startTestServer, type TestServer } from './support/apiserver.js';
import { until, untilTrue } from './support/until.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import type { EndpointSlice, Service } from '../src/api/services.js';
import { buildRuleset } from '../src/proxy/ruleset.js';
import { Applier, hostPacketFilter } from '../src/proxy/nft.js';
import { NftSession } from '../src/proxy/nftsession.js';
import type { ServicePort } from '../src/proxy/model.js';

const run = promisify(execFile);
const SERVICES = lookupResource('', 'v1', 'services') as ResourceType;
const SLICES = lookupResource('discovery.k8s.io', 'v1', 'endpointslices') as ResourceType;

async function netns(name: string): Promise<() => Promise<void>> {
  await run('ip', ['netns', 'add', name]);
  return async () => {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
  };
}

async function listTable(ns: string, table: string): Promise<string> {
  return (await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', table])).stdout;
}

/** The listing as a sorted multiset of lines: element and chain order is the kernel's business. */
function normalized(listing: string): string[] {
  return listing
    .split('\n')
    .flatMap((l) =>
      l
        .replace(/^\s*elements = \{\s*/, '')
        .replace(/\s*\}\s*$/, '')
        .split(','),
    )
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '}')
    .sort();
}

function port(id: string, ip: string, eps: string[], extra: Partial<ServicePort> = {}): ServicePort {
  return { id, clusterIP: ip, protocol: 'tcp', port: 80, endpoints: eps.map((e) => ({ ip: e, port: 8080 })), ...extra };
}

describe('service proxy on the kernel', () => {
  const tag = `svcp${process.pid}`;
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('an incremental update leaves exactly what a full load of the new state leaves', async () => {
    cleanups.push(await netns(`${tag}-a`), await netns(`${tag}-b`));
    const before = [
      port('default/a/tcp/', '10.96.1.1', ['10.244.1.2', '10.244.2.2']),
      port('default/b/tcp/http', '10.96.1.2', ['10.244.1.3'], { nodePort: 30001, affinitySeconds: 30 }),
      port('default/c/tcp/', '10.96.1.3', []),
    ];
    const afterState = [
      port('default/a/tcp/', '10.96.1.1', ['10.244.1.2', '10.244.3.2', '10.244.4.2']),
      port('default/c/tcp/', '10.96.1.3', ['10.244.1.9']),
      port('default/d/tcp/', '10.96.1.4', [], { nodePort: 30002 }),
    ];
    const opts = { clusterCidr: '10.244.0.0/16', table: 'minik8s-proxy' };
    const filterA = hostPacketFilter({ netns: `${tag}-a` });
    const filterB = hostPacketFilter({ netns: `${tag}-b` });
    cleanups.push(
      () => filterA.close(),
      () => filterB.close(),
    );
    const incremental = new Applier(filterA);
    assert.equal((await incremental.apply(buildRuleset(before, opts))).full, true);
    const step = await incremental.apply(buildRuleset(afterState, opts));
    assert.equal(step.full, false);
    assert.equal((await incremental.apply(buildRuleset(afterState, opts))).lines, 0, 'no change, nothing sent');
    const full = new Applier(filterB);
    await full.apply(buildRuleset(afterState, opts));
    const a = normalized(await listTable(`${tag}-a`, 'minik8s-proxy'));
    const b = normalized(await listTable(`${tag}-b`, 'minik8s-proxy'));
    assert.deepEqual(a, b);
    assert.ok(!a.some((l) => l.includes('default/b/')), 'the removed Service left no chain, set or element behind');
  });

  it('runs transactions through one nft session: atomic, errors with their line, sees other writers, replaced after maxTransactions', async () => {
    const ns = `${tag}-s`;
    cleanups.push(await netns(ns));
    const nftIn = (args: string[]) => run('ip', ['netns', 'exec', ns, 'nft', ...args]);
    const tables = async () => (await nftIn(['list', 'tables'])).stdout;
    const session = new NftSession({ command: ['nsenter', `--net=/run/netns/${ns}`, 'nft'], maxTransactions: 3 });
    cleanups.push(() => session.close());
    await session.run('add table ip one\nadd set ip one s { type ipv4_addr ; }\n');
    assert.match(await tables(), /table ip one/);
    // One transaction: the good first line must not survive the bad second one.
    await assert.rejects(session.run('add table ip two\nadd element ip one nosuch { 10.0.0.1 }\n'), /tx\.nft:2:.*Error: No such file or directory/s);
    assert.doesNotMatch(await tables(), /table ip two/);
    // Another process adds a set; the session's cache must see it to type the element.
    await nftIn(['add table ip other; add set ip other s { type ipv4_addr ; }']);
    await session.run('add element ip other s { 10.0.0.2 }\nadd element ip one s { 10.0.0.3 }\n');
    assert.match((await nftIn(['list', 'set', 'ip', 'other', 's'])).stdout, /10\.0\.0\.2/);
    assert.match((await nftIn(['list', 'set', 'ip', 'one', 's'])).stdout, /10\.0\.0\.3/);
    for (let i = 0; i < 4; i++) await session.run(`add element ip one s { 10.0.1.${i} }\n`);
    assert.equal(session.stats.transactions, 7);
    assert.ok(session.stats.processes >= 3, `nft replaced every 3 transactions (${session.stats.processes} processes)`);
    assert.match((await nftIn(['list', 'set', 'ip', 'one', 's'])).stdout, /10\.0\.1\.3/);
    const dir = session.directory as string;
    assert.ok(existsSync(dir));
    await session.close();
    assert.ok(!existsSync(dir), 'close removes the session directory (transaction file, nft history)');
    await session.run('delete table ip one\n');
    assert.doesNotMatch(await tables(), /table ip one/);
  });

  describe('minik8s proxy', () => {
    let server: TestServer;
    let proxy: ChildProcess | undefined;
    const ns = `${tag}-p`;
    before(async () => {
      server = await startTestServer();
      cleanups.push(await netns(ns));
    });
    after(async () => {
      proxy?.kill('SIGKILL');
      await server.stop();
    });

    it('programs Services from EndpointSlices, follows readiness, and --cleanup removes its table', async () => {
      const bin = join(REPO_ROOT, 'bin/minik8s');
      proxy = spawn(bin, ['proxy', '--kubeconfig', server.kubeconfig, '--netns', ns], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proxy.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      const svc = await server.client
        .resource<Service>(SERVICES)
        .create(
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
          { namespace: 'default' },
        );
      const ip = svc.spec.clusterIP ?? '';
      const slice = (ready: boolean): EndpointSlice => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready } }],
      });
      const slices = server.client.resource<EndpointSlice>(SLICES);
      const made = await slices.create(slice(true), { namespace: 'default' });
      const element = `${ip} . tcp . 80 : goto service-`;
      await untilTrue(
        () => `${element} in the kernel's service-ips; proxy stderr: ${err}`,
        async () => (await listTable(ns, 'minik8s-proxy')).includes(element),
        20_000,
      );
      assert.match(await listTable(ns, 'minik8s-proxy'), /dnat to 10\.244\.1\.2:8080/);
      // The endpoint turns not ready: the Service leaves service-ips for no-endpoint-services (connections refused).
      await slices.update({ ...slice(false), metadata: { ...slice(false).metadata, resourceVersion: made.metadata.resourceVersion } });
      await until(
        'the Service to move to no-endpoint-services',
        async () => {
          const t = await listTable(ns, 'minik8s-proxy');
          return t.includes(`${ip} . tcp . 80 : goto reject-chain`) && !t.includes('dnat to 10.244.1.2') ? true : undefined;
        },
        10_000,
      );
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy?.once('exit', r));
      proxy = undefined;
      await run(bin, ['proxy', '--cleanup', '--netns', ns]);
      const tables = (await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'])).stdout;
      assert.doesNotMatch(tables, /minik8s-proxy/);
    });
  });
});
