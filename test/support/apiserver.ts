// Starts real API servers for end-to-end tests: in-process (fast, for most suites) or as a
// `minik8s apiserver` child process (for restarts and kill -9). Both serve HTTPS with the
// generated CA and tokens, and write an admin kubeconfig that kubectl uses unchanged.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer, type RunningApiServer } from '../../src/cmd/apiserver.js';
import { Client } from '../../src/client/client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';

/** The repository root (this file runs from dist/test/support). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TestServer {
  dataDir: string;
  kubeconfig: string;
  port: number;
  client: Client;
  token: string;
  stop(): Promise<void>;
}

export async function startTestServer(opts: { store?: string; dataDir?: string } = {}): Promise<TestServer & { running: RunningApiServer }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'minik8s-api-'));
  const running = await startApiServer({ 'data-dir': dataDir, port: '0', 'bind-address': '127.0.0.1', ...(opts.store ? { store: opts.store } : {}) });
  const client = Client.fromConnection(loadKubeconfig({ path: running.kubeconfig }));
  return {
    dataDir,
    kubeconfig: running.kubeconfig,
    port: running.port,
    client,
    token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(),
    running,
    stop: async () => {
      client.close();
      await running.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  port: number;
  kubeconfig: string;
  child: ChildProcess;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** Runs `bin/minik8s apiserver` as a child process on a given data dir (and port, to keep clients' URLs). */
export async function spawnApiServer(opts: { dataDir: string; port?: number; store?: string; command?: 'apiserver' | 'server'; extraArgs?: string[] }): Promise<ServerProcess> {
  const args = [opts.command ?? 'apiserver', '--data-dir', opts.dataDir, '--port', String(opts.port ?? 0), '--bind-address', '127.0.0.1', ...(opts.extraArgs ?? [])];
  if (opts.store) args.push('--store', opts.store);
  const child = spawn(join(REPO_ROOT, 'bin/minik8s'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`apiserver did not start in 60 s; stderr:\n${err}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(?:listening|API server) on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolvePort(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`apiserver exited with ${String(code)}; stderr:\n${err}`));
    });
  });
  return {
    port,
    kubeconfig: join(opts.dataDir, 'admin.kubeconfig'),
    child,
    kill: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGKILL');
      }),
  };
}
