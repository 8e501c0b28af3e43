// The container runtime interface the node agent drives, shaped after the CRI: a pod is a
// sandbox (the pause container owning the network and IPC namespaces) plus containers
// joined to it. Implementations: docker/ (the Docker Engine). Every implementation runs
// runtime.contract.ts. Identity lives in labels, so an agent restart can adopt what runs.

import type { Readable, Writable } from 'node:stream';

/** Labels every runtime object carries (values are strings). */
export const LABELS = {
  podUid: 'io.minik8s.pod.uid',
  podName: 'io.minik8s.pod.name',
  podNamespace: 'io.minik8s.pod.namespace',
  containerName: 'io.minik8s.container.name',
  /** 'sandbox' | 'container' | 'init' */
  role: 'io.minik8s.role',
  /** How many times this container name has been started in this pod before (restartCount). */
  attempt: 'io.minik8s.container.attempt',
  /** Hash of the container spec it was created from: a changed spec means recreate. */
  specHash: 'io.minik8s.container.hash',
} as const;

export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

export interface SandboxConfig {
  pod: PodRef;
  hostname: string;
  /** Host network (pod shares the node's network namespace). */
  hostNetwork: boolean;
  /** Runtime network to attach to (a bridge network name); absent: the engine's default. */
  network?: string;
  /** Fixed IP on that network (the agent does IPAM), when set. */
  ip?: string;
  /**
   * The agent's own pod network (CNI style): the engine gives the sandbox no network but loopback, records `ip`
   * on it, and calls this with the sandbox's process ID once it runs, before createSandbox returns (a failure
   * removes the sandbox). Saves the engine's own bridge-network set-up, which costs more than this does.
   */
  setUpNetwork?: (pid: number) => Promise<void>;
  dns?: { servers: string[]; searches: string[]; options: string[] };
  /** Extra /etc/hosts entries. */
  hosts?: string[];
  labels?: Record<string, string>;
}

export interface Sandbox {
  id: string;
  pod: PodRef;
  ip: string;
  running: boolean;
  createdAt: number;
  labels: Record<string, string>;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerConfig {
  pod: PodRef;
  name: string;
  role: 'container' | 'init';
  attempt: number;
  specHash: string;
  image: string;
  /** Entrypoint override (Kubernetes `command`), when set. */
  command?: string[];
  /** Arguments (Kubernetes `args`), when set. */
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  mounts: Mount[];
  /** CFS quota in millicores (limits.cpu); absent: unlimited. */
  cpuLimitMillis?: number;
  /** CPU shares from requests.cpu (millicores * 1024 / 1000, at least 2). */
  cpuShares?: number;
  /** Hard memory limit in bytes (limits.memory). */
  memoryLimitBytes?: number;
  tty: boolean;
  stdin: boolean;
  labels?: Record<string, string>;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  pod: PodRef;
  name: string;
  role: 'container' | 'init';
  attempt: number;
  specHash: string;
  image: string;
  imageId: string;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** The kernel killed it for exceeding its memory limit. */
  oomKilled: boolean;
  /** Engine's error text when it failed to start. */
  error?: string;
  labels: Record<string, string>;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps: boolean;
  signal?: AbortSignal;
}

export interface ExecOptions {
  command: string[];
  tty: boolean;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  signal?: AbortSignal;
}

export interface ExecSession {
  /** Resize the tty (when tty). */
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number>;
}

export interface ContainerStats {
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
  at: number;
}

export class RuntimeError extends Error {
  constructor(
    readonly reason: 'ImageNotFound' | 'ErrImagePull' | 'NotFound' | 'CreateContainerError' | 'RunContainerError' | 'Unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export interface Runtime {
  /** Engine name and version, for Node status (containerRuntimeVersion: docker://20.10.24). */
  version(): Promise<{ name: string; version: string }>;
  /** Makes the image present according to the policy; RuntimeError ErrImagePull / ImageNotFound otherwise. */
  ensureImage(image: string, policy: PullPolicy): Promise<{ pulled: boolean; imageId: string }>;
  createSandbox(cfg: SandboxConfig): Promise<Sandbox>;
  /** Every sandbox this agent's runtime holds, or only pod `podUid`'s (one pod's sync should not read them all). */
  listSandboxes(filter?: { podUid?: string }): Promise<Sandbox[]>;
  /** Stops and removes the sandbox (its containers must be removed first). Idempotent. */
  removeSandbox(id: string): Promise<void>;
  createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period. Idempotent. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Containers (not sandboxes) known to the runtime, optionally of one pod. */
  listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]>;
  inspectContainer(id: string): Promise<ContainerStatus>;
  logs(id: string, opts: LogOptions): Promise<Readable>;
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
  stats(id: string): Promise<ContainerStats>;
}
