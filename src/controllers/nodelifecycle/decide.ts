// The node lifecycle controller's decisions as pure functions: whether a node has gone silent (and the
// conditions to report then), which NoExecute/NoSchedule taints its Ready condition calls for, and when a pod
// on a tainted node is to be evicted.

import { NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY } from '../../api/defaults.js';
import type { Condition, Node, Pod, Taint, Toleration } from '../api.js';

export { NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY };

/** The conditions an agent reports and the controller turns Unknown when it goes silent (as upstream). */
const AGENT_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A node condition: a workload condition plus the agent's heartbeat time. */
export type NodeCondition = Condition & { lastHeartbeatTime?: string };

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * The conditions of a node whose agent stopped posting status: every agent condition (and Ready, if it never
 * reported one) becomes Unknown with reason NodeStatusUnknown; the heartbeat times are kept as they were.
 */
export function unknownConditions(node: Node, now: number): Condition[] {
  const at = rfc3339(now);
  const conditions = (node.status?.conditions ?? []).map((c) =>
    AGENT_CONDITIONS.includes(c.type) && c.status !== 'Unknown'
      ? { ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at }
      : c,
  );
  if (!conditions.some((c) => c.type === 'Ready'))
    conditions.push({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastTransitionTime: at,
    });
  return conditions;
}

const MANAGED = new Set([NOT_READY_TAINT_KEY, UNREACHABLE_TAINT_KEY]);

/**
 * The node's taints as its Ready condition calls for: `unreachable` (NoSchedule and NoExecute) while Unknown,
 * `not-ready` while False, neither while True. Taints of other keys, and kept ones' timeAdded, are unchanged.
 * Returns undefined when nothing changes.
 */
export function desiredTaints(node: Node, ready: Condition['status'] | undefined, now: number): Taint[] | undefined {
  if (ready === undefined) return undefined; // not reported yet, and not silent long enough to say
  const current = node.spec?.taints ?? [];
  const key = ready === 'Unknown' ? UNREACHABLE_TAINT_KEY : ready === 'False' ? NOT_READY_TAINT_KEY : undefined;
  const want: Taint[] = key ? (['NoSchedule', 'NoExecute'] as const).map((effect) => ({ key, effect })) : [];
  const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
  const next = current.filter((t) => !MANAGED.has(t.key) || want.some((w) => same(w, t)));
  for (const w of want) if (!next.some((t) => same(t, w))) next.push(w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : w);
  const changed = next.length !== current.length || next.some((t, i) => current[i] !== t);
  return changed ? next : undefined;
}

/** upstream's ToleratesTaint: the effect matches when empty or equal; an empty key with Exists matches all. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  const op = t.operator ?? 'Equal';
  if (!t.key) return op === 'Exists';
  if (t.key !== taint.key) return false;
  return op === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/**
 * When taint-based eviction deletes `pod` from `node` (ms since the epoch), or undefined for never. A NoExecute
 * taint the pod does not tolerate evicts at once; one it tolerates for N seconds evicts N seconds after the taint
 * was added (or the pod created, if later); a toleration without tolerationSeconds tolerates forever.
 */
export function evictionTime(pod: Pod, node: Node | undefined, now: number): number | undefined {
  let at: number | undefined;
  for (const taint of node?.spec?.taints ?? []) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (pod.spec.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return now;
    if (matching.some((t) => t.tolerationSeconds === undefined)) continue;
    const seconds = Math.max(0, Math.min(...matching.map((t) => t.tolerationSeconds ?? 0)));
    const added = Date.parse(taint.timeAdded ?? '');
    const created = Date.parse(pod.metadata.creationTimestamp ?? '');
    const from = Math.max(Number.isNaN(added) ? now : added, Number.isNaN(created) ? 0 : created);
    const t = from + seconds * 1000;
    at = at === undefined ? t : Math.min(at, t);
  }
  return at;
}

/** True when the node has a NoExecute taint (so its pods need the eviction check). */
export function hasNoExecute(node: Node | undefined): boolean {
  return (node?.spec?.taints ?? []).some((t) => t.effect === 'NoExecute');
}
