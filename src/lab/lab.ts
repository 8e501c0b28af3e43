// `minik8s lab up|down|status`: N simulated hosts on this machine (PLATFORM.md, "Several nodes on one
// machine"): a network namespace per node with its own dockerd and its own `minik8s agent`, all joined
// to one control plane (`minik8s server --disable-agent`) on the host at the fabric's host leg.
// Everything made is recorded in DIR/state.json before it is made, so `down` removes it even after
// a failed `up`.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { loadImages, startNodeEngine, stopNodeEngine, waitEngine } from './engine.js';
import { createFabric, createNodeNet, removeNet, routePodCIDR } from './net.js';
import { DEFAULT_BASE_DIR, labDir, MAX_INDEX, planLab, preferredIndex, type LabPlan } from './plan.js';
import { alive, readPid, sh, startDetached, stopPid, tail, trySh } from './proc.js';
import { waitNodes } from './nodes.js';

/** The images every node needs: the sandbox image and the bootstrap busybox. */
export const CLUSTER_IMAGES = ['minik8s/pause:1', 'busybox:1.36'];
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../cmd/main.js');

export interface LabState {
  plan: LabPlan;
  /** The API server's port on the host leg, once known. */
  port?: number;
  kubeconfig?: string;
  createdAt: string;
}

export interface UpOptions {
  name: string;
  nodes: number;
  images?: string[];
  /** Extra flags for `minik8s server` (e.g. `--dns-upstream=127.0.0.1:5353`). */
  serverFlags?: string[];
  /** Extra flags for every node's `minik8s agent`. */
  agentFlags?: string[];
  baseDir?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

const statePath = (dir: string): string => join(dir, 'state.json');

export function readState(name: string, baseDir = DEFAULT_BASE_DIR): LabState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(labDir(name, baseDir)), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function writeState(state: LabState): void {
  writeFileSync(statePath(state.plan.dir), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Claims a fabric index no other lab holds and no route on this machine covers (a file created
 * O_EXCL). Claims live in one place for every base dir: labs in different dirs share the host's routes.
 */
const CLAIMS = join(DEFAULT_BASE_DIR, '.fabric');

function claimIndex(name: string): number {
  const claims = CLAIMS;
  mkdirSync(claims, { recursive: true });
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  const start = preferredIndex(name);
  for (let i = 0; i < MAX_INDEX; i++) {
    const k = ((start - 1 + i) % MAX_INDEX) + 1;
    if (routes.includes(`10.200.${k}.`)) continue;
    try {
      writeFileSync(join(claims, String(k)), name, { flag: 'wx' });
      return k;
    } catch {
      // Held by another lab.
    }
  }
  throw new Error('no free fabric subnet left in 10.200.0.0/16');
}

function releaseIndex(index: number): void {
  rmSync(join(CLAIMS, String(index)), { force: true });
}

/** Flags of `minik8s server` that other parts of the cluster may or may not have yet. */
let serverHelp: string | undefined;
function serverSupports(flag: string): boolean {
  serverHelp ??= execFileSync(process.execPath, [MAIN, 'server', '--help'], { encoding: 'utf8' });
  return serverHelp.includes(`--${flag} `);
}

async function ensureHostImages(images: string[], log: (l: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const img of images) if ((await trySh('docker', ['image', 'inspect', '--format', '{{.Id}}', img])) === undefined) missing.push(img);
  if (missing.some((m) => CLUSTER_IMAGES.includes(m))) {
    log(`building ${CLUSTER_IMAGES.join(', ')} on the host engine`);
    await sh(process.execPath, [MAIN, 'images', 'bootstrap']);
  }
  const still = missing.filter((m) => !CLUSTER_IMAGES.includes(m));
  if (still.length) throw new Error(`image(s) not on the host's engine: ${still.join(', ')}`);
}

async function waitServerPort(plan: LabPlan, pid: number, timeoutMs = 30_000): Promise<number> {
  const logPath = join(plan.dir, 'server.log');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = /API server on port (\d+)/.exec(existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
    if (m) return Number(m[1]);
    if (!alive(pid)) throw new Error(`minik8s server exited; last lines of ${logPath}:\n${tail(logPath)}`);
    if (Date.now() > end) throw new Error(`minik8s server did not start within ${timeoutMs} ms; log:\n${tail(logPath)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startServer(plan: LabPlan, extra: string[]): number {
  const args = [MAIN, 'server', '--disable-agent', '--data-dir', plan.serverDir, '--bind-address', plan.hostIP, '--port', '0'];
  if (serverSupports('advertise-address')) args.push('--advertise-address', plan.hostIP);
  if (serverSupports('cluster-cidr')) args.push('--cluster-cidr', plan.clusterCIDR);
  // One lab's DNS listens on its own host-leg address, so every lab can use port 53.
  if (serverSupports('dns-port')) args.push('--dns-port', '53', '--dns-bind-address', plan.hostIP);
  args.push(...extra);
  return startDetached(process.execPath, args, { log: join(plan.dir, 'server.log'), pidFile: join(plan.dir, 'server.pid') });
}

function startAgent(plan: LabPlan, i: number, port: number, extra: string[]): number {
  const node = plan.nodes[i];
  if (!node) throw new Error(`no node ${i}`);
  const args = [
    'netns',
    'exec',
    node.netns,
    process.execPath,
    MAIN,
    'agent',
    '--server',
    `https://${plan.hostIP}:${port}`,
    '--token',
    readFileSync(join(plan.serverDir, 'node-token'), 'utf8').trim(),
    '--ca-file',
    join(plan.serverDir, 'tls', 'ca.crt'),
    '--node-name',
    node.name,
    '--node-ip',
    node.ip,
    '--docker-host',
    node.dockerHost,
    '--root-dir',
    join(node.dir, 'agent'),
    '--heartbeat-interval',
    '5s',
    // The service proxy inside the agent masquerades cluster-IP traffic from outside the pod network.
    '--cluster-cidr',
    plan.clusterCIDR,
    ...extra,
  ];
  return startDetached('ip', args, { log: join(node.dir, 'agent.log'), pidFile: join(node.dir, 'agent.pid') });
}

export async function labUp(opts: UpOptions): Promise<LabState> {
  const baseDir = opts.baseDir ?? DEFAULT_BASE_DIR;
  const log = opts.log ?? ((): void => undefined);
  const existing = readState(opts.name, baseDir);
  if (existing) throw new Error(`lab "${opts.name}" exists (${existing.plan.dir}); run "lab down --name ${opts.name}" first`);
  // Validate before claiming anything.
  planLab({ name: opts.name, nodes: opts.nodes, index: 1, baseDir });
  const images = [...new Set([...CLUSTER_IMAGES, ...(opts.images ?? [])])];
  await ensureHostImages(images, log);
  const index = claimIndex(opts.name);
  const plan = planLab({ name: opts.name, nodes: opts.nodes, index, baseDir });
  for (const n of plan.nodes) mkdirSync(n.dir, { recursive: true });
  mkdirSync(plan.serverDir, { recursive: true });
  const state: LabState = { plan, createdAt: new Date().toISOString() };
  writeState(state);
  try {
    log(`fabric 10.200.${index}.0/24, cluster CIDR ${plan.clusterCIDR}, ${plan.nodes.length} node(s) under ${plan.dir}`);
    const archive = join(plan.dir, 'images.tar');
    const saved = sh('docker', ['save', '-o', archive, ...images]);
    await createFabric(plan);
    for (const [i, n] of plan.nodes.entries()) await createNodeNet(plan, n, i + 1);
    const serverPid = startServer(plan, opts.serverFlags ?? []);
    const enginePids = plan.nodes.map((n) => startNodeEngine(n));
    await Promise.all(plan.nodes.map((n, i) => waitEngine(n, enginePids[i] ?? 0)));
    await saved;
    await Promise.all(plan.nodes.map((n) => loadImages(n, archive)));
    rmSync(archive, { force: true });
    log(`engines up, images loaded: ${images.join(', ')}`);
    state.port = await waitServerPort(plan, serverPid);
    state.kubeconfig = join(plan.serverDir, 'admin.kubeconfig');
    writeState(state);
    plan.nodes.forEach((_, i) => startAgent(plan, i, state.port ?? 0, opts.agentFlags ?? []));
    const cidrs = await waitNodes(state.kubeconfig, plan, {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      expectPodCIDRs: serverSupports('cluster-cidr'),
      agentAlive: (i) => {
        const pid = readPid(join(plan.nodes[i]?.dir ?? '', 'agent.pid'));
        return pid !== undefined && alive(pid);
      },
      agentLog: (i) => tail(join(plan.nodes[i]?.dir ?? '', 'agent.log')),
    });
    for (const n of plan.nodes) {
      const cidr = cidrs.get(n.name);
      if (cidr) await routePodCIDR(plan, cidr, n.ip);
    }
    log(`all ${plan.nodes.length} node(s) Ready`);
    return state;
  } catch (e) {
    log(`lab up failed, removing what it made: ${e instanceof Error ? e.message : String(e)}`);
    await labDown({ name: opts.name, baseDir });
    throw e;
  }
}

/** Unmounts whatever is still mounted under dir (deepest first). */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await trySh('umount', ['-l', m]);
}

/** Removes a cgroup directory in every v1 hierarchy (children first; a busy one stays). */
function removeCgroup(path: string): void {
  const root = '/sys/fs/cgroup';
  let hierarchies: string[] = [];
  try {
    hierarchies = readdirSync(root);
  } catch {
    return;
  }
  const rmTree = (p: string): void => {
    let children: string[] = [];
    try {
      children = readdirSync(p, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      return;
    }
    for (const c of children) rmTree(join(p, c));
    try {
      rmdirSync(p);
    } catch {
      // Busy or already gone.
    }
  };
  for (const h of hierarchies) rmTree(join(root, h, path));
}

export async function labDown(opts: { name: string; baseDir?: string; log?: (line: string) => void }): Promise<boolean> {
  const baseDir = opts.baseDir ?? DEFAULT_BASE_DIR;
  const log = opts.log ?? ((): void => undefined);
  const state = readState(opts.name, baseDir);
  if (!state) return false;
  const { plan } = state;
  // Agents first, so nothing recreates containers; then engines (their containers first), then the control plane.
  await Promise.all(
    plan.nodes.map(async (n) => {
      const pid = readPid(join(n.dir, 'agent.pid'));
      if (pid !== undefined) await stopPid(pid, 10_000);
    }),
  );
  await Promise.all(plan.nodes.map((n) => stopNodeEngine(n)));
  const serverPid = readPid(join(plan.dir, 'server.pid'));
  if (serverPid !== undefined) await stopPid(serverPid, 10_000);
  await removeNet(plan);
  await unmountUnder(plan.dir);
  for (const n of plan.nodes) removeCgroup(n.cgroupParent);
  rmSync(plan.dir, { recursive: true, force: true });
  releaseIndex(plan.index);
  log(`lab "${plan.name}" removed`);
  return true;
}
