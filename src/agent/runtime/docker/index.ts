// The Runtime interface over the Docker Engine API (dockerode). Mapping in ../README.md: a pod is a
// pause container (sandbox.ts) plus containers joined to its namespaces (containers.ts); identity
// lives in labels (labels.ts); logs and exec streams in streams.ts; pull policies in images.ts.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import { abortReason } from '../../../util/abort.js';
import {
  LABELS,
  RuntimeError,
  type ContainerConfig,
  type ContainerStats,
  type ContainerStatus,
  type ExecOptions,
  type ExecSession,
  type LogOptions,
  type PullPolicy,
  type Runtime,
  type Sandbox,
  type SandboxConfig,
} from '../runtime.js';
import { StatusCache, containerCreateOptions } from './containers.js';
import { engineMessage, statusCode, toRuntimeError, tolerateGone } from './errors.js';
import { ensureImage } from './images.js';
import { PAUSE_IMAGE, SANDBOX_FILTER, renderResolvConf, sandboxCreateOptions, sandboxFromInspect, sandboxFromSummary } from './sandbox.js';
import { openLogs, startExec } from './streams.js';

export { PAUSE_IMAGE } from './sandbox.js';

export const DEFAULT_SOCKET_PATH = '/var/run/docker.sock';

export interface DockerRuntimeOptions {
  /** The engine's Unix socket (default /var/run/docker.sock). */
  socketPath?: string;
  /** The sandbox image (default minik8s/pause:1, built by `minik8s images bootstrap`). */
  pauseImage?: string;
  /** Give up on a pull that has not finished after this long (default 2 min, the kubelet's request timeout). */
  pullTimeoutMs?: number;
}

/** `--docker-host unix:///path` (or a bare path) → the socket path. Only Unix sockets are supported. */
export function socketPathFromDockerHost(host: string): string {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.startsWith('/')) return host;
  throw new Error(`--docker-host ${host}: expected unix:///path/to/docker.sock`);
}

export class DockerRuntime implements Runtime {
  readonly socketPath: string;
  private readonly docker: Dockerode;
  private readonly pauseImage: string;
  private readonly pullTimeoutMs: number;
  private readonly statuses = new StatusCache();

  constructor(opts: DockerRuntimeOptions = {}) {
    this.socketPath = opts.socketPath ?? DEFAULT_SOCKET_PATH;
    this.docker = new Dockerode({ socketPath: this.socketPath });
    this.pauseImage = opts.pauseImage ?? PAUSE_IMAGE;
    this.pullTimeoutMs = opts.pullTimeoutMs ?? 120_000;
  }

  async version(): Promise<{ name: string; version: string }> {
    try {
      return { name: 'docker', version: (await this.docker.version()).Version };
    } catch (e) {
      throw toRuntimeError(e, 'engine version', { otherwise: 'Unavailable' });
    }
  }

  ensureImage(image: string, policy: PullPolicy): Promise<{ pulled: boolean; imageId: string }> {
    return ensureImage(this.docker, image, policy, this.pullTimeoutMs);
  }

  async createSandbox(cfg: SandboxConfig): Promise<Sandbox> {
    const what = `sandbox of pod ${cfg.pod.namespace}/${cfg.pod.name}`;
    const id = await this.create(sandboxCreateOptions(cfg, this.pauseImage), what);
    const c = this.docker.getContainer(id);
    try {
      await c.start();
      const info = await c.inspect();
      if (cfg.setUpNetwork && !cfg.hostNetwork) await cfg.setUpNetwork(info.State.Pid);
      // Containers joining the sandbox share this file, so they see it too (sandbox.ts, renderResolvConf).
      if (cfg.dns?.servers.length && !cfg.hostNetwork && info.ResolvConfPath) await writeFile(info.ResolvConfPath, renderResolvConf(cfg.dns));
      return sandboxFromInspect(info);
    } catch (e) {
      // A sandbox that cannot run (an IP already taken, say) is of no use: the agent makes a new one.
      await tolerateGone(() => c.remove({ force: true }), [409]).catch(() => undefined);
      throw toRuntimeError(e, `start ${what}`, { otherwise: 'RunContainerError' });
    }
  }

  async listSandboxes(filter?: { podUid?: string }): Promise<Sandbox[]> {
    const label = filter?.podUid !== undefined ? [...SANDBOX_FILTER.label, `${LABELS.podUid}=${filter.podUid}`] : SANDBOX_FILTER.label;
    try {
      return (await this.docker.listContainers({ all: true, filters: { label } })).map(sandboxFromSummary);
    } catch (e) {
      throw toRuntimeError(e, 'list sandboxes', { otherwise: 'Unavailable' });
    }
  }

  async removeSandbox(id: string): Promise<void> {
    // Force-remove: the pause process holds no data, so SIGKILL is as good as a stop.
    await this.remove(id, 'remove sandbox');
  }

  async createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string> {
    return this.create(containerCreateOptions(sandboxId, cfg), `container ${cfg.name} of pod ${cfg.pod.namespace}/${cfg.pod.name}`);
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (statusCode(e) === 304) return; // already running
      throw toRuntimeError(e, `start container ${id}`, { otherwise: 'RunContainerError' });
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    // The engine's stop: the image's stop signal (SIGTERM by default), SIGKILL after t seconds.
    const t = Math.max(0, Math.ceil(graceSeconds));
    try {
      await tolerateGone(() => this.docker.getContainer(id).stop({ t }));
    } catch (e) {
      throw toRuntimeError(e, `stop container ${id}`, { otherwise: 'Unavailable' });
    }
  }

  async removeContainer(id: string): Promise<void> {
    await this.remove(id, 'remove container');
    this.statuses.forget(id);
  }

  async listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]> {
    const label = filter?.podUid !== undefined ? [`${LABELS.podUid}=${filter.podUid}`] : [LABELS.podUid];
    let list: Dockerode.ContainerInfo[];
    try {
      list = await this.docker.listContainers({ all: true, filters: { label } });
    } catch (e) {
      throw toRuntimeError(e, 'list containers', { otherwise: 'Unavailable' });
    }
    const mine = list.filter((c) => c.Labels[LABELS.role] !== 'sandbox');
    if (filter?.podUid === undefined) this.statuses.prune(new Set(mine.map((c) => c.Id)));
    const statuses = await Promise.all(
      mine.map(async (c) => {
        const cached = this.statuses.get(c.Id, c.State);
        if (cached) return cached;
        // Removed between the list and the inspect: it is simply not there any more.
        return this.inspectContainer(c.Id).catch((e: unknown) => {
          if (e instanceof RuntimeError && e.reason === 'NotFound') return undefined;
          throw e;
        });
      }),
    );
    return statuses.filter((s): s is ContainerStatus => s !== undefined);
  }

  async inspectContainer(id: string): Promise<ContainerStatus> {
    try {
      return this.statuses.put(await this.docker.getContainer(id).inspect());
    } catch (e) {
      throw toRuntimeError(e, `inspect container ${id}`, { otherwise: 'Unavailable' });
    }
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return await openLogs(this.socketPath, info.Id, { ...opts, tty: info.Config.Tty });
    } catch (e) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      throw toRuntimeError(e, `logs of container ${id}`, { otherwise: 'Unavailable' });
    }
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    try {
      return await startExec(this.docker.getContainer(id), opts);
    } catch (e) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      throw toRuntimeError(e, `exec in container ${id}`, { otherwise: 'RunContainerError' });
    }
  }

  async stats(id: string): Promise<ContainerStats> {
    let s: Dockerode.ContainerStats;
    try {
      s = await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true });
    } catch (e) {
      throw toRuntimeError(e, `stats of container ${id}`, { otherwise: 'Unavailable' });
    }
    // Working set as the kubelet reports it: usage minus inactive file pages (reclaimable cache);
    // total_inactive_file on cgroup v1, inactive_file on v2.
    const mem = s.memory_stats as Partial<Dockerode.MemoryStats> | undefined;
    const inactive = mem?.stats?.total_inactive_file ?? mem?.stats?.inactive_file ?? 0;
    const at = Date.parse(s.read);
    return {
      cpuUsageNanos: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memoryWorkingSetBytes: Math.max(0, (mem?.usage ?? 0) - inactive),
      at: Number.isNaN(at) || at <= 0 ? Date.now() : at,
    };
  }

  /** Creates a named container; a name still held by an old container gets a random suffix. */
  private async create(opts: Dockerode.ContainerCreateOptions, what: string): Promise<string> {
    try {
      try {
        return (await this.docker.createContainer(opts)).id;
      } catch (e) {
        if (statusCode(e) !== 409 || !opts.name) throw e;
        return (await this.docker.createContainer({ ...opts, name: `${opts.name}_${randomBytes(3).toString('hex')}` })).id;
      }
    } catch (e) {
      // The engine says 404 both for a missing image and a missing sandbox: only its text tells them apart.
      const missingImage = statusCode(e) === 404 && /no such image/i.test(engineMessage(e));
      const reason = missingImage ? 'ImageNotFound' : 'CreateContainerError';
      throw toRuntimeError(e, `create ${what}`, { otherwise: reason, notFound: reason });
    }
  }

  private async remove(id: string, what: string): Promise<void> {
    try {
      // 409: a removal already in progress.
      await tolerateGone(() => this.docker.getContainer(id).remove({ force: true, v: true }), [409]);
    } catch (e) {
      throw toRuntimeError(e, `${what} ${id}`, { otherwise: 'Unavailable' });
    }
  }
}
