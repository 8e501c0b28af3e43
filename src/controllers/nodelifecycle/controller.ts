// The node lifecycle controller: notices nodes whose agent stopped posting status (Ready → Unknown after
// --node-monitor-grace-period), taints them (`unreachable`, or `not-ready` when the agent itself reports
// NotReady) and untaints them when they come back; and evicts pods from NoExecute-tainted nodes once their
// toleration runs out. Two queues: node names (health and taints) and pod keys (eviction).

import { isApiError } from '../../api/errors.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformer } from '../../machinery/informer.js';
import { byNodeName, objectKey } from '../../machinery/store.js';
import type { TimerHandle } from '../../util/clock.js';
import type { Node, Pod } from '../api.js';
import { startLoop } from '../loop.js';
import type { ControllerContext, RunningController } from '../types.js';
import { desiredTaints, evictionTime, hasNoExecute, readyCondition, unknownConditions } from './decide.js';

const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;
const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NODE_INDEX = 'nodeName';

export interface NodeLifecycleHooks {
  enqueueNode(name: string): void;
  enqueuePod(key: string, afterMs?: number): void;
}

interface Probe {
  /** The Ready condition's lastHeartbeatTime as last seen. */
  heartbeat: string;
  /** When (our clock) it last changed: silence is measured from here, so the agents' clocks do not matter. */
  at: number;
}

export class NodeLifecycleController {
  readonly nodes: SharedInformer<Node>;
  readonly pods: SharedInformer<Pod>;
  private readonly probes = new Map<string, Probe>();
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly hooks: NodeLifecycleHooks,
  ) {
    this.nodes = ctx.informers.informerFor<Node>('nodes');
    this.pods = ctx.informers.informerFor<Pod>('pods');
    this.pods.addIndexers({ [NODE_INDEX]: byNodeName });
    this.recorder = ctx.recorder('node-controller');
  }

  watch(): void {
    this.nodes.addHandler((e) => {
      const name = e.next.metadata.name ?? '';
      this.hooks.enqueueNode(name);
      const taintsChanged =
        e.type === 'add' ? hasNoExecute(e.next) : e.type === 'update' && JSON.stringify(e.prev.spec?.taints) !== JSON.stringify(e.next.spec?.taints);
      if (taintsChanged && hasNoExecute(e.next)) for (const p of this.pods.store.byIndex(NODE_INDEX, name)) this.hooks.enqueuePod(objectKey(p));
    });
    this.pods.addHandler((e) => {
      if (e.type === 'delete' || e.next.metadata.deletionTimestamp || !e.next.spec.nodeName) return;
      if (hasNoExecute(this.nodes.store.get(e.next.spec.nodeName))) this.hooks.enqueuePod(objectKey(e.next));
    });
  }

  /** Every node, each monitor period: silence is noticed by time passing, not by an event. */
  monitorAll(): void {
    for (const n of this.nodes.store.list()) this.hooks.enqueueNode(n.metadata.name ?? '');
  }

  /** Node health and taints. */
  async syncNode(name: string): Promise<void> {
    const cached = this.nodes.store.get(name);
    if (!cached) {
      this.probes.delete(name);
      return;
    }
    const now = this.ctx.clock.now();
    const ready = readyCondition(cached);
    // A node that never reported counts from its creation, as upstream.
    const heartbeat = ready?.lastHeartbeatTime ?? cached.metadata.creationTimestamp ?? '';
    let probe = this.probes.get(name);
    if (!probe || probe.heartbeat !== heartbeat) {
      probe = { heartbeat, at: now };
      this.probes.set(name, probe);
    }
    let node = cached;
    const silent = now - probe.at > this.ctx.settings.nodeMonitorGracePeriodMs;
    if (silent && ready?.status !== 'Unknown') {
      const conditions = unknownConditions(node, now);
      node = await this.ctx.client.resource<Node>(NODES).update({ ...node, status: { ...node.status, conditions } }, { subresource: 'status' });
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      this.ctx.logger.info('node stopped posting status', { node: name, graceMs: this.ctx.settings.nodeMonitorGracePeriodMs });
    }
    const taints = desiredTaints(node, readyCondition(node)?.status, now);
    if (taints) await this.ctx.client.resource<Node>(NODES).update({ ...node, spec: { ...node.spec, taints } });
  }

  /** Taint-based eviction of one pod. */
  async syncPod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    if (!pod || pod.metadata.deletionTimestamp || !pod.spec.nodeName) return;
    const now = this.ctx.clock.now();
    const at = evictionTime(pod, this.nodes.store.get(pod.spec.nodeName), now);
    if (at === undefined) return;
    if (at > now) {
      this.hooks.enqueuePod(key, at - now);
      return;
    }
    try {
      await this.ctx.client
        .resource(PODS)
        .delete(pod.metadata.name ?? '', { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch (e) {
      if (isApiError(e, 'NotFound') || isApiError(e, 'Conflict')) return; // gone or replaced: nothing to evict
      throw e;
    }
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
  }
}

/** The `nodelifecycle` entry of the controller registry. */
export function startNodeLifecycleController(ctx: ControllerContext): RunningController {
  const hooks: NodeLifecycleHooks = { enqueueNode: () => undefined, enqueuePod: () => undefined };
  const c = new NodeLifecycleController(ctx, hooks);
  const waitFor = [c.nodes, c.pods];
  const nodeLoop = startLoop(ctx, { name: 'nodelifecycle', sync: (name) => c.syncNode(name), waitFor, workers: 1 });
  const podLoop = startLoop(ctx, { name: 'taint-eviction', sync: (key) => c.syncPod(key), waitFor });
  hooks.enqueueNode = (name) => nodeLoop.enqueue(name);
  hooks.enqueuePod = (key, afterMs) => (afterMs ? podLoop.enqueueAfter(key, afterMs) : podLoop.enqueue(key));
  c.watch();
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    c.monitorAll();
    timer = ctx.clock.setTimeout(tick, ctx.settings.nodeMonitorPeriodMs);
  };
  timer = ctx.clock.setTimeout(tick, ctx.settings.nodeMonitorPeriodMs);
  return {
    stop: async () => {
      stopped = true;
      if (timer) ctx.clock.clearTimeout(timer);
      await Promise.all([nodeLoop.stop(), podLoop.stop()]);
    },
  };
}
