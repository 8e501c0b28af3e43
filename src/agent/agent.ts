// The node agent, wired: Node registration and heartbeat, a pod informer limited to this node, pod workers,
// probes, and a relist loop that notices what changed in the runtime (a container exited) and what the API
// forgot (containers of deleted pods); what it sees change is dropped from the pod cache the syncs read.
// `minik8s agent` runs it alone; `minik8s server` embeds it.

import { join } from 'node:path';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Client } from '../client/client.js';
import { newEventRecorder, type EventRecorder } from '../client/events.js';
import { SharedInformer } from '../machinery/informer.js';
import { Backoff } from '../util/backoff.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { NODE_NAME_LABEL } from './decide.js';
import { describeNode, detectInternalIP, NodeRegistration } from './node.js';
import { PodWorkers } from './podworker.js';
import { defaultProbeRunner, ProbeManager, type ProbeRunner } from './probes.js';
import { LABELS, type Runtime } from './runtime/runtime.js';
import { RuntimePodCache } from './podcache.js';
import { clientPodApi, syncPod, type PodApi, type SyncContext } from './sync.js';
import type { Pod, ResourceList } from './types.js';
import { VolumeManager } from './volumes.js';
import type { ClusterDNS } from './dns.js';
import type { PodNetwork } from './network/podnetwork.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;

export const DEFAULT_ROOT_DIR = '/var/lib/minik8s/agent';

export interface AgentOptions {
  client: Client;
  runtime: Runtime;
  nodeName: string;
  /** Where pod volumes live (default /var/lib/minik8s/agent; `minik8s server` passes DATA_DIR/agent). */
  rootDir?: string;
  nodeLabels?: Record<string, string>;
  /** Overrides of the host's capacity (cpu, memory, pods, ...). */
  capacity?: ResourceList;
  /** The node's InternalIP (default: the first address of a real interface). */
  nodeIP?: string;
  /** Port of the agent's HTTP API (logs, exec), published as status.daemonEndpoints.kubeletEndpoint.Port. */
  kubeletPort?: number;
  heartbeatIntervalMs?: number;
  /** How often the runtime is listed to notice container changes (default 1 s). */
  relistIntervalMs?: number;
  /** How often every pod is synced regardless (default 10 s). */
  resyncIntervalMs?: number;
  /** Parallel pod syncs (default 16; 128 was measured slower: bench:controllers 1.60× against 1.23×). */
  workers?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Runtime network for pod sandboxes, and DNS settings for them. */
  network?: string;
  /** The node's pod network (bridge, IPAM, overlay; network/README.md): started after registration, stopped last. */
  podNetwork?: PodNetwork;
  /** The cluster DNS for ClusterFirst pods (--cluster-dns, --cluster-domain). */
  clusterDNS?: ClusterDNS;
  clock?: Clock;
  logger?: Logger;
  /** Replaces the HTTP/TCP/exec prober (tests). */
  probeRunner?: ProbeRunner;
  /** Replaces the API edge of pod syncs (tests). */
  podApi?: PodApi;
  recorder?: EventRecorder;
  /** Aborting it gives up a start that is still waiting for the API server (startAgent rejects). */
  signal?: AbortSignal;
}

export interface RunningAgent {
  nodeName: string;
  hostIP: string;
  /** Enqueue a pod sync by UID (tests, and the agent API's hooks). */
  resync(uid: string): void;
  stop(): Promise<void>;
}

/** A fingerprint of a pod's runtime objects: when it changes, the pod is synced. */
function fingerprint(items: { id: string; state: string; exitCode?: number | undefined }[]): string {
  return items
    .map((c) => `${c.id}:${c.state}:${c.exitCode ?? ''}`)
    .sort()
    .join(',');
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const clock = opts.clock ?? realClock;
  const logger = opts.logger ?? consoleLogger;
  const { client, runtime, nodeName } = opts;
  const stopper = new AbortController();
  const signal = stopper.signal;

  const version = await runtime.version();
  const hostIP = opts.nodeIP ?? detectInternalIP();
  const info = describeNode({
    name: nodeName,
    internalIP: hostIP,
    labels: opts.nodeLabels ?? {},
    capacity: opts.capacity ?? {},
    kubeletPort: opts.kubeletPort ?? 10250,
    runtimeVersion: `${version.name}://${version.version}`,
  });
  const node = new NodeRegistration({ client, info, clock, logger, intervalMs: opts.heartbeatIntervalMs ?? 10_000 });
  // The API server may still be starting (or unreachable): keep trying, as an agent must.
  const retry = new Backoff({ initialMs: 500, maxMs: 30_000, jitter: 0.2 });
  for (;;) {
    try {
      await node.register();
      break;
    } catch (e) {
      const wait = retry.next();
      if (opts.signal?.aborted) throw e;
      logger.warn('node registration failed, will retry', { node: nodeName, retryInMs: Math.round(wait), error: e instanceof Error ? e.message : String(e) });
      await clock.sleep(wait, opts.signal);
    }
  }
  node.start();
  try {
    await opts.podNetwork?.start(opts.signal);
  } catch (e) {
    // Stopped while starting: what the network made is removed too when --cleanup asks for it.
    await Promise.all([node.stop(), opts.podNetwork?.stop()]);
    throw e;
  }

  const recorder = opts.recorder ?? newEventRecorder({ client, component: 'kubelet', host: nodeName, clock, logger });
  const informer = new SharedInformer<Pod>(client.resource<Pod>(PODS).listWatcher({ fieldSelector: `spec.nodeName=${nodeName}` }), {
    clock,
    logger,
    name: 'agent-pods',
  });
  informer.addIndexers({ uid: (p) => (p.metadata.uid ? [p.metadata.uid] : []) });
  const lookup = (uid: string): Pod | undefined => informer.store.byIndex('uid', uid)[0];

  // The sync closes over ctx, which is built below (the probe manager it holds enqueues into these workers).
  const w: PodWorkers = new PodWorkers({ clock, logger, workers: opts.workers ?? 16, lookup, sync: (uid, pod, state) => syncPod(uid, pod, ctx, state) });
  const probes = new ProbeManager({ clock, runner: opts.probeRunner ?? defaultProbeRunner(runtime), recorder, logger, onChange: (uid) => w.enqueue(uid) });
  const podCache = new RuntimePodCache(runtime);
  const ctx: SyncContext = {
    runtime,
    podCache,
    api: opts.podApi ?? clientPodApi(client),
    clock,
    recorder,
    logger,
    volumes: new VolumeManager(opts.rootDir ?? DEFAULT_ROOT_DIR),
    probes,
    nodeName,
    hostIP,
    runtimeName: version.name,
    backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
    ...(opts.network ? { network: opts.network } : {}),
    ...(opts.podNetwork ? { podNetwork: opts.podNetwork } : {}),
    ...(opts.clusterDNS ? { clusterDNS: opts.clusterDNS } : {}),
  };
  informer.addHandler((e) => w.enqueue(e.next.metadata.uid ?? ''));
  informer.start();
  const onOuterAbort = (): void => stopper.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    await informer.waitForSync(signal);
  } catch (e) {
    await Promise.all([informer.stop(), node.stop(), opts.podNetwork?.stop()]);
    throw e;
  }
  const running = w.run(signal);

  // Relist: containers that changed state, and runtime objects of pods the API no longer has, get a sync.
  // Only after the first successful pod list (waitForSync above): an empty cache must not look like "no pods".
  const seen = new Map<string, string>();
  let lastFull = clock.now();
  let timer: TimerHandle | undefined;
  let relisting: Promise<void> = Promise.resolve();
  const relist = async (): Promise<void> => {
    const [sandboxes, containers] = await Promise.all([runtime.listSandboxes(), runtime.listContainers()]);
    const byPod = new Map<string, { id: string; state: string; exitCode?: number | undefined }[]>();
    const add = (uid: string | undefined, item: { id: string; state: string; exitCode?: number | undefined }): void => {
      if (!uid) return;
      const list = byPod.get(uid);
      if (list) list.push(item);
      else byPod.set(uid, [item]);
    };
    // Only objects this agent made: an engine shared with other agents holds pods that are none of ours.
    const ours = (labels: Record<string, string>): boolean => labels[NODE_NAME_LABEL] === nodeName;
    for (const s of sandboxes) if (ours(s.labels)) add(s.pod.uid || s.labels[LABELS.podUid], { id: s.id, state: s.running ? 'running' : 'exited' });
    for (const c of containers) if (ours(c.labels)) add(c.pod.uid || c.labels[LABELS.podUid], { id: c.id, state: c.state, exitCode: c.exitCode });
    for (const [uid, items] of byPod) {
      const fp = fingerprint(items);
      const changed = seen.get(uid) !== fp;
      if (changed) podCache.invalidate(uid);
      if (changed || !lookup(uid)) w.enqueue(uid);
      seen.set(uid, fp);
    }
    for (const uid of [...seen.keys()]) {
      if (!byPod.has(uid)) {
        seen.delete(uid);
        podCache.invalidate(uid);
        w.enqueue(uid);
      }
    }
    if (clock.now() - lastFull >= (opts.resyncIntervalMs ?? 10_000)) {
      lastFull = clock.now();
      for (const p of informer.store.list()) w.enqueue(p.metadata.uid ?? '');
      for (const uid of await ctx.volumes.podDirs()) if (!lookup(uid) && !byPod.has(uid)) w.enqueue(uid);
    }
  };
  const tick = (): void => {
    if (signal.aborted) return;
    relisting = relist()
      .catch((e: unknown) => logger.warn('runtime relist failed', { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        if (!signal.aborted) timer = clock.setTimeout(tick, opts.relistIntervalMs ?? 1000);
      });
  };
  tick();
  logger.info('node agent running', { node: nodeName, hostIP, runtime: `${version.name}://${version.version}`, rootDir: ctx.volumes.rootDir });

  return {
    nodeName,
    hostIP,
    resync: (uid) => w.enqueue(uid),
    stop: async () => {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      stopper.abort();
      if (timer) clock.clearTimeout(timer);
      probes.stop();
      await Promise.all([relisting, running, informer.stop(), node.stop()]);
      await opts.podNetwork?.stop();
      await recorder.flush();
    },
  };
}

/** DATA_DIR/agent: where `minik8s server` keeps the embedded agent's files. */
export function agentRootDir(dataDir: string): string {
  return join(dataDir, 'agent');
}
