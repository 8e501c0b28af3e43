// Phase 2, watch fan-out: many concurrent watch streams on one collection (each its own HTTPS
// connection), then a trickle of creates. Every created ConfigMap carries, in data.sentAt, the
// performance.now() at which its request was sent; each watcher records, per event, the time its
// chunk reached JavaScript minus that. Sender and watchers share this process and its clock.

import { lookupResource, type ResourceType } from '../../src/api/scheme.js';
import type { Stream } from './https.js';
import { bounded, openLoop } from './load.js';
import { configMap } from './objects.js';
import { CpuMeter, memoryOf } from './proc.js';
import type { Metric } from './report.js';
import type { Target } from './target.js';
import { summarize } from './stats.js';

const NS = 'bench-watch';
const CONFIGMAPS = lookupResource('', 'v1', 'configmaps') as ResourceType;
const MARK = '"sentAt":"';

export interface WatchConfig {
  watchers: number;
  events: number;
  rate: number;
}

/** data.sentAt of a watch event line, found without parsing the whole event. */
function sentAt(line: string): number | undefined {
  const at = line.indexOf(MARK);
  if (at < 0) return undefined;
  const start = at + MARK.length;
  const v = Number(line.slice(start, line.indexOf('"', start)));
  return Number.isFinite(v) ? v : undefined;
}

export async function watchPhase(t: Target, cfg: WatchConfig): Promise<Metric[]> {
  const path = `/api/v1/namespaces/${NS}/configmaps?watch=true`;
  const latencies: number[] = [];
  const perWatcher = new Array<number>(cfg.watchers).fill(0);
  const streams: Stream[] = [];
  let errorEvents = 0;
  let endedEarly = 0;
  let closing = false;
  let rssWithWatchers = NaN;

  const open0 = performance.now();
  try {
    await bounded({
      concurrency: 50,
      count: cfg.watchers,
      op: async (w) => {
        let buf = '';
        const onData = (text: string, at: number): void => {
          buf += text;
          let nl: number;
          while ((nl = buf.indexOf('\n')) !== -1) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const sent = sentAt(line);
            if (sent !== undefined) {
              latencies.push(at - sent);
              perWatcher[w] = (perWatcher[w] ?? 0) + 1;
            } else if (line.includes('"type":"ERROR"')) errorEvents++;
          }
        };
        const onEnd = (): void => {
          if (!closing) endedEarly++;
        };
        streams.push(await t.raw.stream(path, onData, onEnd));
      },
    });
    const openMs = performance.now() - open0;

    const expected = cfg.watchers * cfg.events;
    const cms = t.client.resource(CONFIGMAPS);
    const cpu = new CpuMeter([t.pids.apiserver]);
    const writes = await openLoop({ rate: cfg.rate, count: cfg.events, op: (i) => cms.create(configMap(`w-${i}`, NS, { sentAt: String(performance.now()) })) });
    const deadline = performance.now() + 10_000;
    while (latencies.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const used = cpu.stop();
    rssWithWatchers = memoryOf(t.pids.apiserver).rssMiB;

    const lat = summarize(latencies);
    const commit = summarize(writes.results.map((r) => r.latencyMs));
    const missing = expected - latencies.length;
    const starved = perWatcher.filter((n) => n < cfg.events).length;
    if (missing || errorEvents || endedEarly) {
      process.stderr.write(
        `  ${t.backend}: ${missing} deliveries missing (${starved} watchers short), ${errorEvents} ERROR events, ${endedEarly} streams ended early\n`,
      );
    }
    return [
      { id: 'wa.open', label: `Watch: time to open ${cfg.watchers} watchers`, unit: 'ms', value: openMs },
      { id: 'wa.p50', label: `Watch: send→delivery p50 (${cfg.events} writes × ${cfg.watchers})`, unit: 'ms', value: lat.p50 },
      { id: 'wa.p99', label: 'Watch: send→delivery p99', unit: 'ms', value: lat.p99, target: { max: 100 } },
      { id: 'wa.max', label: 'Watch: send→delivery max', unit: 'ms', value: lat.max },
      { id: 'wa.miss', label: 'Watch: deliveries missing', unit: `of ${expected}`, value: missing, target: { max: 0 } },
      { id: 'wa.w99', label: 'Watch: the writes’ own p99 latency', unit: 'ms', value: commit.p99 },
      { id: 'wa.cpu', label: 'Watch: API server CPU per delivered event', unit: 'µs', value: ((used.cpuMs[0] ?? NaN) * 1000) / Math.max(1, latencies.length) },
      { id: 'wa.rss', label: `Watch: API server RSS with ${cfg.watchers} watchers`, unit: 'MiB', value: rssWithWatchers },
    ];
  } finally {
    closing = true;
    for (const s of streams) s.close();
  }
}
