// The agent's Node object: registration and heartbeat.
//
// Registration creates the Node when it is missing (with its status) and otherwise only adds labels it lacks:
// labels set through the API (`mkctl label node`) are never overwritten, and the metadata is never replaced.
// The heartbeat patches the status subresource only (a strategic merge keyed by condition type, so conditions
// other components set survive), every --heartbeat-interval, re-registering if the Node was deleted.

import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import { isApiError } from '../api/errors.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Client } from '../client/client.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { rfc3339, type NodeCondition, type ResourceList } from './types.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;

export const KUBELET_VERSION = 'v1.32.0-minik8s';

export interface NodeInfo {
  name: string;
  hostname: string;
  internalIP: string;
  labels: Record<string, string>;
  capacity: ResourceList;
  allocatable: ResourceList;
  kubeletPort: number;
  nodeInfo: Record<string, string>;
}

interface NodeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
  [k: string]: unknown;
}

/** `k=v,k2=v2` → { k: 'v', k2: 'v2' } (an empty value is allowed: `k=`). */
export function parseKeyValues(s: string | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new Error(`${what}: "${t}" is not key=value`);
    out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

/** Go's GOARCH names, which Kubernetes labels carry. */
export function goArch(nodeArch: string = arch()): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

/** The first IPv4 address of a real interface (bridges and veths of container engines are skipped). */
export function detectInternalIP(): string {
  const skip = /^(lo|docker|br-|veth|cni|flannel|virbr|minik8s|kube)/;
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (skip.test(name)) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function readFirstLine(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n')[0]?.trim() ?? '';
  } catch {
    return '';
  }
}

function osImage(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** The node's capacity from the host, with `--capacity` overrides (cpu=2,memory=4Gi,pods=110). */
export function hostCapacity(overrides: ResourceList = {}): ResourceList {
  return {
    cpu: String(cpus().length || 1),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
    ...overrides,
  };
}

export function describeNode(opts: {
  name: string;
  internalIP: string;
  labels?: Record<string, string>;
  capacity?: ResourceList;
  kubeletPort: number;
  runtimeVersion: string;
}): NodeInfo {
  const capacity = hostCapacity(opts.capacity);
  return {
    name: opts.name,
    hostname: hostname(),
    internalIP: opts.internalIP,
    labels: {
      ...opts.labels,
      'kubernetes.io/hostname': opts.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': goArch(),
    },
    capacity,
    allocatable: { ...capacity },
    kubeletPort: opts.kubeletPort,
    nodeInfo: {
      machineID: readFirstLine('/etc/machine-id'),
      systemUUID: readFirstLine('/sys/class/dmi/id/product_uuid'),
      bootID: readFirstLine('/proc/sys/kernel/random/boot_id'),
      kernelVersion: release(),
      osImage: osImage(),
      containerRuntimeVersion: opts.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: goArch(),
    },
  };
}

/** The conditions a healthy agent reports; `readySince` is the Ready condition's lastTransitionTime. */
export function nodeConditions(now: number, readySince: string): NodeCondition[] {
  const hb = rfc3339(now);
  const ok = (type: string, reason: string, message: string): NodeCondition => ({
    type,
    status: 'False',
    reason,
    message,
    lastHeartbeatTime: hb,
    lastTransitionTime: readySince,
  });
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: hb,
      lastTransitionTime: readySince,
    },
  ];
}

export function nodeStatus(info: NodeInfo, now: number, readySince: string): Record<string, unknown> {
  return {
    capacity: info.capacity,
    allocatable: info.allocatable,
    addresses: [
      { type: 'InternalIP', address: info.internalIP },
      { type: 'Hostname', address: info.hostname },
    ],
    conditions: nodeConditions(now, readySince),
    daemonEndpoints: { kubeletEndpoint: { Port: info.kubeletPort } },
    nodeInfo: info.nodeInfo,
  };
}

/** Labels of `wanted` the node does not have yet (existing keys keep the value set through the API). */
export function missingLabels(existing: Record<string, string> | undefined, wanted: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(wanted)) if (existing?.[k] === undefined) out[k] = v;
  return out;
}

export interface NodeHeartbeatOptions {
  client: Client;
  info: NodeInfo;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}

export class NodeRegistration {
  private readonly nodes;
  private readySince: string | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();

  constructor(private readonly opts: NodeHeartbeatOptions) {
    this.nodes = opts.client.resource<NodeObject>(NODES);
  }

  /** Creates the Node, or adds missing labels and refreshes its status. */
  async register(): Promise<void> {
    const { info, clock } = this.opts;
    let existing: NodeObject | undefined;
    try {
      existing = await this.nodes.get(info.name);
    } catch (e) {
      if (!(isApiError(e) && e.reason === 'NotFound')) throw e;
    }
    if (!existing) {
      this.readySince = rfc3339(clock.now());
      try {
        await this.nodes.create({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: info.name, labels: info.labels },
          spec: {},
          status: nodeStatus(info, clock.now(), this.readySince),
        });
        this.opts.logger.info('node registered', { node: info.name });
        return;
      } catch (e) {
        if (!(isApiError(e) && e.reason === 'AlreadyExists')) throw e;
        existing = await this.nodes.get(info.name);
      }
    }
    const ready = existing.status?.conditions?.find((c) => c.type === 'Ready');
    this.readySince ??= ready?.status === 'True' && ready.lastTransitionTime ? ready.lastTransitionTime : rfc3339(clock.now());
    const add = missingLabels(existing.metadata.labels, info.labels);
    if (Object.keys(add).length) await this.nodes.patch(info.name, 'merge', { metadata: { labels: add } });
    await this.beat();
    this.opts.logger.info('node registration refreshed', { node: info.name });
  }

  /** One heartbeat: the status subresource only. */
  async beat(): Promise<void> {
    const { info, clock } = this.opts;
    this.readySince ??= rfc3339(clock.now());
    await this.nodes.patch(info.name, 'strategic', { status: nodeStatus(info, clock.now(), this.readySince) }, { subresource: 'status' });
  }

  /** Heartbeats every interval until stop(); a deleted Node is registered again. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.beating = this.beat()
        .catch(async (e: unknown) => {
          if (isApiError(e) && e.reason === 'NotFound') {
            this.readySince = undefined;
            await this.register();
            return;
          }
          throw e;
        })
        .catch((e: unknown) => this.opts.logger.warn('node heartbeat failed', { node: info.name, error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          if (!this.stopped) this.timer = this.opts.clock.setTimeout(tick, this.opts.intervalMs);
        });
    };
    const { info } = this.opts;
    this.timer = this.opts.clock.setTimeout(tick, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    await this.beating;
  }
}
