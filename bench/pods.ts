// `npm run bench:pods`: pod start-up on the host's Docker Engine, in one run, against two baselines.
//
//   minik8s  a fresh `minik8s server` child process (API server + scheduler + node agent) on a temp
//            data dir; N two-container pods created at once through the API; each pod's start-up is
//            create sent → the watch delivering phase Running with both containers running.
//   floor    the engine starting the same containers directly (dockerode, all pods concurrently): a
//            pause sandbox, then two busybox containers joined to its network and IPC namespaces.
//   swarm    Docker Swarm on the same engine: `docker service create --replicas N busybox:1.36 sleep
//            3600` (one-container replicas), until `docker service ps` shows N Running.
//
// Bursts of 1, 10 and 50 (single pods repeated BENCH_SINGLE_RUNS times, 10 by default, for the p99).
// Each burst is torn down (and the engine seen empty of it) before the next. Swarm is initialised
// only when it is not active already, and left again afterwards; when it cannot run, the output
// says so and no Swarm figure is invented.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import type { KubeObject } from '../src/api/meta.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { spawnApiServer, type ServerProcess } from '../test/support/apiserver.js';
import { hostPodNetworkArgs, removePodNetwork } from '../test/support/podnet.js';
import { containerIds, floorBurst, FLOOR_IMAGE, FLOOR_MAIN, removeLabelled, type Burst } from './support/floor.js';
import { loadAverage } from './support/proc.js';
import { fmt, summarize, table } from './support/stats.js';
import { until } from './support/until.js';

const exec = promisify(execFile);
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;
const SOCKET = '/var/run/docker.sock';
const IMAGE = FLOOR_IMAGE;
const MAIN = FLOOR_MAIN;
const BURSTS = [1, 10, 50];
const SINGLE_RUNS = Number(process.env['BENCH_SINGLE_RUNS'] ?? '10');
const SWARM_SINGLE_RUNS = Number(process.env['BENCH_SWARM_SINGLE_RUNS'] ?? '3');
const RUN_ID = `bench-${process.pid}`;

// ---------------------------------------------------------------- minik8s

function podManifest(name: string): KubeObject {
  const container = (n: string): Record<string, unknown> => ({ name: n, image: IMAGE, imagePullPolicy: 'Never', command: MAIN });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: RUN_ID } },
    spec: { terminationGracePeriodSeconds: 1, containers: [container('a'), container('b')] },
  };
}

function runningNow(pod: KubeObject): boolean {
  const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: { state?: { running?: unknown } }[] };
  const cs = status.containerStatuses ?? [];
  return status.phase === 'Running' && cs.length === 2 && cs.every((c) => c.state?.running !== undefined);
}

async function minik8sBurst(client: Client, docker: Dockerode, node: string, n: number, round: number): Promise<Burst> {
  const pods = client.resource(PODS);
  const abort = new AbortController();
  const sent = new Map<string, number>();
  const running = new Map<string, number>();
  let allRunning: () => void = () => undefined;
  const done = new Promise<void>((r) => (allRunning = r));
  const { metadata } = await pods.list({ namespace: 'default', labelSelector: `bench=${RUN_ID}` });
  const watching = pods
    .watch({ namespace: 'default', labelSelector: `bench=${RUN_ID}`, resourceVersion: metadata.resourceVersion ?? '0', signal: abort.signal }, (e) => {
      const name = e.object.metadata.name ?? '';
      if (running.has(name) || !runningNow(e.object)) return;
      running.set(name, performance.now());
      if (running.size === n) allRunning();
    })
    .catch((e: unknown) => {
      if (!abort.signal.aborted) throw e;
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const name = `${RUN_ID}-${round}-${i}`;
      sent.set(name, performance.now());
      await pods.create(podManifest(name), { namespace: 'default' });
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`minik8s: only ${running.size}/${n} pods running after 120 s`)), 120_000);
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const perPod = [...running].map(([name, at]) => at - (sent.get(name) ?? t0));
  const allMs = Math.max(...running.values()) - t0;
  abort.abort();
  await watching;
  // Tear down through the API and wait for the agent to clear the engine.
  await Promise.all([...sent.keys()].map((name) => pods.delete(name, { namespace: 'default', gracePeriodSeconds: 1 })));
  await until(
    'the pods to be gone',
    async () => (await pods.list({ namespace: 'default', labelSelector: `bench=${RUN_ID}` })).items.length === 0,
    120_000,
    250,
  );
  await until('the agent to remove the containers', async () => (await containerIds(docker, `io.minik8s.node.name=${node}`)).length === 0, 60_000, 250);
  return { perPod, allMs };
}

// ---------------------------------------------------------------- Docker Swarm

async function docker(args: string[]): Promise<string> {
  return (await exec('docker', args, { maxBuffer: 16 << 20 })).stdout.trim();
}

async function swarmState(): Promise<string> {
  return docker(['info', '--format', '{{.Swarm.LocalNodeState}}']);
}

async function swarmBurst(n: number, round: number): Promise<Burst> {
  const name = `${RUN_ID}-swarm-${round}`;
  const t0 = performance.now();
  await docker(['service', 'create', '--detach', '--no-resolve-image', '--name', name, '--replicas', String(n), IMAGE, 'sleep', '3600']);
  let allMs = NaN;
  try {
    await until(
      `${n} replicas of ${name} Running`,
      async () => {
        const states = (await docker(['service', 'ps', name, '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'])).split('\n');
        return states.filter((s) => s.startsWith('Running')).length >= n;
      },
      180_000,
      50,
    );
    allMs = performance.now() - t0;
  } finally {
    await docker(['service', 'rm', name]);
    await until(
      `${name}'s containers to go`,
      async () => (await docker(['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${name}`])) === '',
      120_000,
      250,
    );
  }
  // `docker service ps` gives no per-replica timestamps finer than "N seconds ago": time to all only.
  return { perPod: [], allMs };
}

// ---------------------------------------------------------------- the run

interface Row {
  system: string;
  burst: number;
  runs: number;
  perPod: number[];
  allMs: number[];
}

function row(system: string, burst: number, results: Burst[]): Row {
  return { system, burst, runs: results.length, perPod: results.flatMap((r) => r.perPod), allMs: results.map((r) => r.allMs) };
}

async function main(): Promise<void> {
  const engine = new Dockerode({ socketPath: SOCKET });
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-bench-pods-'));
  const node = RUN_ID;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  let initialisedSwarm = false;
  const networksBefore = new Set((await docker(['network', 'ls', '--format', '{{.Name}}'])).split('\n'));
  const rows: Row[] = [];
  let swarmProblem: string | undefined;
  const loadStart = loadAverage();
  const startedAt = new Date().toISOString();

  const cleanUp = async (): Promise<void> => {
    await removeLabelled(engine, [`io.minik8s.bench=${RUN_ID}-floor`, `io.minik8s.node.name=${node}`]);
    client?.close();
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
    for (const svc of (await docker(['service', 'ls', '-q', '--filter', `name=${RUN_ID}`]).catch(() => '')).split('\n').filter((s) => s)) {
      await docker(['service', 'rm', svc]).catch(() => '');
    }
    if (initialisedSwarm) {
      await docker(['swarm', 'leave', '--force']).catch((e: unknown) => process.stderr.write(`swarm leave: ${String(e)}\n`));
      if (!networksBefore.has('docker_gwbridge')) await docker(['network', 'rm', 'docker_gwbridge']).catch(() => '');
    }
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

  try {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--node-name', node, '--kubelet-port', '0', '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())],
    });
    client = Client.fromConnection(loadKubeconfig({ path: server.kubeconfig }));
    const c = client;
    await until(
      `node ${node} Ready`,
      async () => {
        const n = await c
          .resource(NODES)
          .get(node)
          .catch(() => undefined);
        const conds = ((n?.status ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
        return conds.some((x) => x.type === 'Ready' && x.status === 'True');
      },
      30_000,
    );

    try {
      const state = await swarmState();
      if (state !== 'active') {
        await docker(['swarm', 'init']);
        initialisedSwarm = true;
      }
    } catch (e) {
      swarmProblem = `docker swarm init failed: ${e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e)}`;
    }

    let round = 0;
    for (const n of BURSTS) {
      const runs = n === 1 ? SINGLE_RUNS : 1;
      const floor: Burst[] = [];
      const mk: Burst[] = [];
      for (let r = 0; r < runs; r++) {
        floor.push(await floorBurst(engine, n, { runId: RUN_ID, round: round++, containers: ['a', 'b'] }));
        mk.push(await minik8sBurst(c, engine, node, n, round++));
      }
      rows.push(row('floor (engine direct)', n, floor), row('minik8s', n, mk));
      process.stderr.write(`burst ${n}: floor ${fmt(floor.at(-1)?.allMs ?? NaN)} ms, minik8s ${fmt(mk.at(-1)?.allMs ?? NaN)} ms\n`);
      if (!swarmProblem) {
        const sw: Burst[] = [];
        try {
          for (let r = 0; r < (n === 1 ? SWARM_SINGLE_RUNS : 1); r++) sw.push(await swarmBurst(n, round++));
          rows.push(row('Docker Swarm (1-container replicas)', n, sw));
          process.stderr.write(`burst ${n}: swarm ${fmt(sw.at(-1)?.allMs ?? NaN)} ms\n`);
        } catch (e) {
          swarmProblem = `Swarm burst of ${n} failed: ${e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e)}`;
        }
      }
    }
  } finally {
    await cleanUp();
  }

  // ------------------------------------------------------------ report
  const loadEnd = loadAverage();
  const figures = [['System', 'Burst', 'Runs', 'p50 per pod (ms)', 'p99 per pod (ms)', 'All Running (ms, median of runs)']];
  for (const r of rows) {
    const s = summarize(r.perPod);
    const all = summarize(r.allMs);
    figures.push([r.system, String(r.burst), String(r.runs), r.perPod.length ? fmt(s.p50) : 'n/a', r.perPod.length ? fmt(s.p99) : 'n/a', fmt(all.p50)]);
  }
  const find = (system: string, burst: number): Row | undefined => rows.find((r) => r.system.startsWith(system) && r.burst === burst);
  const all50 = (system: string): number => summarize(find(system, 50)?.allMs ?? []).p50;
  const mk50 = all50('minik8s');
  const floor50 = all50('floor');
  const swarm50 = all50('Docker Swarm');
  const single = summarize(find('minik8s', 1)?.perPod ?? []);
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'pass' : 'FAIL');
  const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  const targets = [
    ['Target', 'Measured', 'Verdict'],
    [
      '50 pods all Running ≤ 1.25× the floor',
      `${fmt(mk50)} / ${fmt(floor50)} ms = ${ratio(mk50, floor50)}`,
      verdict(Number.isFinite(mk50 / floor50) ? mk50 / floor50 <= 1.25 : undefined),
    ],
    [
      '50 pods all Running ≤ 0.75× Swarm',
      Number.isFinite(swarm50) ? `${fmt(mk50)} / ${fmt(swarm50)} ms = ${ratio(mk50, swarm50)}` : 'Swarm did not run',
      verdict(Number.isFinite(swarm50) ? mk50 / swarm50 <= 0.75 : undefined),
    ],
    [
      'single-pod start-up p99 ≤ 1000 ms',
      `${fmt(single.p99)} ms (p50 ${fmt(single.p50)}, ${single.n} pods)`,
      verdict(Number.isFinite(single.p99) ? single.p99 <= 1000 : undefined),
    ],
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `bench:pods — started ${startedAt}; ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadStart} at the start, ${loadEnd} at the end`,
      `engine: ${await docker(['version', '--format', '{{.Server.Version}}'])} on ${SOCKET}; two-container pods (pause + 2 × ${IMAGE}) for minik8s and the floor`,
      '',
      table(figures),
      '',
      table(targets),
      ...(swarmProblem ? ['', `Docker Swarm: ${swarmProblem}`] : []),
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:pods failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
