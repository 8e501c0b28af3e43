// Starts a real single-member etcd for tests: temp data dir, free ports, fast elections.
// A missing etcd is a failure, never a skip (see STYLE.md, "Tests").

import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ETCD = '/usr/bin/etcd';
const START_TIMEOUT_MS = 10_000;

export interface EtcdHandle {
  /** Client URL, e.g. http://127.0.0.1:40123 */
  endpoint: string;
  /** Kill etcd (by PID) and remove its data dir. */
  stop(): Promise<void>;
  /** Stop and start again on the same ports and data dir; resolves once it is healthy. */
  restart(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdHandle> {
  try {
    await access(ETCD, constants.X_OK);
  } catch {
    throw new Error(`etcd not found at ${ETCD}: install Debian's etcd-server package (apt-get install etcd-server)`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'minik8s-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // prettier-ignore
  const args = [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`,
    // A single member elects itself; short timeouts make start and restart take milliseconds, not seconds.
    '--heartbeat-interval', '10',
    '--election-timeout', '100',
    '--logger', 'zap',
    '--log-level', 'error',
  ];

  let proc = await launch(args, endpoint);
  return {
    endpoint,
    async stop() {
      await kill(proc);
      await rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await kill(proc);
      proc = await launch(args, endpoint);
    },
  };
}

async function launch(args: string[], endpoint: string): Promise<ChildProcess> {
  const proc = spawn(ETCD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: string | undefined;
  proc.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  proc.on('error', (e) => {
    exited = `failed to start: ${e.message}`;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`etcd ${exited} before becoming healthy; stderr:\n${stderr}`);
    if (await healthy(endpoint)) return proc;
    await sleep(20);
  }
  await kill(proc);
  throw new Error(`etcd at ${endpoint} not healthy after ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`);
}

/** Asks etcd itself: /health reports true once the member has a leader and serves reads. */
async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Binds port 0 and releases it; the kernel will not hand the same port out again right away. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
