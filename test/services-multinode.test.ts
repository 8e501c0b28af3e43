// Services across three nodes of the lab (a network namespace, a dockerd and an agent with its service proxy per
// node; the VXLAN overlay between them): a client pod sees strict rotation (1,2,3,1,2,3) over backends on three
// nodes, a backend that turns not-ready stops receiving traffic, a pod reaches its own Service, and the NodePort
// and cluster IP answer from the nodes themselves.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type Lab } from './support/lab.js';
import { until } from './support/until.js';
import { answers, backendPod, clientPod, fetchLoop, service, turnNotReady } from './support/services.js';

/** An HTTP GET run by node i itself (a process in its namespace), answering the body or ERR. */
async function fromNode(lab: Lab, i: number, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(10000) }).then(r => r.text()).then(t => console.log(t.trim()), () => console.log('ERR'))`;
  const r = await lab.exec(i, [process.execPath, '-e', script]);
  return r.stdout.trim();
}

describe('Services across three nodes (lab)', () => {
  let lab: Lab | undefined;
  after(async () => {
    await lab?.stop();
  });

  it('rotates strictly over three nodes, drops a not-ready backend, hairpins, and answers NodePort and cluster IP on the nodes', async () => {
    lab = await startLab({ nodes: 3, timeoutMs: 180_000 });
    const l = lab;
    const k = (args: string[], stdin?: string) => l.kubectl(args, { ...(stdin ? { stdin } : {}), timeoutMs: 60_000 });
    const names = l.nodes.map((n) => n.name);
    const objects = [
      ...names.map((n, i) => backendPod(`web-${i}`, { app: 'web', nodeName: n })),
      clientPod('client', names[0]),
      service('web', { app: 'web', type: 'NodePort' }),
    ];
    const applied = await k(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    assert.equal(applied.code, 0, applied.stderr);
    await until(
      async () => `three ready endpoints; pods:\n${(await k(['get', 'pods', '-o', 'wide'])).stdout}`,
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

    const rotation = await until('nine answers from the client pod', async () => {
      const lines = answers((await k(['exec', 'client', '--', ...fetchLoop(`http://${ip}/`, 9)])).stdout);
      return lines.length === 9 && !lines.includes('ERR') ? lines : undefined;
    });
    assert.deepEqual(new Set(rotation.slice(0, 3)), new Set(['web-0', 'web-1', 'web-2']), `answers: ${rotation.join(',')}`);
    for (let i = 3; i < 9; i++) assert.equal(rotation[i], rotation[i % 3], `not a strict rotation: ${rotation.join(',')}`);

    const self = answers((await k(['exec', 'web-1', '--', ...fetchLoop(`http://${ip}/`, 3)])).stdout);
    assert.deepEqual([...self].sort(), ['web-0', 'web-1', 'web-2'], `answers to web-1 through its own Service: ${self.join(',')}`);

    // Each node answers its NodePort (to backends on every node) and reaches the cluster IP itself.
    const nodePort = svc.spec.ports[0]?.nodePort ?? 0;
    for (let i = 0; i < 3; i++) {
      const got = [];
      for (let j = 0; j < 3; j++) got.push(await fromNode(l, i, `http://${l.nodes[i]?.ip ?? ''}:${nodePort}/`));
      assert.deepEqual([...got].sort(), ['web-0', 'web-1', 'web-2'], `NodePort on ${names[i] ?? ''}: ${got.join(',')}`);
      assert.match(await fromNode(l, i, `http://${ip}/`), /^web-\d$/, `cluster IP from ${names[i] ?? ''}`);
    }
    // Another node's NodePort, from node 2.
    assert.match(await fromNode(l, 2, `http://${l.nodes[0]?.ip ?? ''}:${nodePort}/`), /^web-\d$/);

    const { rmCode, answers: without } = await turnNotReady(k, 'web-2', ['web-0', 'web-1'], ip);
    assert.equal(rmCode, 0);
    assert.deepEqual(new Set(without), new Set(['web-0', 'web-1']));
  });
});
