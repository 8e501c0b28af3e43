// A pod's container on Docker: joined to its sandbox's network and IPC namespaces (PID namespace
// its own, as Kubernetes' default), with Kubernetes' command/args semantics and the pod's limits
// as cgroup settings. Engine state maps back to ContainerStatus through inspect.

import type Dockerode from 'dockerode';
import { LABELS, type ContainerConfig, type ContainerState, type ContainerStatus } from '../runtime.js';
import { podFromLabels, podLabels, safeName } from './labels.js';

/** CFS period in microseconds; the quota is millicores of it, as the kubelet computes it. */
export const CPU_PERIOD_US = 100_000;
/** The kernel's smallest quota (1 ms). */
const MIN_CPU_QUOTA_US = 1000;

export function containerName(cfg: ContainerConfig): string {
  return safeName(['k8s', cfg.name, cfg.pod.name, cfg.pod.namespace, cfg.pod.uid, String(cfg.attempt)]);
}

/**
 * Kubernetes semantics: `command` replaces the image ENTRYPOINT (and drops its CMD), `args` replaces
 * CMD; `args` alone keeps the image's entrypoint. The engine merges exactly so: a non-empty
 * Entrypoint makes it ignore the image's Cmd, and an absent one keeps the image's.
 */
function entrypoint(cfg: ContainerConfig): { Entrypoint?: string[]; Cmd?: string[] } {
  const command = cfg.command?.length ? cfg.command : undefined;
  const args = cfg.args?.length ? cfg.args : undefined;
  if (command) return { Entrypoint: command, Cmd: args ?? [] };
  return args ? { Cmd: args } : {};
}

function limits(cfg: ContainerConfig): Dockerode.HostConfig {
  const h: Dockerode.HostConfig = {};
  if (cfg.cpuLimitMillis !== undefined && cfg.cpuLimitMillis > 0) {
    h.CpuPeriod = CPU_PERIOD_US;
    h.CpuQuota = Math.max(MIN_CPU_QUOTA_US, Math.round((cfg.cpuLimitMillis * CPU_PERIOD_US) / 1000));
  }
  if (cfg.cpuShares !== undefined) h.CpuShares = Math.max(2, Math.round(cfg.cpuShares));
  if (cfg.memoryLimitBytes !== undefined && cfg.memoryLimitBytes > 0) {
    h.Memory = cfg.memoryLimitBytes;
    // Swap limit equal to the memory limit: no swap, so the limit is hard (an OOM kill, not paging).
    h.MemorySwap = cfg.memoryLimitBytes;
  }
  return h;
}

export function containerCreateOptions(sandboxId: string, cfg: ContainerConfig): Dockerode.ContainerCreateOptions {
  return {
    name: containerName(cfg),
    Image: cfg.image,
    ...entrypoint(cfg),
    Env: Object.entries(cfg.env).map(([k, v]) => `${k}=${v}`),
    ...(cfg.workingDir ? { WorkingDir: cfg.workingDir } : {}),
    Tty: cfg.tty,
    OpenStdin: cfg.stdin,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: {
      ...cfg.labels,
      ...podLabels(cfg.pod, cfg.role),
      [LABELS.containerName]: cfg.name,
      [LABELS.attempt]: String(cfg.attempt),
      [LABELS.specHash]: cfg.specHash,
    },
    HostConfig: {
      NetworkMode: `container:${sandboxId}`,
      IpcMode: `container:${sandboxId}`,
      Binds: cfg.mounts.map((m) => `${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`),
      RestartPolicy: { Name: 'no' },
      // json-file whatever the daemon's default: logs must stay readable through the API.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      ...limits(cfg),
    },
  };
}

/** Docker writes the zero time "0001-01-01T00:00:00Z" for "never". */
export function parseEngineTime(s: string | undefined): number | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export function mapState(status: string): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

export function statusFromInspect(info: Dockerode.ContainerInspectInfo): ContainerStatus {
  const labels = info.Config.Labels ?? {};
  const state = mapState(info.State.Status);
  const startedAt = parseEngineTime(info.State.StartedAt);
  const finishedAt = state === 'exited' ? parseEngineTime(info.State.FinishedAt) : undefined;
  const attempt = Number(labels[LABELS.attempt]);
  return {
    id: info.Id,
    pod: podFromLabels(labels),
    name: labels[LABELS.containerName] ?? info.Name.replace(/^\//, ''),
    role: labels[LABELS.role] === 'init' ? 'init' : 'container',
    attempt: Number.isInteger(attempt) ? attempt : 0,
    specHash: labels[LABELS.specHash] ?? '',
    image: info.Config.Image,
    imageId: info.Image,
    state,
    createdAt: Date.parse(info.Created),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(state === 'exited' ? { exitCode: info.State.ExitCode } : {}),
    oomKilled: info.State.OOMKilled,
    ...(info.State.Error ? { error: info.State.Error } : {}),
    labels,
  };
}

/**
 * Inspect results keyed by container ID and the engine state they were read in. A list only
 * re-inspects containers whose state changed since, so a periodic relist of many pods costs one
 * list call plus one inspect per changed container (the kubelet's PLEG relies on the same idea).
 */
export class StatusCache {
  private readonly entries = new Map<string, { engineState: string; status: ContainerStatus }>();

  get(id: string, engineState: string): ContainerStatus | undefined {
    const e = this.entries.get(id);
    return e && e.engineState === engineState ? copy(e.status) : undefined;
  }

  put(info: Dockerode.ContainerInspectInfo): ContainerStatus {
    const status = statusFromInspect(info);
    this.entries.set(info.Id, { engineState: info.State.Status, status });
    return copy(status);
  }

  /** Forgets containers that are gone: call with the IDs of a complete (unfiltered) list. */
  prune(live: Set<string>): void {
    for (const id of this.entries.keys()) if (!live.has(id)) this.entries.delete(id);
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}

/** Callers own what they get: the cached value stays as the engine reported it. */
function copy(s: ContainerStatus): ContainerStatus {
  return { ...s, pod: { ...s.pod }, labels: { ...s.labels } };
}
