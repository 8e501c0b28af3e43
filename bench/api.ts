// `npm run bench:api`: the API server over SQLite and over etcd, side by side in one run on one
// machine. Each backend gets a fresh `minik8s apiserver` child process (so its memory and CPU are
// read by PID from /proc) and, for etcd, a fresh etcd; the load comes from this process over HTTPS
// with the admin kubeconfig. Phases, in order, on each server:
//   memory  a fresh server, 1,000 pods, idle: resident memory of the control plane
//   writes  open-loop 200 writes/s for 10 s, then the throughput with 32 in flight
//   watch   1,000 watchers on one collection, 50 creates at 20/s, send→delivery latency
//   list    10,000 pods: full lists, and limit=500 paged walks
// Sizes come from BENCH_* environment variables (see CONFIG); the defaults are the targets' sizes.

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { startEtcd } from '../test/support/etcd.js';
import { spawnApiServer } from '../test/support/apiserver.js';
import { RawHttps } from './support/https.js';
import { listPhase } from './support/list.js';
import { bounded } from './support/load.js';
import { pod } from './support/objects.js';
import { cpuMsOf, findPid, loadAverage, memoryOf, OtherLoadMeter } from './support/proc.js';
import { backendTable, comparisonTable, type Metric } from './support/report.js';
import { BACKEND_NAMES, type Backend, type Target } from './support/target.js';
import { watchPhase } from './support/watch.js';
import { writePhase } from './support/writes.js';

const ETCD = '/usr/bin/etcd';
const NAMESPACES = lookupResource('', 'v1', 'namespaces') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;

function env(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return n;
}

const CONFIG = {
  backends: (process.env['BENCH_BACKENDS'] ?? 'sqlite,etcd').split(',').filter((b): b is Backend => b === 'sqlite' || b === 'etcd'),
  memory: { pods: env('BENCH_MEM_PODS', 1000), idleSeconds: env('BENCH_IDLE_SECONDS', 5) },
  write: {
    rate: env('BENCH_WRITE_RATE', 200),
    seconds: env('BENCH_WRITE_SECONDS', 10),
    maxInFlight: env('BENCH_MAX_IN_FLIGHT', 32),
    maxSeconds: env('BENCH_MAX_SECONDS', 5),
    pool: env('BENCH_UPDATE_POOL', 100),
  },
  watch: { watchers: env('BENCH_WATCHERS', 1000), events: env('BENCH_WATCH_EVENTS', 50), rate: env('BENCH_WATCH_RATE', 20) },
  list: { pods: env('BENCH_LIST_PODS', 10000), lists: env('BENCH_LISTS', 20), pagedWalks: env('BENCH_PAGED_WALKS', 2), pageSize: 500, createConcurrency: 32 },
};

/** Everything started, undone in reverse order: clients, the API server, etcd, temp dirs. */
const cleanups: (() => Promise<void> | void)[] = [];

async function cleanUp(): Promise<void> {
  while (cleanups.length) {
    const undo = cleanups.pop();
    try {
      await undo?.();
    } catch (e) {
      process.stderr.write(`cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

function progress(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function timedPhase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  progress(`  ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * Works around a start-up hang (see docs/benchmarks.md, "Known problems"): the watch cache waits for
 * a store event at the listed revision, and a fresh etcd's revision 1 has none, so the API server
 * never starts. One object under /registry/ written first makes the newest revision an event the
 * cache sees. The namespace is unused by the benchmark.
 */
async function seedEtcd(endpoint: string): Promise<void> {
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'bench-seed', uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), generation: 1 },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  // etcd's JSON gateway for the v3 API: keys and values in base64.
  const res = await fetch(`${endpoint}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({ key: b64('/registry/core/namespaces/bench-seed'), value: b64(JSON.stringify(ns)) }),
  });
  if (!res.ok) throw new Error(`seeding etcd: HTTP ${res.status}: ${await res.text()}`);
}

/** Phase 4 (run first, on the fresh server): resident memory after creating pods and idling. */
async function memoryPhase(t: Target): Promise<Metric[]> {
  const pods = t.client.resource(PODS);
  const { pods: count, idleSeconds } = CONFIG.memory;
  await bounded({ concurrency: 16, count, op: (i) => pods.create(pod(`mem-${i}`, 'bench-mem')) });
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const api = memoryOf(t.pids.apiserver).rssMiB;
  const store = t.pids.store ? memoryOf(t.pids.store).rssMiB : 0;
  const metrics: Metric[] = [{ id: 'mem.api', label: `Memory: API server RSS, ${count} pods, idle ${idleSeconds} s`, unit: 'MiB', value: api }];
  if (t.pids.store) metrics.push({ id: 'mem.store', label: 'Memory: etcd RSS, same moment', unit: 'MiB', value: store });
  metrics.push({ id: 'mem.total', label: 'Memory: control plane (API server + store process)', unit: 'MiB', value: api + store, target: { max: 150 } });
  return metrics;
}

async function runBackend(backend: Backend): Promise<Metric[]> {
  progress(`${BACKEND_NAMES[backend]}: starting`);
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let store: string | undefined;
  let storePid: number | undefined;
  if (backend === 'etcd') {
    const etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    store = `etcd://${new URL(etcd.endpoint).host}`;
    storePid = findPid(ETCD, ['--listen-client-urls', etcd.endpoint]);
    await seedEtcd(etcd.endpoint);
  }
  const server = await spawnApiServer({ dataDir, ...(store ? { store } : {}) });
  cleanups.push(() => server.kill());
  const apiPid = server.child.pid;
  if (apiPid === undefined) throw new Error('the API server child has no PID');
  const conn = loadKubeconfig({ path: server.kubeconfig });
  const client = Client.fromConnection(conn);
  cleanups.push(() => client.close());
  const raw = new RawHttps(conn, { maxSockets: CONFIG.watch.watchers + 64 });
  cleanups.push(() => raw.close());
  const t: Target = { backend, client, raw, pids: { apiserver: apiPid, ...(storePid ? { store: storePid } : {}) } };

  const rssEmpty = memoryOf(apiPid).rssMiB;
  const cpu0 = cpuMsOf(apiPid);
  const others = new OtherLoadMeter([apiPid, ...(storePid ? [storePid] : [])]);
  for (const name of ['bench-mem', 'bench-rw', 'bench-watch', 'bench-list']) await client.resource(NAMESPACES).create({ metadata: { name } });
  const metrics: Metric[] = [{ id: 'mem.empty', label: 'Memory: API server RSS, empty, at start', unit: 'MiB', value: rssEmpty }];
  metrics.push(...(await timedPhase('memory', () => memoryPhase(t))));
  metrics.push(...(await timedPhase('writes', () => writePhase(t, CONFIG.write))));
  metrics.push(...(await timedPhase('watch', () => watchPhase(t, CONFIG.watch))));
  // Let the server finish closing the watch connections before the lists are timed.
  await new Promise((r) => setTimeout(r, 1000));
  metrics.push(...(await timedPhase('list', () => listPhase(t, CONFIG.list))));
  const end = memoryOf(apiPid);
  metrics.push(
    { id: 'mem.end', label: 'Memory: API server RSS at the end', unit: 'MiB', value: end.rssMiB },
    { id: 'mem.peak', label: 'Memory: API server peak RSS (VmHWM)', unit: 'MiB', value: end.hwmMiB },
    { id: 'cpu.total', label: 'CPU: API server, whole run', unit: 's', value: (cpuMsOf(apiPid) - cpu0) / 1000 },
    { id: 'cpu.others', label: 'CPU: other processes on the machine, mean', unit: 'CPUs', value: others.stop(), ratio: false },
  );
  await cleanUp();
  return metrics;
}

function machine(): string[] {
  let etcdVersion = 'not found';
  try {
    etcdVersion = /etcd Version: (\S+)/.exec(execFileSync(ETCD, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    // reported as not found; the etcd run then fails with startEtcd's own message
  }
  return [
    `date:     ${new Date().toISOString()}`,
    `machine:  ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `software: Node ${process.version}, etcd ${etcdVersion}`,
    `load:     ${loadAverage()} (1, 5, 15 min) at start`,
  ];
}

async function main(): Promise<void> {
  const onSignal = (): void => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const header = machine();
  process.stdout.write(`${header.join('\n')}\n`);
  const t0 = performance.now();
  const results: Partial<Record<Backend, Metric[]>> = {};
  for (const b of CONFIG.backends) results[b] = await runBackend(b);
  const out: string[] = [];
  for (const b of CONFIG.backends) out.push(`\n## ${BACKEND_NAMES[b]}\n`, backendTable(b, results[b] ?? []));
  if (results.sqlite && results.etcd) out.push('\n## etcd / SQLite\n', comparisonTable(results));
  out.push(`\nload: ${loadAverage()} (1, 5, 15 min) at the end; whole run ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
  const json = process.env['BENCH_JSON'];
  if (json) writeFileSync(json, JSON.stringify({ header, config: CONFIG, results }, null, 2));
}

main().catch(async (e: unknown) => {
  process.stderr.write(`bench:api failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await cleanUp();
  process.exit(1);
});
