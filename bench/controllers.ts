// `npm run bench:controllers`: the controllers, in one run, each against a baseline measured in the same run.
//
//   scale-up  a fresh `minik8s server` child process (API server, scheduler, controllers, node agent) on the host's
//             Docker Engine; a ReplicaSet of one-container busybox pods made at replicas 0, then scaled to N (100):
//             time from the scale request to the ReplicaSet's status reporting N ready. Baseline: the floor, the
//             engine starting the same N pods' containers (pause + one busybox) directly, all at once
//             (bench/support/floor.ts, as bench:pods), right before and right after minik8s (mean of the two).
//   idle      `minik8s apiserver` and `minik8s controller-manager` as separate processes; hollow nodes whose
//             heartbeats the benchmark keeps fresh; 100 ReplicaSets × 10 pods, which the benchmark binds to the
//             hollow nodes and marks Running and Ready through the status subresource (no containers); once the
//             ReplicaSets report them ready and a settle time has passed, the controller manager's CPU time
//             (`utime + stime`, /proc/PID/stat) over 60 s. Baseline: the same measurement before any
//             ReplicaSet exists (hollow nodes only).
//
// BENCH_PARTS (default `scale,idle`) picks the phases. Sizes: BENCH_REPLICAS (100), BENCH_IDLE_RS (100),
// BENCH_IDLE_PER_RS (10), BENCH_HOLLOW_NODES (5), BENCH_IDLE_SECONDS (60), BENCH_BASELINE_SECONDS (20),
// BENCH_SETTLE_SECONDS (10).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import type { KubeObject } from '../src/api/meta.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { REPO_ROOT, spawnApiServer, type ServerProcess } from '../test/support/apiserver.js';
import { hostPodNetworkArgs, removePodNetwork } from '../test/support/podnet.js';
import { floorBurst, FLOOR_IMAGE, FLOOR_MAIN, removeLabelled } from './support/floor.js';
import { CpuMeter, loadAverage, machineBusyMs, OtherLoadMeter } from './support/proc.js';
import { fmt, table } from './support/stats.js';
import { until } from './support/until.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;
const RSS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;
const env = (name: string, dflt: number): number => Number(process.env[name] ?? String(dflt));
const REPLICAS = env('BENCH_REPLICAS', 100);
const IDLE_RS = env('BENCH_IDLE_RS', 100);
const IDLE_PER_RS = env('BENCH_IDLE_PER_RS', 10);
const HOLLOW_NODES = env('BENCH_HOLLOW_NODES', 5);
const IDLE_SECONDS = env('BENCH_IDLE_SECONDS', 60);
const BASELINE_SECONDS = env('BENCH_BASELINE_SECONDS', 20);
const SETTLE_SECONDS = env('BENCH_SETTLE_SECONDS', 10);
const RUN_ID = `benchctl-${process.pid}`;
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'scale,idle').split(','));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function replicaSet(name: string, replicas: number, container: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, labels: { bench: RUN_ID } },
    spec: {
      replicas,
      selector: { matchLabels: { bench: RUN_ID, rs: name } },
      template: { metadata: { labels: { bench: RUN_ID, rs: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [container] } },
    },
  };
}

const readyOf = (rs: KubeObject): number => ((rs.status ?? {}) as { readyReplicas?: number }).readyReplicas ?? 0;

// ---------------------------------------------------------------- scale-up on Docker

interface Timed {
  ms: number;
  /** CPU the whole machine spent meanwhile (ms, all processes). */
  machineCpuMs: number;
}

interface ScaleUp {
  /** The floor right before and right after minik8s: the engine's speed drifts by 10–30% between runs. */
  floors: [Timed, Timed];
  minik8s: Timed & {
    /** CPU of the `minik8s server` process (API server, scheduler, controllers, agent). */
    serverCpuMs: number;
  };
}

async function floorRun(engine: Dockerode, round: number): Promise<Timed> {
  const busy0 = machineBusyMs();
  const floor = await floorBurst(engine, REPLICAS, { runId: RUN_ID, round, containers: ['main'] });
  const machineCpuMs = machineBusyMs() - busy0;
  process.stderr.write(`floor: ${REPLICAS} pods' containers started directly in ${fmt(floor.allMs)} ms\n`);
  return { ms: floor.allMs, machineCpuMs };
}

async function scaleUp(): Promise<ScaleUp> {
  const engine = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const before = await floorRun(engine, 0);
  const minik8s = await minik8sScaleUp(engine);
  const after = await floorRun(engine, 1);
  return { floors: [before, after], minik8s };
}

async function minik8sScaleUp(engine: Dockerode): Promise<ScaleUp['minik8s']> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-bench-ctl-'));
  const node = RUN_ID;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  try {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--node-name', node, '--kubelet-port', '0', '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())],
    });
    const c = Client.fromConnection(loadKubeconfig({ path: server.kubeconfig }));
    client = c;
    await until(
      `node ${node} Ready`,
      async () => {
        const n = await c
          .resource(NODES)
          .get(node)
          .catch(() => undefined);
        return (((n?.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? []).some(
          (x) => x.type === 'Ready' && x.status === 'True',
        );
      },
      30_000,
    );
    const rss = c.resource(RSS);
    const name = `${RUN_ID}-up`;
    await rss.create(replicaSet(name, 0, { name: 'main', image: FLOOR_IMAGE, imagePullPolicy: 'Never', command: FLOOR_MAIN }), { namespace: 'default' });
    await sleep(1000);
    const serverMeter = new CpuMeter([server.child.pid ?? 0]);
    const busy0 = machineBusyMs();
    const t0 = performance.now();
    await rss.patch(name, 'merge', { spec: { replicas: REPLICAS } }, { namespace: 'default' });
    let ready = 0;
    // A busy machine slows both alike: allow 10 minutes.
    await until(`${REPLICAS} ready`, async () => (ready = readyOf(await rss.get(name, { namespace: 'default' }))) >= REPLICAS, 600_000, 100).catch(
      (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; ${ready} ready`);
      },
    );
    const minik8sMs = performance.now() - t0;
    const minik8sMachineCpuMs = machineBusyMs() - busy0;
    const serverCpuMs = serverMeter.stop().cpuMs[0] ?? 0;
    process.stderr.write(`minik8s: ReplicaSet 0 → ${REPLICAS} ready in ${fmt(minik8sMs)} ms\n`);

    // No graceful tear-down (100 pod deletions take minutes on a loaded machine): the agent is killed and its
    // containers removed below.
    return { ms: minik8sMs, machineCpuMs: minik8sMachineCpuMs, serverCpuMs };
  } finally {
    // The agent first (it would start more), then whatever it left.
    client?.close();
    await server?.kill();
    await removeLabelled(engine, [`io.minik8s.bench=${RUN_ID}-floor`, `io.minik8s.node.name=${node}`]);
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- idle controller manager, hollow cluster

interface Idle {
  baselinePct: number;
  loadedPct: number;
  apiserverPct: number;
  otherCpus: number;
  pods: number;
}

function nodeStatus(now: string): Record<string, unknown> {
  return {
    capacity: { cpu: '64', memory: '256Gi', pods: '1000' },
    allocatable: { cpu: '64', memory: '256Gi', pods: '1000' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow node', lastHeartbeatTime: now, lastTransitionTime: now }],
  };
}

/** Bind every unbound pod to a hollow node and mark every bound, not-yet-ready one Running and Ready. */
async function bindAndReady(client: Client, nodes: string[]): Promise<number> {
  const pods = client.resource<KubeObject & { spec: { nodeName?: string } }>(PODS);
  const list = await pods.list({ namespace: 'default', labelSelector: `bench=${RUN_ID}` });
  const todo = list.items.filter((p) => !p.metadata.deletionTimestamp && ((p.status ?? {}) as { phase?: string }).phase !== 'Running');
  let i = 0;
  const work = async (): Promise<void> => {
    for (let p = todo[i++]; p; p = todo[i++]) {
      const name = p.metadata.name ?? '';
      try {
        let pod = p;
        if (!pod.spec.nodeName) {
          const target = nodes[Math.abs(hash(name)) % nodes.length] ?? '';
          await client.rest.json({
            method: 'POST',
            path: pods.path('default', name, 'binding'),
            body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: target } },
          });
          pod = await pods.get(name, { namespace: 'default' });
        }
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const cond = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
        await pods.update(
          {
            ...pod,
            status: {
              phase: 'Running',
              startTime: now,
              hostIP: '10.255.0.1',
              conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')],
              containerStatuses: [
                { name: 'main', ready: true, started: true, restartCount: 0, image: FLOOR_IMAGE, imageID: '', state: { running: { startedAt: now } } },
              ],
            },
          },
          { subresource: 'status' },
        );
      } catch {
        // a conflict or a pod gone meanwhile: the next pass takes it again
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, work));
  return todo.length;
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

async function idle(): Promise<Idle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-bench-ctl-idle-'));
  let api: ServerProcess | undefined;
  let cm: ChildProcess | undefined;
  let client: Client | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let cmErr = '';
  try {
    api = await spawnApiServer({ dataDir });
    const c = Client.fromConnection(loadKubeconfig({ path: api.kubeconfig }));
    client = c;
    const nodes = Array.from({ length: HOLLOW_NODES }, (_, i) => `${RUN_ID}-hollow-${i}`);
    const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const name of nodes)
      await c.resource(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { bench: RUN_ID } }, spec: {}, status: nodeStatus(stamp()) });
    // Keep the hollow nodes' heartbeats fresh, as an agent does every 10 s (the node lifecycle controller watches).
    heartbeat = setInterval(() => {
      for (const name of nodes)
        void c
          .resource(NODES)
          .patch(name, 'merge', { status: nodeStatus(stamp()) }, { subresource: 'status' })
          .catch(() => undefined);
    }, 10_000);

    cm = spawn(join(REPO_ROOT, 'bin/minik8s'), ['controller-manager', '--kubeconfig', api.kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    cm.stderr?.on('data', (b: Buffer) => (cmErr = (cmErr + b.toString()).slice(-4000)));
    const cmPid = cm.pid ?? 0;
    await sleep(5000);
    if (cm.exitCode !== null) throw new Error(`controller-manager exited: ${cmErr}`);

    const base = new CpuMeter([cmPid]);
    await sleep(BASELINE_SECONDS * 1000);
    const b = base.stop();
    const baselinePct = ((b.cpuMs[0] ?? 0) / b.wallMs) * 100;
    process.stderr.write(`idle, no ReplicaSets: controller-manager ${fmt(baselinePct, 2)}% of a core\n`);

    const rss = c.resource(RSS);
    const names = Array.from({ length: IDLE_RS }, (_, i) => `${RUN_ID}-idle-${i}`);
    for (let i = 0; i < names.length; i += 16)
      await Promise.all(
        names.slice(i, i + 16).map((n) => rss.create(replicaSet(n, IDLE_PER_RS, { name: 'main', image: FLOOR_IMAGE }), { namespace: 'default' })),
      );
    const want = IDLE_RS * IDLE_PER_RS;
    await until(
      `${want} pods ready in ${IDLE_RS} ReplicaSets`,
      async () => {
        await bindAndReady(c, nodes);
        const list = await rss.list({ namespace: 'default', labelSelector: `bench=${RUN_ID}` });
        return list.items.reduce((sum, rs) => sum + readyOf(rs), 0) >= want;
      },
      600_000,
      1000,
    );
    process.stderr.write(`${want} pods ready; settling ${SETTLE_SECONDS} s, then measuring ${IDLE_SECONDS} s\n`);
    await sleep(SETTLE_SECONDS * 1000);
    const other = new OtherLoadMeter([cmPid, api.child.pid ?? 0]);
    const meter = new CpuMeter([cmPid, api.child.pid ?? 0]);
    await sleep(IDLE_SECONDS * 1000);
    const m = meter.stop();
    const otherCpus = other.stop();
    if (cm.exitCode !== null) throw new Error(`controller-manager exited: ${cmErr}`);
    return { baselinePct, loadedPct: ((m.cpuMs[0] ?? 0) / m.wallMs) * 100, apiserverPct: ((m.cpuMs[1] ?? 0) / m.wallMs) * 100, otherCpus, pods: want };
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    const proc = cm;
    if (proc && proc.exitCode === null && proc.signalCode === null)
      await new Promise<void>((res) => {
        proc.once('exit', () => res());
        proc.kill('SIGKILL');
      });
    client?.close();
    await api?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadStart = loadAverage();
  const up = PARTS.has('scale') ? await scaleUp() : undefined;
  const quiet = PARTS.has('idle') ? await idle() : undefined;
  const loadEnd = loadAverage();
  const verdict = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows: string[][] = [['Measurement', 'minik8s', 'Baseline (same run)', 'Ratio']];
  const targets: string[][] = [['Target', 'Measured', 'Verdict']];
  if (up) {
    const [f1, f2] = up.floors;
    const floorMs = (f1.ms + f2.ms) / 2;
    const floorCpuMs = (f1.machineCpuMs + f2.machineCpuMs) / 2;
    const ratio = up.minik8s.ms / floorMs;
    const s = (ms: number): string => `${fmt(ms / 1000, 1)} s`;
    rows.push(
      [
        `ReplicaSet 0 → ${REPLICAS} ready (ms)`,
        fmt(up.minik8s.ms),
        `${fmt(floorMs)} (floor: engine starts the containers directly; mean of ${fmt(f1.ms)} before and ${fmt(f2.ms)} after)`,
        `${ratio.toFixed(2)}×`,
      ],
      [
        'CPU the machine spent meanwhile (all processes)',
        s(up.minik8s.machineCpuMs),
        `${s(floorCpuMs)} (floor, mean)`,
        `${(up.minik8s.machineCpuMs / floorCpuMs).toFixed(2)}×`,
      ],
      ['  of which the `minik8s server` process', s(up.minik8s.serverCpuMs), '', ''],
    );
    targets.push([
      `ReplicaSet 0 → ${REPLICAS} ready ≤ 1.2× the floor`,
      `${fmt(up.minik8s.ms)} / ${fmt(floorMs)} ms = ${ratio.toFixed(3)}×`,
      verdict(ratio <= 1.2),
    ]);
  }
  if (quiet) {
    rows.push(
      [
        `controller-manager CPU, idle, ${quiet.pods} pods in ${IDLE_RS} ReplicaSets (% of a core, ${IDLE_SECONDS} s)`,
        fmt(quiet.loadedPct, 2),
        `${fmt(quiet.baselinePct, 2)} (no ReplicaSets, ${BASELINE_SECONDS} s)`,
        quiet.baselinePct > 0 ? `${(quiet.loadedPct / quiet.baselinePct).toFixed(2)}×` : 'n/a',
      ],
      [`API server CPU in the same ${IDLE_SECONDS} s (% of a core)`, fmt(quiet.apiserverPct, 2), '', ''],
      ['CPU: other processes on the machine (CPUs)', fmt(quiet.otherCpus, 2), '', ''],
    );
    targets.push([`controller-manager idle with ${quiet.pods} pods < 2% of a core`, `${fmt(quiet.loadedPct, 2)}%`, verdict(quiet.loadedPct < 2)]);
  }
  process.stdout.write(
    [
      `bench:controllers — started ${startedAt}; ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadStart} at the start, ${loadEnd} at the end`,
      '',
      table(rows),
      '',
      table(targets),
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:controllers failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
