// `npm run bench:cli`: mkctl's wall time against the real kubectl's, in the same run on the same machine.
// A fresh `minik8s apiserver` child process holds BENCH_CLI_PODS pods in `default`; then each command runs
// BENCH_CLI_RUNS times, round-robin (so background load hits all of them alike), after one warm-up run
// each (kubectl fills its discovery cache then, as it would on any machine it ran on before):
//   node -e 0                  the floor any Node.js CLI starts from (for reference)
//   node https-get.mjs         the floor of any Node.js client of this server: one HTTPS GET of the pods Table
//                              with the kubeconfig's CA and token, nothing else (for reference)
//   mkctl / kubectl version --client
//   mkctl / kubectl get pods   (kubectl with a warm discovery cache)
// Reported: median, p90 and min per command, the mkctl/kubectl ratio of medians and the ≤ 2× verdict.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { Client } from '../src/client/client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { spawnApiServer } from '../test/support/apiserver.js';
import { findKubectl } from '../test/support/kubectl.js';
import { MKCTL } from '../test/support/mkctl.js';
import { fmt, table } from './support/stats.js';

function env(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive integer`);
  return n;
}

const RUNS = env('BENCH_CLI_RUNS', 30);
const PODS = env('BENCH_CLI_PODS', 20);
const TARGET_RATIO = 2;

interface Command {
  id: string;
  label: string;
  argv: string[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function runOnce(cmd: Command, envVars: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd.argv[0] as string, cmd.argv.slice(1), { env: envVars, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.argv.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return ms;
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const kubectlVersion = spawnSync(findKubectl(), ['version', '--client'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
  return `${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${kubectlVersion.trim()}; load average before: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-bench-cli-'));
  const server = await spawnApiServer({ dataDir });
  try {
    const client = Client.fromConnection(loadKubeconfig({ path: server.kubeconfig }));
    const pods = client.resource(lookupResource('', 'v1', 'pods') as ResourceType);
    for (let i = 0; i < PODS; i++) {
      await pods.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `bench-${i}`, namespace: 'default', labels: { app: 'bench' } },
        spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] },
      });
    }
    client.close();
    const conn = loadKubeconfig({ path: server.kubeconfig });
    const floorScript = join(dataDir, 'https-get.mjs');
    writeFileSync(
      floorScript,
      `import { get } from 'node:https';\n` +
        `get(${JSON.stringify(`${conn.server}/api/v1/namespaces/default/pods`)}, { ca: ${JSON.stringify(conn.ca ?? '')}, headers: { Authorization: ${JSON.stringify(`Bearer ${conn.token ?? ''}`)}, Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } }, (res) => {\n` +
        `  let body = '';\n  res.on('data', (c) => (body += c));\n  res.on('end', () => process.stdout.write(String(JSON.parse(body).rows.length) + '\\n'));\n});\n`,
    );

    const kubectl = findKubectl();
    const cacheDir = join(dataDir, 'kubectl-cache');
    const commands: Command[] = [
      { id: 'node', label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
      { id: 'https-get', label: 'node https-get.mjs (one HTTPS GET)', argv: [process.execPath, floorScript] },
      { id: 'mkctl-version', label: 'mkctl version --client', argv: [MKCTL, 'version', '--client'] },
      { id: 'kubectl-version', label: 'kubectl version --client', argv: [kubectl, 'version', '--client'] },
      { id: 'mkctl-get', label: 'mkctl get pods', argv: [MKCTL, 'get', 'pods'] },
      { id: 'kubectl-get', label: 'kubectl get pods', argv: [kubectl, '--cache-dir', cacheDir, 'get', 'pods'] },
    ];
    const envVars = { ...process.env, KUBECONFIG: server.kubeconfig };
    const where = machine();
    process.stdout.write(`bench:cli: ${RUNS} runs of each command, round-robin, against a minik8s apiserver with ${PODS} pods\nmachine: ${where}\n\n`);
    const times = new Map<string, number[]>(commands.map((c) => [c.id, []]));
    for (const c of commands) runOnce(c, envVars); // warm-up (page cache, kubectl's discovery cache)
    for (let i = 0; i < RUNS; i++) for (const c of commands) times.get(c.id)?.push(runOnce(c, envVars));

    const stats = new Map(
      commands.map((c) => {
        const sorted = [...(times.get(c.id) ?? [])].sort((a, b) => a - b);
        return [c.id, { p50: percentile(sorted, 50), p90: percentile(sorted, 90), min: sorted[0] ?? NaN }];
      }),
    );
    const rows = [['Command', 'median (ms)', 'p90 (ms)', 'min (ms)']];
    for (const c of commands) {
      const st = stats.get(c.id);
      rows.push([c.label, fmt(st?.p50 ?? NaN), fmt(st?.p90 ?? NaN), fmt(st?.min ?? NaN)]);
    }
    process.stdout.write(`${table(rows)}\n\n`);
    const verdicts = [['Comparison', 'mkctl / kubectl (medians)', 'Target', 'Verdict']];
    let failed = false;
    for (const [what, mine, theirs] of [
      ['version --client', 'mkctl-version', 'kubectl-version'],
      ['get pods', 'mkctl-get', 'kubectl-get'],
    ] as const) {
      const ratio = (stats.get(mine)?.p50 ?? NaN) / (stats.get(theirs)?.p50 ?? NaN);
      const pass = ratio <= TARGET_RATIO;
      failed ||= !pass;
      verdicts.push([what, `${ratio.toFixed(2)}×`, `≤ ${TARGET_RATIO}×`, pass ? 'pass' : 'FAIL']);
    }
    process.stdout.write(`${table(verdicts)}\n`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:cli failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
