// An extra Docker Engine on this machine, standing in for a second node's runtime (PLATFORM.md,
// "Several nodes on one machine"). It runs in the host's network namespace, on a Linux bridge of
// its own (`mk-NAME`, a /24 in 10.213.0.0/16 no route uses yet), with no iptables rules and no
// masquerade. Moving nodes into their own network namespaces is the networking issue's job.
//
// Why not `--bridge none`: a dockerd started with it deletes the interface `docker0` at start-up
// (moby's removeDefaultBridgeInterface), and in the host's namespace that is the host engine's
// bridge: every later container on the host engine fails with "could not find bridge docker0".
//
// Each engine has its own data root, exec root, socket, containerd namespace and cgroup parent
// under one temp dir; dockerd starts its own managed containerd there (no `--containerd`: sharing the
// host engine's containerd is not needed). Readiness is probed by talking to the engine, never
// with pgrep; stop() removes its containers, SIGTERMs dockerd by its PID, waits for it to go, and
// deletes the bridge.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './apiserver.js';

const run = promisify(execFile);

export interface Engine {
  /** The temp dir holding everything the engine writes. */
  dir: string;
  /** Its Linux bridge (pods get addresses on it) and that bridge's /24 prefix, like `10.213.7`. */
  bridge: string;
  subnet: string;
  /** `unix://DIR/docker.sock`, for `--docker-host` and `docker -H`. */
  dockerHost: string;
  socketPath: string;
  pid: number;
  /** Runs `docker -H <this engine> ARGS` and returns its stdout (throws on a non-zero exit). */
  docker(args: string[]): Promise<string>;
  /** Removes its containers, stops dockerd (SIGTERM by PID, then SIGKILL after 15 s) and removes its dir. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Names the containerd namespace and cgroup parent (`minik8s-NAME`). */
  name: string;
  /** Load minik8s/pause:1 and busybox with `minik8s images bootstrap` (default true). */
  images?: boolean;
  /** How long to wait for the engine to answer (default 20 s). */
  readyTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A free 10.213.K.0/24: one no route on this machine covers yet. */
async function freeSubnet(): Promise<string> {
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const k = ((start + i) % 250) + 1;
    if (!routes.includes(`10.213.${k}.`)) return `10.213.${k}`;
  }
  throw new Error('no free /24 left in 10.213.0.0/16');
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  // Interface names are at most 15 bytes.
  const bridge = `mk-${opts.name}`.slice(0, 15);
  const subnet = await freeSubnet();
  await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
  try {
    await run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
  } catch (e) {
    await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), `minik8s-engine-${opts.name}-`));
  const socketPath = join(dir, 'docker.sock');
  const dockerHost = `unix://${socketPath}`;
  const logPath = join(dir, 'dockerd.log');
  const log = openSync(logPath, 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '-H',
      dockerHost,
      '--pidfile',
      join(dir, 'docker.pid'),
      '--bridge',
      bridge,
      '--iptables=false',
      '--ip-masq=false',
      '--containerd-namespace',
      `minik8s-${opts.name}`,
      '--cgroup-parent',
      `/minik8s-${opts.name}`,
    ],
    // Its own session, so a signal aimed at the test's process group does not reach it first.
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn dockerd (is docker.io installed? scripts/docker.sh installs it)');
  child.unref();
  // Exit is known from the child handle (Node reaps it), not from kill(pid, 0), which a zombie passes.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const docker = async (args: string[]): Promise<string> => (await run('docker', ['-H', dockerHost, ...args], { maxBuffer: 16 << 20 })).stdout;
  const tailLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const engine: Engine = {
    dir,
    bridge,
    subnet,
    dockerHost,
    socketPath,
    pid,
    docker,
    async stop() {
      if (running()) {
        try {
          const ids = (await docker(['ps', '-aq'])).split('\n').filter((s) => s !== '');
          if (ids.length) await docker(['rm', '-f', ...ids]);
        } catch {
          // The engine may already be gone; stopping it is what matters.
        }
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (running()) process.kill(pid, 'SIGKILL');
        }, 15000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    },
  };

  try {
    const end = Date.now() + (opts.readyTimeoutMs ?? 20000);
    for (;;) {
      try {
        await docker(['version', '--format', '{{.Server.Version}}']);
        break;
      } catch (e) {
        if (!running()) throw new Error(`dockerd exited before answering; last lines of ${logPath}:\n${tailLog()}`);
        if (Date.now() > end)
          throw new Error(
            `dockerd on ${dockerHost} did not answer within ${opts.readyTimeoutMs ?? 20000} ms (${e instanceof Error ? e.message : String(e)}); log:\n${tailLog()}`,
          );
        await sleep(100);
      }
    }
    if (opts.images ?? true) await run(join(REPO_ROOT, 'bin/minik8s'), ['images', 'bootstrap', '--docker-host', dockerHost]);
  } catch (e) {
    await engine.stop();
    throw e;
  }
  return engine;
}
