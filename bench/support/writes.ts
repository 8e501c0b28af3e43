// Phase 1, writes: a steady open-loop 200 writes/s (a quarter each: create ConfigMap, update
// ConfigMap, create Pod, update Pod), then the most writes/s the server sustains with a fixed
// number in flight. Updates are PUTs of the whole object without a resourceVersion
// (unconditional, as `kubectl replace` sends them) to a pool of objects made beforehand.

import type { KubeObject } from '../../src/api/meta.js';
import { lookupResource, type ResourceType } from '../../src/api/scheme.js';
import { bounded, closedLoop, openLoop, type LoadResult } from './load.js';
import { configMap, pod } from './objects.js';
import { CpuMeter } from './proc.js';
import type { Metric } from './report.js';
import type { Target } from './target.js';
import { summarize } from './stats.js';

const NS = 'bench-rw';
const CONFIGMAPS = lookupResource('', 'v1', 'configmaps') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;

export interface WriteConfig {
  rate: number;
  seconds: number;
  maxInFlight: number;
  maxSeconds: number;
  /** Objects of each kind that updates cycle through. */
  pool: number;
}

/** Write number i of a run: i % 4 picks the operation, so each kind is half creates, half updates. */
function writer(t: Target, run: string, pool: number): (i: number) => Promise<KubeObject> {
  const cms = t.client.resource(CONFIGMAPS);
  const pods = t.client.resource(PODS);
  return (i) => {
    const n = i >> 2;
    const target = `pool-${n % pool}`;
    switch (i % 4) {
      case 0:
        return cms.create(configMap(`${run}-${n}`, NS, { value: String(i) }));
      case 1:
        return cms.update(configMap(target, NS, { value: String(i) }));
      case 2:
        return pods.create(pod(`${run}-${n}`, NS));
      default:
        return pods.update(pod(target, NS, { 'bench.minik8s.io/seq': String(i) }));
    }
  };
}

function failures(r: LoadResult): { count: number; first: string } {
  const bad = r.results.filter((x) => !x.ok);
  return { count: bad.length, first: bad[0]?.error ?? '' };
}

export async function writePhase(t: Target, cfg: WriteConfig): Promise<Metric[]> {
  const cms = t.client.resource(CONFIGMAPS);
  const pods = t.client.resource(PODS);
  await bounded({
    concurrency: 16,
    count: cfg.pool,
    op: async (i) => {
      await cms.create(configMap(`pool-${i}`, NS, { value: 'initial' }));
      await pods.create(pod(`pool-${i}`, NS));
    },
  });

  const count = Math.round(cfg.rate * cfg.seconds);
  const cpu = new CpuMeter([t.pids.apiserver, ...(t.pids.store ? [t.pids.store] : [])]);
  const steady = await openLoop({ rate: cfg.rate, count, op: writer(t, 'steady', cfg.pool) });
  const used = cpu.stop();
  const all = summarize(steady.results.map((r) => r.latencyMs));
  const creates = summarize(steady.results.filter((_, i) => i % 2 === 0).map((r) => r.latencyMs));
  const updates = summarize(steady.results.filter((_, i) => i % 2 === 1).map((r) => r.latencyMs));
  const steadyFail = failures(steady);

  const max = await closedLoop({ concurrency: cfg.maxInFlight, durationMs: cfg.maxSeconds * 1000, op: writer(t, 'max', cfg.pool) });
  const maxAll = summarize(max.results.map((r) => r.latencyMs));
  const maxFail = failures(max);
  for (const [name, f] of [
    ['steady', steadyFail],
    ['max', maxFail],
  ] as const) {
    if (f.count) process.stderr.write(`  ${t.backend}: ${f.count} ${name} writes failed; first: ${f.first}\n`);
  }

  const metrics: Metric[] = [
    { id: 'w.rate', label: `Steady writes: achieved rate (offered ${cfg.rate}/s)`, unit: 'writes/s', value: (steady.results.length * 1000) / steady.wallMs },
    { id: 'w.p50', label: 'Steady writes: p50 latency', unit: 'ms', value: all.p50 },
    { id: 'w.p99', label: 'Steady writes: p99 latency', unit: 'ms', value: all.p99, target: { max: 50, only: 'sqlite' } },
    { id: 'w.max', label: 'Steady writes: max latency', unit: 'ms', value: all.max },
    { id: 'w.c99', label: 'Steady creates: p99 latency', unit: 'ms', value: creates.p99 },
    { id: 'w.u99', label: 'Steady updates: p99 latency', unit: 'ms', value: updates.p99 },
    { id: 'w.err', label: 'Steady writes: errors', unit: `of ${count}`, value: steadyFail.count, target: { max: 0 } },
    { id: 'w.cpu', label: 'Steady writes: API server CPU per write', unit: 'ms', value: (used.cpuMs[0] ?? NaN) / count },
  ];
  if (t.pids.store) metrics.push({ id: 'w.scpu', label: 'Steady writes: etcd CPU per write', unit: 'ms', value: (used.cpuMs[1] ?? NaN) / count });
  metrics.push(
    { id: 'm.rate', label: `Max writes (${cfg.maxInFlight} in flight): throughput`, unit: 'writes/s', value: (max.results.length * 1000) / max.wallMs },
    { id: 'm.p50', label: `Max writes (${cfg.maxInFlight} in flight): p50 latency`, unit: 'ms', value: maxAll.p50 },
    { id: 'm.p99', label: `Max writes (${cfg.maxInFlight} in flight): p99 latency`, unit: 'ms', value: maxAll.p99 },
    { id: 'm.err', label: `Max writes (${cfg.maxInFlight} in flight): errors`, unit: `of ${max.results.length}`, value: maxFail.count, target: { max: 0 } },
  );
  if (steady.maxDispatchLagMs > 20)
    process.stderr.write(`  ${t.backend}: the load generator sent one write ${steady.maxDispatchLagMs.toFixed(0)} ms late (counted in its latency)\n`);
  return metrics;
}
