// The working state of one decision: copies of the Deployment and its ReplicaSets that the decision changes in
// memory, recording what it changed. The plan is read off it at the end: the ReplicaSets to create, update and
// delete, the Deployment's new annotations and status, the events. Nothing here does I/O.

import { isDeepStrictEqual } from 'node:util';
import type { Condition, Deployment, ReplicaSet } from '../api.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, maxSurge, replicasOf, specReplicas } from './util.js';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export type Action =
  | { type: 'create'; rs: ReplicaSet }
  /** spec.replicas, annotations or minReadySeconds changed; written with the cached resourceVersion. */
  | { type: 'update'; rs: ReplicaSet }
  | { type: 'delete'; rs: ReplicaSet }
  /** The Deployment's annotations (revision) and status, written through the status subresource. */
  | { type: 'status'; deployment: Deployment };

export interface Plan {
  actions: Action[];
  events: PlannedEvent[];
  /** Sync again after this long even if nothing changes (to notice a progress deadline passing). */
  requeueAfterMs?: number;
}

export class Work {
  readonly d: Deployment;
  /** Working copies of the ReplicaSets the Deployment controls (created ones added). */
  readonly rss: ReplicaSet[];
  readonly now: number;
  readonly events: PlannedEvent[] = [];
  private readonly touched = new Map<ReplicaSet, 'create' | 'update'>();
  private readonly deleted: ReplicaSet[] = [];

  constructor(d: Deployment, rss: readonly ReplicaSet[], now: number) {
    this.d = structuredClone(d);
    this.d.status = structuredClone(d.status ?? {});
    this.rss = rss.map((rs) => structuredClone(rs));
    this.now = now;
  }

  /** RFC 3339 with seconds, as Kubernetes writes condition times. */
  get timestamp(): string {
    return new Date(Math.floor(this.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  create(rs: ReplicaSet): void {
    this.rss.push(rs);
    this.touched.set(rs, 'create');
  }

  touch(rs: ReplicaSet): void {
    if (!this.touched.has(rs)) this.touched.set(rs, 'update');
  }

  delete(rs: ReplicaSet): void {
    this.deleted.push(rs);
  }

  event(reason: string, message: string): void {
    this.events.push({ type: 'Normal', reason, message });
  }

  /** Set the desired/max-replicas annotations for the Deployment's current size; true when they changed. */
  setReplicasAnnotations(rs: ReplicaSet): boolean {
    const ann = (rs.metadata.annotations ??= {});
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    if (ann[DESIRED_REPLICAS] === desired && ann[MAX_REPLICAS] === max) return false;
    ann[DESIRED_REPLICAS] = desired;
    ann[MAX_REPLICAS] = max;
    return true;
  }

  /** Scale `rs` to `n` (and refresh its size annotations); records the ScalingReplicaSet event. True if the size changed. */
  scale(rs: ReplicaSet, n: number): boolean {
    const from = specReplicas(rs);
    const annotations = this.setReplicasAnnotations(rs);
    if (from === n && !annotations) return false;
    rs.spec.replicas = n;
    this.touch(rs);
    if (from === n) return false;
    this.event('ScalingReplicaSet', `Scaled ${from < n ? 'up' : 'down'} replica set ${rs.metadata.name ?? ''} to ${n} from ${from}`);
    return true;
  }

  condition(type: string): Condition | undefined {
    return this.d.status?.conditions?.find((c) => c.type === type);
  }

  /** Kubernetes' SetDeploymentCondition: same status and reason is a no-op; same status keeps lastTransitionTime. */
  setCondition(c: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>): void {
    const status = (this.d.status ??= {});
    const current = this.condition(c.type);
    if (current && current.status === c.status && current.reason === c.reason) return;
    const at = this.timestamp;
    const next: Condition = { ...c, lastUpdateTime: at, lastTransitionTime: current && current.status === c.status ? (current.lastTransitionTime ?? at) : at };
    status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
  }

  removeCondition(type: string): void {
    const status = this.d.status;
    if (status?.conditions) status.conditions = status.conditions.filter((c) => c.type !== type);
  }

  plan(original: Deployment, requeueAfterMs: number | undefined): Plan {
    const actions: Action[] = [];
    for (const [rs, kind] of this.touched) if (!this.deleted.includes(rs)) actions.push({ type: kind, rs });
    for (const rs of this.deleted) actions.push({ type: 'delete', rs });
    // Key order and undefined fields do not count (the server may store keys in another order).
    const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? {})), JSON.parse(JSON.stringify(b ?? {})));
    if (!same(this.d.status, original.status) || !same(this.d.metadata.annotations, original.metadata.annotations))
      actions.push({ type: 'status', deployment: this.d });
    return { actions, events: this.events, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
  }
}
