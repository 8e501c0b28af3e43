// An in-memory stand-in for the API server and the informers, for this controller's unit and property tests:
// writes land on the "server" at once and queue watch events; the caches only change when a test delivers those
// events (in any order it likes, one pod's events kept in order), so a test controls exactly how stale they are.
// Every write is recorded.

import { errors } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import type { EventRecorder } from '../../client/events.js';
import { Expectations } from '../../machinery/expectations.js';
import type { InformerEvent } from '../../machinery/informer.js';
import { NAMESPACE_INDEX } from '../../machinery/informer.js';
import { byNamespace, objectKey, Store } from '../../machinery/store.js';
import { FakeClock } from '../../util/clock.js';
import type { Pod, ReplicaSet } from '../api.js';
import { podHandler } from './controller.js';
import type { RsStatus } from './decide.js';
import { syncReplicaSet, type ReplicaSetSyncDeps, type ReplicaSetWrites } from './sync.js';

interface Pending {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  pod: Pod;
}

export class FakeWorld {
  readonly clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  readonly server = new Map<string, Pod>();
  readonly pods = new Store<Pod>({ freeze: 'deep', indexers: { [NAMESPACE_INDEX]: byNamespace } });
  readonly replicaSets = new Store<ReplicaSet>({ freeze: 'deep', indexers: { [NAMESPACE_INDEX]: byNamespace } });
  readonly expectations = new Expectations({ clock: this.clock });
  readonly pending: Pending[] = [];
  readonly actions: string[] = [];
  readonly events: string[] = [];
  readonly queued = new Set<string>();
  readonly later: { key: string; ms: number }[] = [];
  /** Make the next creates fail with this error (one per create, consumed in order). */
  readonly createFailures: Error[] = [];
  private seq = 0;
  private readonly handle: (e: InformerEvent<Pod>) => void;

  constructor() {
    this.handle = podHandler({
      replicaSets: this.replicaSets,
      expectations: this.expectations,
      enqueue: (k) => this.queued.add(k),
      enqueueAfter: (key, ms) => this.later.push({ key, ms }),
    });
  }

  readonly recorder: EventRecorder = {
    event: (obj, type, reason, message) => this.events.push(`${type} ${reason} ${message}`),
    flush: () => Promise.resolve(),
  };

  readonly writes: ReplicaSetWrites = {
    createPod: (pod) => {
      const failure = this.createFailures.shift();
      if (failure) return Promise.reject(failure);
      const stored = structuredClone(pod);
      const n = ++this.seq;
      stored.metadata.name = `${pod.metadata.generateName ?? ''}${n.toString(36).padStart(5, 'x')}`;
      stored.metadata.uid = `pod-uid-${n}`;
      stored.metadata.resourceVersion = String(n);
      stored.metadata.creationTimestamp = new Date(this.clock.now()).toISOString();
      stored.status = { phase: 'Pending' };
      this.server.set(objectKey(stored), stored);
      this.pending.push({ type: 'ADDED', pod: stored });
      this.actions.push(`create ${stored.metadata.name}`);
      return Promise.resolve(stored);
    },
    deletePod: (pod) => {
      const key = objectKey(pod);
      const cur = this.server.get(key);
      if (!cur || cur.metadata.uid !== pod.metadata.uid) return Promise.reject(errors.notFound('pods', '', pod.metadata.name ?? ''));
      this.server.delete(key);
      this.pending.push({ type: 'DELETED', pod: cur });
      this.actions.push(`delete ${pod.metadata.name ?? ''}`);
      return Promise.resolve();
    },
    setPodOwners: (pod, refs: OwnerReference[]) => {
      const cur = this.server.get(objectKey(pod));
      if (!cur || cur.metadata.uid !== pod.metadata.uid) return Promise.reject(errors.notFound('pods', '', pod.metadata.name ?? ''));
      const next = structuredClone(cur);
      if (refs.length) next.metadata.ownerReferences = refs;
      else delete next.metadata.ownerReferences;
      next.metadata.resourceVersion = String(++this.seq);
      this.server.set(objectKey(pod), next);
      this.pending.push({ type: 'MODIFIED', pod: next });
      this.actions.push(`owners ${pod.metadata.name ?? ''} ${refs.map((r) => r.name).join(',')}`);
      return Promise.resolve();
    },
    updateStatus: (rs, status: RsStatus) => {
      const cur = this.replicaSets.get(objectKey(rs));
      if (cur) this.replicaSets.upsert({ ...structuredClone(cur), status: structuredClone(status) });
      this.actions.push(`status ${status.replicas}/${status.readyReplicas ?? 0}/${status.availableReplicas ?? 0}`);
      return Promise.resolve();
    },
  };

  deps(): ReplicaSetSyncDeps {
    return {
      replicaSets: this.replicaSets,
      pods: this.pods,
      writes: this.writes,
      expectations: this.expectations,
      recorder: this.recorder,
      clock: this.clock,
      enqueueAfter: (key, ms) => this.later.push({ key, ms }),
    };
  }

  sync(key: string): Promise<void> {
    return syncReplicaSet(this.deps(), key);
  }

  /** Put a pod on the server and in the cache, as if created long ago. */
  seedPod(pod: Pod): Pod {
    const stored = structuredClone(pod);
    stored.metadata.uid ??= `seed-${++this.seq}`;
    stored.metadata.resourceVersion = String(++this.seq);
    this.server.set(objectKey(stored), stored);
    this.pods.upsert(structuredClone(stored));
    return stored;
  }

  /** Something other than the controller deletes a pod on the server (its event is pending). */
  killPod(key: string): void {
    const cur = this.server.get(key);
    if (!cur) return;
    this.server.delete(key);
    this.pending.push({ type: 'DELETED', pod: cur });
  }

  /** Indexes of pending events that may be delivered now: the first pending event of each pod. */
  deliverable(): number[] {
    const seen = new Set<string>();
    const out: number[] = [];
    this.pending.forEach((p, i) => {
      const key = objectKey(p.pod);
      if (!seen.has(key)) out.push(i);
      seen.add(key);
    });
    return out;
  }

  /** Deliver pending event `i` to the cache and the handler, as the informer would. */
  deliver(i: number): void {
    const [p] = this.pending.splice(i, 1);
    if (!p) return;
    const key = objectKey(p.pod);
    const prev = this.pods.get(key);
    if (p.type === 'DELETED') {
      if (!prev) return;
      this.pods.delete(key);
      this.handle({ type: 'delete', prev, next: prev, finalStateUnknown: false });
      return;
    }
    const next = this.pods.upsert(structuredClone(p.pod));
    this.handle(prev ? { type: 'update', prev, next } : { type: 'add', prev: undefined, next });
  }

  deliverAll(): void {
    while (this.pending.length) this.deliver(0);
  }

  /** Pods on the server that the RS with `uid` controls and that are active. */
  ownedOnServer(uid: string): Pod[] {
    return [...this.server.values()].filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid) && !p.metadata.deletionTimestamp);
  }
}

/** A ReplicaSet fixture: `ns/web`, 3 replicas of app=web. */
export function rs(over: Partial<ReplicaSet['spec']> = {}, meta: Partial<ReplicaSet['metadata']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 3, ...meta },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'fe' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      ...over,
    },
  };
}

/** A pod fixture in `ns`, labelled app=web,tier=fe unless told otherwise. */
export function pod(
  name: string,
  opts: {
    labels?: Record<string, string>;
    owner?: string;
    node?: string;
    phase?: 'Pending' | 'Running';
    ready?: string;
    created?: string;
    restarts?: number;
    deleting?: boolean;
  } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: opts.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: opts.owner, controller: true }] } : {}),
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? 'Pending',
      ...(opts.ready ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: opts.ready }] } : {}),
      ...(opts.restarts !== undefined ? { containerStatuses: [{ name: 'c', ready: true, restartCount: opts.restarts }] } : {}),
    },
  };
}
