// Node failure end to end: `minik8s server` (node A, host's Docker Engine) and a second `minik8s agent` (node B,
// an extra dockerd) run a ReplicaSet's pods on both nodes. The agent of B is killed (SIGKILL); after the short
// grace period set by flags B turns Unknown and gets the unreachable taint, its pods are evicted once their
// 2-second toleration runs out, and the ReplicaSet's replacements all run on A. B's agent restarted clears the taint.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { startEngine, type Engine } from './support/engine.js';
import { kubectl } from './support/kubectl.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';
import { until } from './support/until.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';

const run = promisify(execFile);
const APP = `nodefail-${process.pid}`;
const REPLICAS = 4;

const replicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: APP },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: APP } },
    template: {
      metadata: { labels: { app: APP } },
      spec: {
        terminationGracePeriodSeconds: 1,
        tolerations: [
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
        ],
        containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 1000 & wait"] }],
      },
    },
  },
};

interface PodView {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string };
}

describe('node lifecycle: the pods of a dead agent move to the surviving node', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-nodefail-'));
  const agentRoot = mkdtempSync(join(tmpdir(), 'minik8s-nodefail-agent-'));
  const nodeA = `nf-a-${process.pid}`;
  const nodeB = `nf-b-${process.pid}`;
  let server: ServerProcess | undefined;
  let agent: ChildProcess | undefined;
  let agentErr = '';
  let engine: Engine | undefined;
  let kubeconfig = '';
  const k = (args: string[], stdin?: string) => kubectl(args, { kubeconfig, ...(stdin === undefined ? {} : { stdin }) });
  const killAgent = async (): Promise<void> => {
    const a = agent;
    if (!a || a.exitCode !== null || a.signalCode !== null) return;
    await new Promise<void>((res) => {
      a.once('exit', () => res());
      a.kill('SIGKILL');
    });
  };
  const startAgent = (): ChildProcess => {
    const args = ['agent', '--server', loadKubeconfig({ path: kubeconfig }).server, '--token', readFileSync(join(dataDir, 'node-token'), 'utf8').trim()];
    args.push('--ca-file', join(dataDir, 'tls', 'ca.crt'), '--node-name', nodeB, '--docker-host', engine?.dockerHost ?? '', '--kubelet-port', '0');
    args.push('--root-dir', agentRoot, '--heartbeat-interval', '1s', '--overlay', 'none');
    const child = spawn(join(REPO_ROOT, 'bin/minik8s'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (c: Buffer) => (agentErr = (agentErr + c.toString()).slice(-4000)));
    return child;
  };
  const pods = async (): Promise<PodView[]> => {
    const r = await k(['get', 'pods', '-l', `app=${APP}`, '-o', 'json']);
    if (r.code !== 0) throw new Error(r.stderr);
    return (JSON.parse(r.stdout) as { items: PodView[] }).items;
  };
  const nodeView = async (name: string): Promise<{ ready: string; taints: string[] }> => {
    const r = await k(['get', 'node', name, '-o', 'json']);
    const n = JSON.parse(r.stdout) as { spec?: { taints?: { key: string; effect: string }[] }; status?: { conditions?: { type: string; status: string }[] } };
    return {
      ready: n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '',
      taints: (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort(),
    };
  };

  after(async () => {
    if (kubeconfig) {
      await k(['delete', 'replicaset', APP, '--wait=false']).catch(() => undefined);
      // Node A's agent stops its containers; B's pods (their agent may be dead) are force-deleted.
      await k(['delete', 'pods', '-l', `app=${APP}`, '--field-selector', `spec.nodeName=${nodeA}`, '--grace-period=1', '--wait=true', '--timeout=30s']).catch(
        () => undefined,
      );
      await k(['delete', 'pods', '-l', `app=${APP}`, '--grace-period=0', '--force', '--wait=false']).catch(() => undefined);
    }
    await killAgent();
    await server?.kill();
    // Whatever the agents left behind on the host's engine (B's engine is removed whole).
    const left = await run('docker', ['ps', '-aq', '--filter', `name=_${APP}-`]).catch(() => ({ stdout: '' }));
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
    await removePodNetwork(nodeA);
    if (engine) await removePodNetwork(nodeB, engine.dockerHost);
    await engine?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentRoot, { recursive: true, force: true });
  });

  it('taints the silent node, evicts its pods, reschedules them on the other node, and untaints it when it returns', async () => {
    const [eng, srv] = await Promise.all([
      startEngine({ name: `nf-${process.pid}` }),
      spawnApiServer({
        command: 'server',
        dataDir,
        extraArgs: [
          ...['--node-name', nodeA, '--kubelet-port', '0', '--heartbeat-interval', '1s'],
          ...['--node-monitor-grace-period', '4s', '--node-monitor-period', '1s'],
          ...(await hostPodNetworkArgs()),
        ],
      }),
    ]);
    engine = eng;
    server = srv;
    kubeconfig = srv.kubeconfig;
    agent = startAgent();
    await until(
      () => `both nodes Ready (agent stderr: ${agentErr})`,
      async () => ((await nodeView(nodeA)).ready === 'True' && (await nodeView(nodeB)).ready === 'True' ? true : undefined),
      60_000,
    );

    const created = await k(['create', '-f', '-'], JSON.stringify(replicaSet));
    assert.equal(created.code, 0, created.stderr);
    const spread = await until(
      async () => `${REPLICAS} pods Running on both nodes: ${JSON.stringify(await pods())}`,
      async () => {
        const ps = await pods();
        const running = ps.filter((p) => p.status?.phase === 'Running');
        const nodes = new Set(running.map((p) => p.spec.nodeName));
        return running.length === REPLICAS && nodes.has(nodeA) && nodes.has(nodeB) ? running : undefined;
      },
      180_000,
    );
    const onB = spread.filter((p) => p.spec.nodeName === nodeB).map((p) => p.metadata.name);

    const killedAt = Date.now();
    await killAgent();
    const silent = await until(
      async () => `node B Unknown and tainted: ${JSON.stringify(await nodeView(nodeB))}`,
      async () => {
        const v = await nodeView(nodeB);
        return v.ready === 'Unknown' && v.taints.includes('node.kubernetes.io/unreachable:NoExecute') ? v : undefined;
      },
      30_000,
    );
    assert.deepEqual(silent.taints, ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    const noticedMs = Date.now() - killedAt;
    assert.ok(noticedMs >= 3000, `not before the grace period (4 s), took ${noticedMs} ms`);

    const moved = await until(
      async () => `${REPLICAS} live pods Running on ${nodeA}: ${JSON.stringify(await pods())}`,
      async () => {
        const live = (await pods()).filter((p) => !p.metadata.deletionTimestamp);
        return live.length === REPLICAS && live.every((p) => p.status?.phase === 'Running' && p.spec.nodeName === nodeA) ? live : undefined;
      },
      180_000,
    );
    assert.equal(moved.filter((p) => onB.includes(p.metadata.name)).length, 0, 'the pods of B were replaced');
    const evicted = (await pods()).filter((p) => onB.includes(p.metadata.name));
    assert.ok(
      evicted.every((p) => p.metadata.deletionTimestamp),
      "B's pods are marked for deletion (their agent is gone)",
    );
    const events = await k(['get', 'events', '-A', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    for (const reason of ['NodeNotReady', 'TaintManagerEviction'])
      assert.ok(events.stdout.split('\n').includes(reason), `a ${reason} event in:\n${events.stdout}`);

    // B's agent comes back: Ready again, the taints go.
    agent = startAgent();
    await until(
      async () => `node B Ready and untainted: ${JSON.stringify(await nodeView(nodeB))} (agent stderr: ${agentErr})`,
      async () => {
        const v = await nodeView(nodeB);
        return v.ready === 'True' && v.taints.length === 0 ? v : undefined;
      },
      60_000,
    );
  });
});
