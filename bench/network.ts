// `npm run bench:network`: the service proxy and the pod network, in one run.
//
//   programming  1,000 Services × 3 endpoints built (pure) and loaded by a new nft session into a fresh network
//                namespace (full sync); then one Service added at that size (an incremental sync through the
//                warm session), against the same diff through a fresh `nft -f` process. Targets ≤ 1 s and ≤ 50 ms.
//   req/s        a two-node lab (namespaces, a dockerd and an agent each, VXLAN between them): a busybox httpd
//                backend on node 1; clients on node 1 and node 2 run BENCH_REQUESTS sequential `wget` (busybox has
//                no load generator, so each request is a fresh process and a fresh TCP connection) against the
//                backend's pod IP and against its ClusterIP. ClusterIP vs pod IP on one node (target ≥ 0.95×),
//                and pod IP across nodes (overlay) vs within one node. Rounds alternate the variants.
//   ready delay  the backend's readiness is toggled (a file its readiness probe reads); from the watch event that
//                shows the pod Ready to the DNAT rule for it in the client node's kernel (`nft list chain`,
//                polled every 10 ms). Target p99 ≤ 1 s.
//
// BENCH_PARTS (default `programming,lab`) picks the sections: `programming` alone needs no lab.

import { execFile, spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import type { KubeObject } from '../src/api/meta.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import type { ServicePort } from '../src/proxy/model.js';
import { Applier, hostPacketFilter } from '../src/proxy/nft.js';
import { renderIncremental } from '../src/proxy/render.js';
import { buildRuleset, FragmentCache } from '../src/proxy/ruleset.js';
import { startLab, type Lab } from '../test/support/lab.js';
import { backendPod, clientPod } from '../test/support/services.js';
import { loadAverage } from './support/proc.js';
import { fmt, summarize, table } from './support/stats.js';

const run = promisify(execFile);
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? '1000');
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? '300');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
const READY_ROUNDS = Number(process.env['BENCH_READY_ROUNDS'] ?? '15');
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'programming,lab').split(','));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ports(n: number, offset = 0): ServicePort[] {
  const out: ServicePort[] = [];
  for (let i = offset; i < offset + n; i++) {
    const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const eps = [0, 1, 2].map((j) => ({ ip: `10.244.${((i * 3 + j) >> 8) & 255}.${(i * 3 + j) & 255}`, port: 8080 }));
    out.push({ id: `bench/svc-${i}/tcp/http`, clusterIP: ip, protocol: 'tcp', port: 80, endpoints: eps });
  }
  return out;
}

/** The baseline for one update: the same script through a fresh `nft -f` process, as a one-shot tool would. */
async function oneShotNft(ns: string, script: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft -f exited ${String(code)}`))));
    child.stdin.end(script);
  });
}

async function programming(): Promise<string[][]> {
  const ns = `bnet${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  let filter = hostPacketFilter({ netns: ns });
  try {
    const base = ports(SERVICES, 1);
    const opts = { clusterCidr: '10.244.0.0/16' };
    const full: number[] = [];
    const build: number[] = [];
    let applier = new Applier(filter);
    let cache = new FragmentCache();
    for (let r = 0; r < 3; r++) {
      // A cold start: a new proxy's first sync (a new nft process too).
      await filter.close();
      filter = hostPacketFilter({ netns: ns });
      applier = new Applier(filter);
      cache = new FragmentCache();
      const t0 = performance.now();
      const rs = buildRuleset(base, opts, cache);
      build.push(performance.now() - t0);
      await applier.apply(rs);
      full.push(performance.now() - t0);
    }
    const baseRs = buildRuleset(base, opts, cache);
    const added: number[] = [];
    const oneShot: number[] = [];
    let lines = 0;
    for (let r = 0; r < 10; r++) {
      const extra = ports(1, SERVICES + 10 + r)[0] as ServicePort;
      // The proxy's way: build, diff, and the proxy's nft session.
      let t0 = performance.now();
      const res = await applier.apply(buildRuleset([...base, extra], opts, cache));
      added.push(performance.now() - t0);
      lines = res.lines;
      const withExtra = buildRuleset([...base, extra], opts, cache);
      await applier.apply(baseRs);
      // The baseline: the same diff (rendered untimed) through a fresh nft process.
      const script = renderIncremental(baseRs, withExtra) ?? '';
      t0 = performance.now();
      await oneShotNft(ns, script);
      oneShot.push(performance.now() - t0);
      await oneShotNft(ns, renderIncremental(withExtra, baseRs) ?? '');
    }
    const f = summarize(full);
    const a = summarize(added);
    const o = summarize(oneShot);
    const b = summarize(build);
    return [
      ['Measure', 'p50', 'max', 'Target', 'Verdict'],
      [
        `Program ${SERVICES} Services × 3 endpoints (cold: new nft process, build + load), 3 runs`,
        `${fmt(f.p50)} ms`,
        `${fmt(f.max)} ms`,
        '≤ 1000 ms',
        f.max <= 1000 ? 'pass' : 'FAIL',
      ],
      ['  of which building the ruleset (pure)', `${fmt(b.p50)} ms`, `${fmt(b.max)} ms`, '', ''],
      [
        `Add one Service at that size (build + diff + nft session, ${lines} nft lines), 10 runs`,
        `${fmt(a.p50)} ms`,
        `${fmt(a.max)} ms`,
        '≤ 50 ms',
        a.max <= 50 ? 'pass' : 'FAIL',
      ],
      [
        `  baseline: the same diff through a fresh \`nft -f\` process, 10 runs`,
        `${fmt(o.p50)} ms`,
        `${fmt(o.max)} ms`,
        '',
        `session ${fmt(o.p50 / a.p50, 1)}× faster (p50)`,
      ],
    ];
  } finally {
    await filter.close();
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

async function containerOf(lab: Lab, node: number, pod: string): Promise<string> {
  const r = await lab.docker(node, ['ps', '-q', '--filter', `label=io.minik8s.pod.name=${pod}`, '--filter', 'label=io.minik8s.role=container']);
  const id = r.stdout.trim().split('\n')[0];
  if (!id) throw new Error(`no container for pod ${pod} on node ${node}`);
  return id;
}

/** Requests per second of REQUESTS sequential wgets run inside a container. */
async function reqPerSec(lab: Lab, node: number, container: string, url: string): Promise<number> {
  const loop = `i=0; while [ $i -lt ${REQUESTS} ]; do wget -qO- ${url} >/dev/null || exit 1; i=$((i+1)); done`;
  const t0 = performance.now();
  const r = await lab.docker(node, ['exec', container, 'sh', '-c', loop]);
  const ms = performance.now() - t0;
  if (r.code !== 0) throw new Error(`wget loop to ${url} failed: ${r.stderr}`);
  return (REQUESTS * 1000) / ms;
}

function podObject(o: Record<string, unknown>): KubeObject {
  return o as unknown as KubeObject;
}

async function throughputAndReadiness(): Promise<{ rps: string[][]; ready: string[][] }> {
  const lab = await startLab({ nodes: 2, timeoutMs: 180_000 });
  const client = Client.fromConnection(loadKubeconfig({ path: lab.kubeconfig }));
  try {
    const [n1, n2] = lab.nodes.map((n) => n.name);
    const pods = client.resource(PODS);
    for (const p of [backendPod('backend', { app: 'bench', ...(n1 ? { nodeName: n1 } : {}) }), clientPod('client-1', n1), clientPod('client-2', n2)]) {
      await pods.create(podObject(p), { namespace: 'default' });
    }
    const svcBody = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench' },
      spec: { selector: { app: 'bench' }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    await client.resource(lookupResource('', 'v1', 'services') as ResourceType).create(svcBody, { namespace: 'default' });
    const podIP = async (): Promise<string> => {
      for (;;) {
        const p = await pods.get('backend', { namespace: 'default' });
        const st = (p.status ?? {}) as { podIP?: string; conditions?: { type: string; status: string }[] };
        if (st.podIP && st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return st.podIP;
        await sleep(200);
      }
    };
    const ip = await podIP();
    const clusterIP = JSON.parse((await lab.kubectl(['get', 'svc', 'bench', '-o', 'json'])).stdout).spec.clusterIP as string;
    const c1 = await containerOf(lab, 0, 'client-1');
    const c2 = await containerOf(lab, 1, 'client-2');
    const backend = await containerOf(lab, 0, 'backend');
    for (;;) {
      // The Service is programmed once the client can reach it.
      const r = await lab.docker(0, ['exec', c1, 'sh', '-c', `timeout 2 wget -qO- http://${clusterIP}/`]);
      if (r.code === 0) break;
      await sleep(200);
    }
    const results: Record<string, number[]> = { direct: [], cluster: [], cross: [], crossCluster: [] };
    for (let r = 0; r < ROUNDS; r++) {
      results['direct']?.push(await reqPerSec(lab, 0, c1, `http://${ip}:8080/`));
      results['cluster']?.push(await reqPerSec(lab, 0, c1, `http://${clusterIP}/`));
      results['cross']?.push(await reqPerSec(lab, 1, c2, `http://${ip}:8080/`));
      results['crossCluster']?.push(await reqPerSec(lab, 1, c2, `http://${clusterIP}/`));
    }
    const med = (k: string): number => summarize(results[k] ?? []).p50;
    const ratio = med('cluster') / med('direct');
    const rps = [
      ['Client → backend', 'req/s (median of rounds)', 'Rounds', 'Ratio', 'Target'],
      ['node 1 pod → pod IP (same node)', fmt(med('direct')), (results['direct'] ?? []).map((v) => fmt(v)).join(', '), '1.00 (baseline)', ''],
      [
        'node 1 pod → ClusterIP (same node)',
        fmt(med('cluster')),
        (results['cluster'] ?? []).map((v) => fmt(v)).join(', '),
        `${ratio.toFixed(2)} × direct`,
        `≥ 0.95×: ${ratio >= 0.95 ? 'pass' : 'FAIL'}`,
      ],
      [
        'node 2 pod → pod IP (across the overlay)',
        fmt(med('cross')),
        (results['cross'] ?? []).map((v) => fmt(v)).join(', '),
        `${(med('cross') / med('direct')).toFixed(2)} × same node`,
        '',
      ],
      [
        'node 2 pod → ClusterIP (across the overlay)',
        fmt(med('crossCluster')),
        (results['crossCluster'] ?? []).map((v) => fmt(v)).join(', '),
        `${(med('crossCluster') / med('cross')).toFixed(2)} × pod IP across`,
        '',
      ],
    ];

    // Readiness → traffic: toggle the backend's readiness; time from the watch event showing it Ready to the
    // DNAT rule for it in node 1's kernel.
    const states: { ready: boolean; at: number }[] = [];
    const abort = new AbortController();
    void pods
      .watch({ namespace: 'default', fieldSelector: 'metadata.name=backend', signal: abort.signal }, (e) => {
        const st = (e.object.status ?? {}) as { conditions?: { type: string; status: string }[] };
        states.push({ ready: st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false, at: performance.now() });
      })
      .catch(() => undefined);
    const ns = lab.nodes[0]?.netns ?? '';
    const hasRule = async (): Promise<boolean> => {
      const r = await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', 'minik8s-proxy']);
      // One endpoint: a plain `dnat to`; several: an element of the service chain's numgen map.
      return r.stdout.includes(`dnat to ${ip}:8080`) || r.stdout.includes(`${ip} . 8080`);
    };
    const delays: number[] = [];
    for (let r = 0; r < READY_ROUNDS; r++) {
      await lab.docker(0, ['exec', backend, 'rm', '-f', '/www/ready']);
      while (await hasRule()) await sleep(50);
      const mark = states.length;
      await lab.docker(0, ['exec', backend, 'touch', '/www/ready']);
      let readyAt: number | undefined;
      let ruleAt: number | undefined;
      const deadline = performance.now() + 20_000;
      while ((readyAt === undefined || ruleAt === undefined) && performance.now() < deadline) {
        readyAt ??= states.slice(mark).find((s) => s.ready)?.at;
        if (ruleAt === undefined && (await hasRule())) ruleAt = performance.now();
        await sleep(10);
      }
      if (readyAt === undefined || ruleAt === undefined) throw new Error('the backend did not turn ready and receive a rule within 20 s');
      delays.push(Math.max(0, ruleAt - readyAt));
    }
    abort.abort();
    const d = summarize(delays);
    const ready = [
      ['Measure', 'n', 'p50', 'p99', 'max', 'Target', 'Verdict'],
      [
        'Pod Ready (watch event) → DNAT rule in the client node’s kernel',
        String(d.n),
        `${fmt(d.p50)} ms`,
        `${fmt(d.p99)} ms`,
        `${fmt(d.max)} ms`,
        'p99 ≤ 1000 ms',
        d.p99 <= 1000 ? 'pass' : 'FAIL',
      ],
    ];
    return { rps, ready };
  } finally {
    client.close();
    await lab.stop();
  }
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  process.stdout.write(
    `bench:network ${started}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; load ${loadAverage()}\n`,
  );
  if (PARTS.has('programming')) process.stdout.write(`\n## Programming the proxy (nft in a fresh network namespace)\n\n${table(await programming())}\n`);
  if (PARTS.has('lab')) {
    const { rps, ready } = await throughputAndReadiness();
    process.stdout.write(`\n## Requests per second (${REQUESTS} sequential busybox wget per measurement, ${ROUNDS} rounds)\n\n${table(rps)}\n`);
    process.stdout.write(`\n## Ready → receiving traffic (${READY_ROUNDS} toggles)\n\n${table(ready)}\n`);
  }
  process.stdout.write(`\nload at the end ${loadAverage()}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:network failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
