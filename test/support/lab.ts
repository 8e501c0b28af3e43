// Starts and stops a multi-node lab (`minik8s lab up|down`, src/lab) from end-to-end tests: N
// network namespaces, a dockerd and an agent each, one control plane on the host. Every lab gets
// a unique name (two test files may run labs at once) and its own base dir under the OS temp dir.
//
//   const lab = await startLab({ nodes: 3 });
//   try { await lab.kubectl(['get', 'nodes']); await lab.exec(0, ['ip', 'addr']); } finally { await lab.stop(); }

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import type { NodePlan } from '../../src/lab/plan.js';
import { REPO_ROOT } from './apiserver.js';
import { kubectl, type KubectlResult } from './kubectl.js';
import { runToCompletion, type RunResult } from './run.js';

export interface Lab {
  name: string;
  /** The admin kubeconfig (the control plane listens on the host leg, `hostIP`). */
  kubeconfig: string;
  /** The host's address on the lab fabric: the API server's and the DNS server's. */
  hostIP: string;
  /** The API server's port on hostIP. */
  port: number;
  /** The lab's cluster CIDR (a /20 from which each node gets a /24). */
  clusterCIDR: string;
  nodes: NodePlan[];
  state: LabState;
  /** kubectl against the lab. */
  kubectl(args: string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs a command inside node i's network namespace (`ip netns exec`). */
  exec(i: number, cmd: string[], opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** Runs `docker -H <node i's engine> ARGS`. */
  docker(i: number, args: string[]): Promise<RunResult>;
  /** `minik8s lab down`, then removes the base dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LabOptions {
  nodes: number;
  /** Default: `t<pid><counter>` (lab names are at most 16 characters). */
  name?: string;
  /** Extra images to load into every node from the host's engine. */
  images?: string[];
  /** Extra `minik8s server` flags, e.g. `--dns-upstream=127.0.0.1:5353`. */
  serverFlags?: string[];
  /** Extra flags for every node's `minik8s agent`. */
  agentFlags?: string[];
  timeoutMs?: number;
}

let counter = 0;
const BIN = (): string => join(REPO_ROOT, 'bin/minik8s');

export async function startLab(opts: LabOptions): Promise<Lab> {
  const name = opts.name ?? `t${process.pid}x${counter++}`;
  const baseDir = mkdtempSync(join(tmpdir(), 'minik8s-lab-'));
  const down = async (): Promise<RunResult> =>
    runToCompletion(BIN(), ['lab', 'down', '--name', name, '--base-dir', baseDir], { label: `lab down ${name}`, timeoutMs: 120_000 });
  const args = [
    'lab',
    'up',
    '--name',
    name,
    '--nodes',
    String(opts.nodes),
    '--base-dir',
    baseDir,
    '--timeout',
    String(Math.round((opts.timeoutMs ?? 90_000) / 1000)),
  ];
  for (const img of opts.images ?? []) args.push('--image', img);
  for (const f of opts.serverFlags ?? []) args.push(`--server-flag=${f}`);
  for (const f of opts.agentFlags ?? []) args.push(`--agent-flag=${f}`);
  const up = await runToCompletion(BIN(), args, { label: `lab up ${name}`, timeoutMs: (opts.timeoutMs ?? 90_000) + 60_000 }).catch(async (e: unknown) => {
    await down();
    rmSync(baseDir, { recursive: true, force: true });
    throw e;
  });
  if (up.code !== 0) {
    await down();
    rmSync(baseDir, { recursive: true, force: true });
    throw new Error(`minik8s lab up failed (exit ${up.code}):\n${up.stderr}\n${up.stdout}`);
  }
  const status = await runToCompletion(BIN(), ['lab', 'status', '--name', name, '--base-dir', baseDir], { label: 'lab status', timeoutMs: 20_000 });
  const state = JSON.parse(status.stdout) as LabState;
  const kubeconfig = up.stdout.trim().split('\n').pop() ?? '';
  let stopped = false;
  const node = (i: number): NodePlan => {
    const n = state.plan.nodes[i];
    if (!n) throw new Error(`lab ${name} has no node ${i}`);
    return n;
  };
  return {
    name,
    kubeconfig,
    hostIP: state.plan.hostIP,
    port: state.port ?? 0,
    clusterCIDR: state.plan.clusterCIDR,
    nodes: state.plan.nodes,
    state,
    kubectl: (a, o = {}) => kubectl(a, { kubeconfig, ...o }),
    exec: (i, cmd, o = {}) =>
      runToCompletion('ip', ['netns', 'exec', node(i).netns, ...cmd], { label: `${node(i).name}: ${cmd.join(' ')}`, timeoutMs: o.timeoutMs ?? 30_000 }),
    docker: (i, a) => runToCompletion('docker', ['-H', node(i).dockerHost, ...a], { label: `docker on ${node(i).name}`, timeoutMs: 60_000 }),
    async stop() {
      if (stopped) return;
      stopped = true;
      const r = await down();
      rmSync(baseDir, { recursive: true, force: true });
      if (r.code !== 0) throw new Error(`minik8s lab down failed (exit ${r.code}):\n${r.stderr}`);
    },
  };
}
