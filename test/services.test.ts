// Services end to end on a single node (`minik8s server` on the host's Docker Engine, as `npm run up`): a client
// pod sees strict rotation over three backends through a ClusterIP (named targetPort), a backend that turns
// not-ready stops receiving traffic, a pod reaches its own Service (hairpin), and the host reaches the Service
// through its NodePort and its cluster IP.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { kubectl } from './support/kubectl.js';
import { until } from './support/until.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';
import { answers, backendPod, clientPod, fetchLoop, service, turnNotReady } from './support/services.js';

const run = promisify(execFile);

async function httpGet(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10000) });
  return (await res.text()).trim();
}

describe('Services on a single node (host Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-svc-'));
  const node = `svc-${process.pid}`;
  const table = `minik8s-proxy-${process.pid}`;
  let server: ServerProcess | undefined;
  const k = (args: string[], stdin?: string) => kubectl(args, { kubeconfig: server?.kubeconfig ?? '', ...(stdin ? { stdin } : {}), timeoutMs: 60_000 });
  after(async () => {
    if (server) await k(['delete', 'pods', '--all', '--grace-period=1', '--timeout=60s', '--wait=true']).catch(() => undefined);
    await server?.kill();
    await removePodNetwork(node);
    await run(join(REPO_ROOT, 'bin/minik8s'), ['proxy', '--cleanup', '--proxy-table', table]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rotates strictly, drops a not-ready backend, serves a pod its own Service and the host its NodePort', async () => {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs({ proxyTable: table }))],
    });
    const objects = [
      backendPod('web-0', { app: 'web' }),
      backendPod('web-1', { app: 'web' }),
      backendPod('web-2', { app: 'web' }),
      clientPod('client'),
      service('web', { app: 'web', type: 'NodePort' }),
    ];
    const applied = await k(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    assert.equal(applied.code, 0, applied.stderr);
    const seen = async (): Promise<string> => {
      const pods = await k(['get', 'pods', '-o', 'wide']);
      const eps = await k(['get', 'endpoints', 'web', '-o', 'yaml']);
      const ev = await k(['get', 'events']);
      return `pods:\n${pods.stdout}${pods.stderr}\nendpoints:\n${eps.stdout}${eps.stderr}\nevents:\n${ev.stdout}`;
    };
    await until(
      async () => `three ready endpoints; ${await seen()}`,
      async () => {
        const r = await k(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
        return r.stdout.split(' ').filter(Boolean).length === 3 ? r.stdout : undefined;
      },
      240_000,
    );
    await until(
      'the client to run',
      async () => ((await k(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running' ? true : undefined),
      120_000,
    );
    const svc = JSON.parse((await k(['get', 'svc', 'web', '-o', 'json'])).stdout) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
    const ip = svc.spec.clusterIP;

    // Strict rotation from a pod: each backend once per round, in the same order every round.
    const fromPod = await until('answers from the client pod', async () => {
      const r = await k(['exec', 'client', '--', ...fetchLoop(`http://${ip}/`, 9)]);
      const lines = answers(r.stdout);
      return lines.length === 9 && !lines.includes('ERR') ? lines : undefined;
    });
    assert.deepEqual(new Set(fromPod.slice(0, 3)), new Set(['web-0', 'web-1', 'web-2']), `answers: ${fromPod.join(',')}`);
    for (let i = 3; i < 9; i++) assert.equal(fromPod[i], fromPod[i % 3], `not a strict rotation: ${fromPod.join(',')}`);

    // A pod reaching its own Service lands on itself once per round (hairpin).
    const self = answers((await k(['exec', 'web-0', '--', ...fetchLoop(`http://${ip}/`, 3)])).stdout);
    assert.deepEqual([...self].sort(), ['web-0', 'web-1', 'web-2'], `answers to web-0: ${self.join(',')}`);

    // The host: the cluster IP (output hook) and the NodePort on the node's address.
    const nodeIP = (await k(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}'])).stdout.trim();
    const nodePort = svc.spec.ports[0]?.nodePort ?? 0;
    const fromHost = [];
    for (let i = 0; i < 3; i++) fromHost.push(await httpGet(`http://${nodeIP}:${nodePort}/`));
    assert.deepEqual([...fromHost].sort(), ['web-0', 'web-1', 'web-2'], `NodePort answers: ${fromHost.join(',')}`);
    assert.match(await httpGet(`http://${ip}/`), /^web-\d$/);

    // web-1 turns not-ready: it leaves the endpoints and gets no more traffic.
    const { rmCode, answers: after1 } = await turnNotReady(k, 'web-1', ['web-0', 'web-2'], ip);
    assert.equal(rmCode, 0);
    assert.deepEqual(new Set(after1), new Set(['web-0', 'web-2']), `answers: ${after1.join(',')}`);
  });
});
