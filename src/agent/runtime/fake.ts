// An in-memory Runtime for the agent's unit and property tests. It keeps the rules a real engine enforces
// (a container needs its sandbox running and its image present; a running container cannot be removed; a
// sandbox with containers cannot be removed), lets tests end containers (`exit`) or kill a sandbox, and can
// inject failures before or after an operation takes effect (an engine that did the work and then lost the
// reply is the case that breaks naive agents).

import { Readable } from 'node:stream';
import type { Clock } from '../../util/clock.js';
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
} from './runtime.js';

export type FakeOp =
  | 'ensureImage'
  | 'createSandbox'
  | 'listSandboxes'
  | 'removeSandbox'
  | 'createContainer'
  | 'startContainer'
  | 'stopContainer'
  | 'removeContainer'
  | 'listContainers'
  | 'inspectContainer'
  | 'exec';

/** What a fault does: fail before the operation has any effect, or after it took effect. */
export type FaultTiming = 'before' | 'after';

export interface FakeRuntimeOptions {
  clock: Clock;
  /** Images present from the start (default: none). */
  images?: string[];
  /** Whether a pull of `image` succeeds (default: every image is pullable). */
  pullable?: (image: string) => boolean;
  /** Decides, per call, whether to fail it (default: never). */
  fault?: (op: FakeOp, target: string) => FaultTiming | undefined;
  /** Exit code of an exec probe (default 0). */
  exec?: (containerId: string, command: string[]) => number | Promise<number>;
  /** Exit code a stopped container reports (default 137, as SIGKILL). */
  stopExitCode?: number;
}

interface FakeContainer extends ContainerStatus {
  sandboxId: string;
  config: ContainerConfig;
}

interface FakeSandbox extends Sandbox {
  config: SandboxConfig;
}

export interface FakeCall {
  op: FakeOp;
  target: string;
  detail?: string;
}

export class FakeRuntime implements Runtime {
  readonly images = new Set<string>();
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly containers = new Map<string, FakeContainer>();
  /** Every mutating call, in order (failed ones included), for assertions. */
  readonly calls: FakeCall[] = [];
  private readonly clock: Clock;
  private readonly stopExitCode: number;
  /** Whether a pull of an image succeeds (tests may change it). */
  pullable: (image: string) => boolean;
  fault: ((op: FakeOp, target: string) => FaultTiming | undefined) | undefined;
  execHandler: (containerId: string, command: string[]) => number | Promise<number>;
  private seq = 0;

  constructor(opts: FakeRuntimeOptions) {
    this.clock = opts.clock;
    for (const i of opts.images ?? []) this.images.add(i);
    this.pullable = opts.pullable ?? (() => true);
    this.fault = opts.fault;
    this.execHandler = opts.exec ?? (() => 0);
    this.stopExitCode = opts.stopExitCode ?? 137;
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** The container process ends (exit code, optionally an OOM kill). */
  exit(id: string, exitCode: number, opts: { oomKilled?: boolean } = {}): void {
    const c = this.containers.get(id);
    if (!c || c.state !== 'running') throw new Error(`fake runtime: container ${id} is not running`);
    c.state = 'exited';
    c.exitCode = exitCode;
    c.oomKilled = opts.oomKilled ?? false;
    c.finishedAt = this.clock.now();
  }

  /** The sandbox's pause process dies (its containers keep their state, as with a real engine). */
  killSandbox(id: string): void {
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`fake runtime: no sandbox ${id}`);
    s.running = false;
  }

  /** Containers of a pod that are running, by name (for assertions). */
  running(podUid: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.pod.uid === podUid && c.state === 'running');
  }

  containerByName(podUid: string, name: string): FakeContainer | undefined {
    return [...this.containers.values()].filter((c) => c.pod.uid === podUid && c.name === name).sort((a, b) => b.attempt - a.attempt)[0];
  }

  // ---- Runtime ------------------------------------------------------------------------------------------------

  version(): Promise<{ name: string; version: string }> {
    return Promise.resolve({ name: 'fake', version: '1.0.0' });
  }

  ensureImage(image: string, policy: PullPolicy): Promise<{ pulled: boolean; imageId: string }> {
    return this.op('ensureImage', image, () => {
      const present = this.images.has(image);
      if (policy === 'Never') {
        if (!present) throw new RuntimeError('ImageNotFound', `image ${image} is not present and the pull policy is Never`);
        return { pulled: false, imageId: imageId(image) };
      }
      if (present && policy === 'IfNotPresent') return { pulled: false, imageId: imageId(image) };
      if (!this.pullable(image)) throw new RuntimeError('ErrImagePull', `pull access denied for ${image}`);
      this.images.add(image);
      return { pulled: true, imageId: imageId(image) };
    });
  }

  createSandbox(cfg: SandboxConfig): Promise<Sandbox> {
    return this.op('createSandbox', cfg.pod.uid, () => {
      const id = this.nextId('sb');
      const n = this.sandboxes.size + 2;
      const s: FakeSandbox = {
        id,
        pod: { ...cfg.pod },
        ip: cfg.hostNetwork ? '' : (cfg.ip ?? `10.88.${Math.floor(n / 250)}.${(n % 250) + 2}`),
        running: true,
        createdAt: this.clock.now(),
        labels: {
          ...cfg.labels,
          [LABELS.podUid]: cfg.pod.uid,
          [LABELS.podName]: cfg.pod.name,
          [LABELS.podNamespace]: cfg.pod.namespace,
          [LABELS.role]: 'sandbox',
        },
        config: cfg,
      };
      this.sandboxes.set(id, s);
      return copySandbox(s);
    });
  }

  listSandboxes(filter?: { podUid?: string }): Promise<Sandbox[]> {
    return this.op('listSandboxes', '', () => [...this.sandboxes.values()].filter((s) => filter?.podUid === undefined || s.pod.uid === filter.podUid).map(copySandbox));
  }

  removeSandbox(id: string): Promise<void> {
    return this.op('removeSandbox', id, () => {
      if (!this.sandboxes.has(id)) return;
      const users = [...this.containers.values()].filter((c) => c.sandboxId === id);
      if (users.length) throw new RuntimeError('Unavailable', `sandbox ${id} still has containers ${users.map((c) => c.id).join(', ')}`);
      this.sandboxes.delete(id);
    });
  }

  createContainer(sandboxId: string, cfg: ContainerConfig): Promise<string> {
    return this.op('createContainer', `${cfg.pod.uid}/${cfg.name}/${cfg.attempt}`, () => {
      const s = this.sandboxes.get(sandboxId);
      if (!s || !s.running) throw new RuntimeError('CreateContainerError', `sandbox ${sandboxId} is not running`);
      if (s.pod.uid !== cfg.pod.uid) throw new RuntimeError('CreateContainerError', `sandbox ${sandboxId} belongs to another pod`);
      if (!this.images.has(cfg.image)) throw new RuntimeError('ImageNotFound', `no such image: ${cfg.image}`);
      for (const c of this.containers.values()) {
        if (c.pod.uid === cfg.pod.uid && c.name === cfg.name && c.attempt === cfg.attempt) {
          throw new RuntimeError('CreateContainerError', `container ${cfg.name} attempt ${cfg.attempt} already exists`);
        }
      }
      const id = this.nextId('c');
      this.containers.set(id, {
        id,
        pod: { ...cfg.pod },
        name: cfg.name,
        role: cfg.role,
        attempt: cfg.attempt,
        specHash: cfg.specHash,
        image: cfg.image,
        imageId: imageId(cfg.image),
        state: 'created',
        createdAt: this.clock.now(),
        oomKilled: false,
        labels: {
          ...cfg.labels,
          [LABELS.podUid]: cfg.pod.uid,
          [LABELS.podName]: cfg.pod.name,
          [LABELS.podNamespace]: cfg.pod.namespace,
          [LABELS.containerName]: cfg.name,
          [LABELS.role]: cfg.role,
          [LABELS.attempt]: String(cfg.attempt),
          [LABELS.specHash]: cfg.specHash,
        },
        sandboxId,
        config: cfg,
      });
      return id;
    });
  }

  startContainer(id: string): Promise<void> {
    return this.op('startContainer', id, () => {
      const c = this.mustGet(id);
      if (c.state === 'running') return;
      const s = this.sandboxes.get(c.sandboxId);
      if (!s?.running) throw new RuntimeError('RunContainerError', `sandbox of ${id} is not running`);
      c.state = 'running';
      c.startedAt = this.clock.now();
      delete c.finishedAt;
      delete c.exitCode;
    });
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.op(
      'stopContainer',
      id,
      () => {
        const c = this.containers.get(id);
        if (!c || c.state !== 'running') return;
        c.state = 'exited';
        c.exitCode = this.stopExitCode;
        c.finishedAt = this.clock.now();
      },
      `grace=${graceSeconds}`,
    );
  }

  removeContainer(id: string): Promise<void> {
    return this.op('removeContainer', id, () => {
      const c = this.containers.get(id);
      if (!c) return;
      if (c.state === 'running') throw new RuntimeError('Unavailable', `cannot remove running container ${id}: stop it first`);
      this.containers.delete(id);
    });
  }

  listContainers(filter?: { podUid?: string }): Promise<ContainerStatus[]> {
    return this.op('listContainers', filter?.podUid ?? '', () =>
      [...this.containers.values()].filter((c) => filter?.podUid === undefined || c.pod.uid === filter.podUid).map(copyContainer),
    );
  }

  inspectContainer(id: string): Promise<ContainerStatus> {
    return this.op('inspectContainer', id, () => copyContainer(this.mustGet(id)));
  }

  logs(id: string, _opts: LogOptions): Promise<Readable> {
    this.mustGet(id);
    return Promise.resolve(Readable.from([]));
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    await this.op('exec', id, () => {
      const c = this.mustGet(id);
      if (c.state !== 'running') throw new RuntimeError('Unavailable', `container ${id} is not running`);
    });
    const exited = Promise.resolve(this.execHandler(id, opts.command));
    return { resize: () => Promise.resolve(), exited };
  }

  stats(id: string): Promise<ContainerStats> {
    this.mustGet(id);
    return Promise.resolve({ cpuUsageNanos: 0, memoryWorkingSetBytes: 0, at: this.clock.now() });
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private mustGet(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `no such container: ${id}`);
    return c;
  }

  private nextId(prefix: string): string {
    this.seq++;
    return `${prefix}${this.seq.toString(16).padStart(6, '0')}`;
  }

  private op<R>(op: FakeOp, target: string, fn: () => R, detail?: string): Promise<R> {
    const mutating = op !== 'listSandboxes' && op !== 'listContainers' && op !== 'inspectContainer';
    if (mutating) this.calls.push({ op, target, ...(detail !== undefined ? { detail } : {}) });
    const timing = this.fault?.(op, target);
    try {
      if (timing === 'before') throw new RuntimeError('Unavailable', `injected fault before ${op} ${target}`);
      const r = fn();
      if (timing === 'after') throw new RuntimeError('Unavailable', `injected fault after ${op} ${target}`);
      return Promise.resolve(r);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

function imageId(image: string): string {
  let h = 0;
  for (const ch of image) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `sha256:${h.toString(16).padStart(8, '0').repeat(8)}`;
}

function copySandbox(s: FakeSandbox): Sandbox {
  return { id: s.id, pod: { ...s.pod }, ip: s.ip, running: s.running, createdAt: s.createdAt, labels: { ...s.labels } };
}

function copyContainer(c: FakeContainer): ContainerStatus {
  const { sandboxId: _s, config: _c, ...rest } = c;
  return { ...rest, pod: { ...c.pod }, labels: { ...c.labels } };
}
