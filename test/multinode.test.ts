// Two nodes, two engines: `minik8s server` runs the control plane and node A on the host's Docker
// Engine; a separate `minik8s agent` process joins as node B (label disk=ssd) with the node token and
// runs pods on an extra dockerd (test/support/engine.ts). The scheduler spreads pods round-robin,
// honours nodeSelector, the API server proxies `kubectl logs` to node B's kubelet API, and
// deleting the pods clears both engines.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { startEngine, type Engine } from './support/engine.js';
import { kubectl } from './support/kubectl.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { until } from './support/until.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';

const run = promisify(execFile);

/** A pod whose main container exits at once on SIGTERM (busybox `sleep` as PID 1 would ignore it). */
function podManifest(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'multinode' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          imagePullPolicy: 'Never',
          command: ['sh', '-c', `echo hello from ${name}; trap 'exit 0' TERM; sleep 1000 & wait`],
        },
      ],
      ...extra,
    },
  };
}

/** Container ids on an engine (given by its -H, or the host's) carrying a pod's UID label. */
async function containersOf(dockerHost: string | undefined, uid: string): Promise<string[]> {
  const args = [...(dockerHost ? ['-H', dockerHost] : []), 'ps', '-aq', '--filter', `label=io.minik8s.pod.uid=${uid}`];
  return (await run('docker', args)).stdout.split('\n').filter((s) => s !== '');
}

describe('two nodes on two Docker Engines', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-multinode-'));
  const agentRoot = mkdtempSync(join(tmpdir(), 'minik8s-multinode-agent-'));
  // Node A shares the host's engine with other suites: its name must be unique there, since an
  // agent garbage-collects the containers labelled with its node name.
  const nodeA = `node-a-${process.pid}`;
  const nodeB = 'node-b';
  let server: ServerProcess | undefined;
  let agent: ChildProcess | undefined;
  let agentErr = '';
  let engine: Engine | undefined;
  let kubeconfig = '';
  const k = (args: string[], stdin?: string) => kubectl(args, { kubeconfig, ...(stdin === undefined ? {} : { stdin }) });

  after(async () => {
    if (kubeconfig) await k(['delete', 'pods', '-l', 'app=multinode', '--grace-period=1', '--wait=true', '--timeout=30s']).catch(() => undefined);
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const a = agent;
      await new Promise<void>((res) => {
        a.once('exit', () => res());
        a.kill('SIGKILL');
      });
    }
    await server?.kill();
    await removePodNetwork(nodeA);
    if (engine) await removePodNetwork(nodeB, engine.dockerHost);
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentRoot, { recursive: true, force: true });
  });

  it('places pods on both nodes, honours nodeSelector, proxies logs to node B, and cleans both engines', async () => {
    const [eng, srv] = await Promise.all([
      startEngine({ name: `b-${process.pid}` }),
      spawnApiServer({
        command: 'server',
        dataDir,
        extraArgs: ['--node-name', nodeA, '--kubelet-port', '0', '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())],
      }),
    ]);
    engine = eng;
    server = srv;
    kubeconfig = srv.kubeconfig;

    const child = spawn(
      join(REPO_ROOT, 'bin/minik8s'),
      [
        'agent',
        '--server',
        loadKubeconfig({ path: kubeconfig }).server,
        '--token',
        readFileSync(join(dataDir, 'node-token'), 'utf8').trim(),
        '--ca-file',
        join(dataDir, 'tls', 'ca.crt'),
        '--node-name',
        nodeB,
        '--node-labels',
        'disk=ssd',
        '--docker-host',
        eng.dockerHost,
        '--kubelet-port',
        '0',
        '--root-dir',
        agentRoot,
        '--heartbeat-interval',
        '2s',
        // Both nodes share the host's network namespace: no VXLAN device between them.
        '--overlay',
        'none',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    agent = child;
    child.stderr?.on('data', (c: Buffer) => (agentErr = (agentErr + c.toString()).slice(-4000)));

    await until(`both nodes Ready (agent stderr: ${agentErr})`, async () => {
      if (child.exitCode !== null) assert.fail(`minik8s agent exited with ${child.exitCode}; stderr:\n${agentErr}`);
      const r = await k(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const ready = r.stdout
        .split('\n')
        .filter((l) => l.endsWith('=True'))
        .map((l) => l.slice(0, -'=True'.length));
      return ready.includes(nodeA) && ready.includes(nodeB) ? ready : undefined;
    });
    const labels = await k(['get', 'node', nodeB, '-o', 'jsonpath={.metadata.labels.disk}']);
    assert.equal(labels.stdout, 'ssd', `node-b labels: ${labels.stderr}`);

    // Four pods in one burst: round-robin over two feasible nodes puts two on each.
    const spread = ['rr-0', 'rr-1', 'rr-2', 'rr-3'];
    const created = await k(['create', '-f', '-'], spread.map((n) => JSON.stringify(podManifest(n))).join('\n'));
    assert.equal(created.code, 0, created.stderr);
    const seen = async (): Promise<string> => {
      const pods = await k(['get', 'pods', '-o', 'wide']);
      const events = await k([
        'get',
        'events',
        '--field-selector',
        'type=Warning',
        '-o',
        'jsonpath={range .items[*]}{.involvedObject.name} {.reason}: {.message}{"\\n"}{end}',
      ]);
      return `pods to run; pods:\n${pods.stdout}${pods.stderr}\nwarnings:\n${events.stdout}\nagent B stderr:\n${agentErr}`;
    };
    const placed = await until(seen, async () => {
      const r = await k([
        'get',
        'pods',
        '-l',
        'app=multinode',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName} {.metadata.uid}{"\\n"}{end}',
      ]);
      const rows = r.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(' '));
      return rows.length === 4 && rows.every((row) => row[1] === 'Running') ? rows : undefined;
    });
    const perNode = new Map<string, number>();
    for (const row of placed) perNode.set(row[2] ?? '', (perNode.get(row[2] ?? '') ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(perNode), { [nodeA]: 2, [nodeB]: 2 }, `placement: ${JSON.stringify(placed)}`);
    for (const [name, , node, uid] of placed) {
      const onB = await containersOf(eng.dockerHost, uid ?? '');
      const onHost = await containersOf(undefined, uid ?? '');
      if (node === nodeB)
        assert.ok(onB.length >= 2 && onHost.length === 0, `${name} on ${nodeB}: ${onB.length} containers on engine B, ${onHost.length} on the host's`);
      else
        assert.ok(onHost.length >= 2 && onB.length === 0, `${name} on ${nodeA}: ${onHost.length} containers on the host's engine, ${onB.length} on engine B`);
    }

    // nodeSelector disk=ssd: only node B fits.
    const ssd = await k(['create', '-f', '-'], JSON.stringify(podManifest('ssd', { nodeSelector: { disk: 'ssd' } })));
    assert.equal(ssd.code, 0, ssd.stderr);
    const [ssdNode, ssdUid] = await until(seen, async () => {
      const r = await k(['get', 'pod', 'ssd', '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.metadata.uid}']);
      const [phase, node, uid] = r.stdout.split(' ');
      return phase === 'Running' && node && uid ? [node, uid] : undefined;
    });
    assert.equal(ssdNode, nodeB);
    const running = (await eng.docker(['ps', '--filter', `label=io.minik8s.pod.uid=${ssdUid}`, '--format', '{{.Image}} {{.Status}}'])).trim().split('\n');
    assert.ok(
      running.length >= 2 && running.every((l) => / Up /.test(` ${l}`)),
      `engine B runs the ssd pod's sandbox and container: ${JSON.stringify(running)}`,
    );

    // Logs of a node-B pod: the API server proxies to node B's kubelet API.
    const logs = await until('logs of the ssd pod', async () => {
      const r = await k(['logs', 'ssd']);
      return r.stdout.includes('hello from ssd') ? r.stdout : undefined;
    });
    assert.match(logs, /hello from ssd/);

    // Deleting the pods clears both engines.
    const uids = [...placed.map((row) => row[3] ?? ''), ssdUid];
    const del = await k(['delete', 'pods', '-l', 'app=multinode', '--grace-period=1', '--wait=true', '--timeout=30s'], undefined);
    assert.equal(del.code, 0, del.stderr);
    const left = await until(
      'both engines to have no containers of the deleted pods',
      async () => {
        const counts = await Promise.all(
          uids.map(async (uid) => (await containersOf(eng.dockerHost, uid)).length + (await containersOf(undefined, uid)).length),
        );
        return counts.every((c) => c === 0) ? counts : undefined;
      },
      15000,
    );
    assert.deepEqual(
      left,
      uids.map(() => 0),
    );
    const gone = await k(['get', 'pods', '-l', 'app=multinode', '-o', 'name']);
    assert.equal(gone.stdout.trim(), '', `pods left: ${gone.stdout}`);
  });
});
