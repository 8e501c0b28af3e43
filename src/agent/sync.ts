// One pod's sync: read what the runtime runs for the pod, decide (decide.ts, pure), apply the actions (apply.ts), then
// compute the pod's status (podstatus.ts, pure) and write it when it changed. Level-triggered: every call
// starts from the runtime's current state, so a sync that failed half-way is finished by the next one.
// podworker.ts guarantees one sync per pod at a time.

import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../api/errors.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { applyActions } from './apply.js';
import type { BackoffEntry, BackoffPolicy, StartFailure } from './backoff.js';
import { decide, pickSandbox, SANDBOX_ID_LABEL, type Waiting } from './decide.js';
import { computePodStatus } from './podstatus.js';
import { podRef, type ProbeManager } from './probes.js';
import type { ContainerStatus, PodRef, Runtime, Sandbox } from './runtime/runtime.js';
import { containersOf, type ConfigMap, type Container, type Pod, type PodStatus, type Secret } from './types.js';
import type { RuntimePodCache } from './podcache.js';
import type { VolumeManager } from './volumes.js';
import type { ClusterDNS } from './dns.js';
import type { PodNetworkHandle } from './network/podnetwork.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const CONFIGMAPS = lookupResource('', 'v1', 'configmaps') as ResourceType;
const SECRETS = lookupResource('', 'v1', 'secrets') as ResourceType;

/** What a pod sync needs from the API server: a narrow edge, so tests can record it. */
export interface PodApi {
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Replaces the pod's status (only if the pod still has this UID); returns the pod as written. */
  writeStatus(pod: Pod, status: PodStatus): Promise<Pod>;
  /** Deletes the pod object with grace 0 (only if it still has this UID). */
  deletePod(pod: Pod): Promise<void>;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isApiError(e) && e.reason === 'NotFound') return undefined;
    throw e;
  }
}

export function clientPodApi(client: Client): PodApi {
  const pods = client.resource<Pod>(PODS);
  const cms = client.resource<ConfigMap>(CONFIGMAPS);
  const secrets = client.resource<Secret>(SECRETS);
  return {
    getConfigMap: (namespace, name) => orUndefined(cms.get(name, { namespace })),
    getSecret: (namespace, name) => orUndefined(secrets.get(name, { namespace })),
    writeStatus: (pod, status) =>
      pods.patch(
        pod.metadata.name ?? '',
        'json',
        [
          { op: 'test', path: '/metadata/uid', value: pod.metadata.uid },
          { op: 'add', path: '/status', value: status },
        ],
        { namespace: pod.metadata.namespace ?? 'default', subresource: 'status' },
      ),
    deletePod: async (pod) => {
      try {
        await pods.delete(pod.metadata.name ?? '', {
          namespace: pod.metadata.namespace ?? 'default',
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid ?? '' },
        });
      } catch (e) {
        // Gone already, or a new pod of the same name (the precondition failed): nothing of ours to delete.
        if (isApiError(e) && (e.reason === 'NotFound' || e.reason === 'Conflict')) return;
        throw e;
      }
    },
  };
}

export interface SyncContext {
  runtime: Runtime;
  /** The pods' runtime objects as last read, kept until they change (podcache.ts). */
  podCache: RuntimePodCache;
  api: PodApi;
  clock: Clock;
  recorder: EventRecorder;
  logger: Logger;
  volumes: VolumeManager;
  probes: ProbeManager;
  nodeName: string;
  hostIP: string;
  /** containerID prefix (docker → docker://ID). */
  runtimeName: string;
  backoff: BackoffPolicy;
  /** Runtime network for sandboxes (absent: the engine's default). */
  network?: string;
  /** The node's pod network: sandboxes get their network and IP from it (it overrides `network`). */
  podNetwork?: PodNetworkHandle;
  /** Pods' nameservers and search domains (dns.ts); absent: pods use the node's resolv.conf. */
  clusterDNS?: ClusterDNS;
}

/** What the agent remembers about a pod between syncs (lost on restart, which only resets back-offs). */
export interface PodSyncState {
  crashBackoff: Map<string, BackoffEntry>;
  startFailures: Map<string, StartFailure>;
  /** The last status written, and the pod resourceVersion it was computed from (to see through informer lag). */
  written?: { status: PodStatus; baseResourceVersion: string | undefined };
}

export function newPodSyncState(): PodSyncState {
  return { crashBackoff: new Map(), startFailures: new Map() };
}

export interface SyncResult {
  /** Sync again after this long. */
  requeueAfterMs?: number;
  /** Nothing is left of the pod on this node: its state can be forgotten. */
  finished: boolean;
}

function podRefOf(uid: string, pod: Pod | undefined, containers: readonly ContainerStatus[], sandboxes: readonly Sandbox[]): PodRef {
  const any = containers[0]?.pod ?? sandboxes[0]?.pod;
  return { uid, name: pod?.metadata.name ?? any?.name ?? '', namespace: pod?.metadata.namespace ?? any?.namespace ?? 'default' };
}

/** The sandbox the status reports: the current one, else the newest (a dead sandbox still names the pod IP). */
function currentSandbox(sandboxes: readonly Sandbox[], containers: readonly ContainerStatus[]): Sandbox | undefined {
  return pickSandbox(sandboxes, containers) ?? [...sandboxes].sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** The restart counts the API has seen, as a floor for new attempt numbers (runtime records may be gone). */
function attemptFloor(pod: Pod): Map<string, number> {
  const floor = new Map<string, number>();
  for (const s of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    if (typeof s.restartCount === 'number' && s.containerID) floor.set(s.name, s.restartCount + 1);
  }
  return floor;
}

export async function syncPod(uid: string, pod: Pod | undefined, ctx: SyncContext, state: PodSyncState): Promise<SyncResult> {
  const { clock } = ctx;
  let view = await ctx.podCache.get(uid);
  if (!pod && view.sandboxes.length === 0 && view.containers.length === 0) {
    ctx.podCache.forget(uid);
    ctx.probes.removePod(uid);
    await ctx.volumes.cleanup(uid);
    await ctx.podNetwork?.release(uid);
    return { finished: true };
  }
  const decision = decide({
    uid,
    pod,
    sandboxes: view.sandboxes,
    containers: view.containers,
    crashBackoff: state.crashBackoff,
    startFailures: state.startFailures,
    unhealthy: ctx.probes.unhealthy(uid),
    attemptFloor: pod ? attemptFloor(pod) : new Map(),
    now: clock.now(),
    backoff: ctx.backoff,
  });
  if (pod) for (const [reason, msg] of decision.events) ctx.recorder.event(podRef(pod), 'Warning', reason, msg);

  // What this sync changes, the next read must see (even if applying fails half-way).
  if (decision.actions.length > 0) ctx.podCache.invalidate(uid);
  const applied = await applyActions(decision, { uid, pod, ref: podRefOf(uid, pod, view.containers, view.sandboxes), view, ctx, state });
  if (decision.terminating) {
    ctx.podCache.forget(uid);
    ctx.probes.removePod(uid);
    // The pod's sandboxes are gone (teardown removed them), so its address is free again.
    await ctx.podNetwork?.release(uid);
    return { finished: true };
  }
  if (!pod) return { finished: true };

  if (decision.actions.length > 0) view = await ctx.podCache.get(uid);
  const sandbox = currentSandbox(view.sandboxes, view.containers);
  const podIP = pod.spec?.hostNetwork ? ctx.hostIP : (sandbox?.ip ?? '');
  const specs = new Map<string, Container>(containersOf(pod.spec?.containers).map((c) => [c.name, c]));
  ctx.probes.update(
    pod,
    view.containers
      .filter(
        (c) =>
          c.state === 'running' &&
          specs.has(c.name) &&
          c.role === 'container' &&
          (sandbox === undefined || (c.labels[SANDBOX_ID_LABEL] ?? sandbox.id) === sandbox.id),
      )
      .map((c) => ({ id: c.id, spec: specs.get(c.name) as Container, startedAt: c.startedAt })),
    podIP,
  );

  const waiting = new Map<string, Waiting>(decision.waiting);
  for (const [name, w] of applied.failed) waiting.set(name, w);
  const rv = pod.metadata.resourceVersion;
  // The informer may not have delivered our last write yet: then that write, not the cache, is "before".
  const lagging = state.written !== undefined && state.written.baseResourceVersion === rv;
  const previous = lagging ? state.written?.status : pod.status;
  const status = computePodStatus({
    pod,
    sandbox,
    containers: view.containers,
    waiting,
    probes: ctx.probes.verdicts(uid),
    hostIP: ctx.hostIP,
    runtimeName: ctx.runtimeName,
    now: clock.now(),
    previous,
  });
  if (!sameStatus(status, pod.status) && !(lagging && sameStatus(status, state.written?.status))) {
    try {
      await ctx.api.writeStatus(pod, status);
      state.written = { status, baseResourceVersion: rv };
    } catch (e) {
      // The pod went away (or was replaced) meanwhile: its informer event brings the next sync.
      if (!(isApiError(e) && (e.reason === 'NotFound' || e.reason === 'Invalid' || e.reason === 'Conflict'))) throw e;
    }
  }

  // Starts that failed in this sync are retried when their back-off ends.
  let requeue = decision.requeueAfterMs;
  const now = clock.now();
  for (const f of state.startFailures.values()) {
    if (f.at + f.delayMs <= now) continue;
    const wait = f.at + f.delayMs - now;
    requeue = requeue === undefined ? wait : Math.min(requeue, wait);
  }
  return { ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), finished: false };
}

function sameStatus(a: PodStatus | undefined, b: PodStatus | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
