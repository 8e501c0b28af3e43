// The scheduling framework: one small interface per extension point, and the immutable Snapshot they read.
//
//   FilterPlugin  may this pod run on this node?      → a Status (never an exception)
//   ScorePlugin   how good is this node for the pod?  → 0..100, higher is better
//   Policy        which score plugins (with weights) rank the feasible nodes; ties rotate (see schedule.ts)
//
// Plugins are pure: they read the pod, one NodeInfo and the Snapshot, and nothing else (no I/O, no clock).

import { milliCPU, units } from '../api/quantity.js';
import { isTerminal, type Container, type Node, type Pod, type ResourceList } from './types.js';

// ---- Status ----

export type StatusCode = 'Success' | 'Unschedulable';

/** A filter's verdict. `reasons` are the upstream-style phrases counted in the FailedScheduling message. */
export interface Status {
  readonly code: StatusCode;
  readonly reasons: readonly string[];
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) });

export function unschedulable(...reasons: string[]): Status {
  return Object.freeze({ code: 'Unschedulable', reasons: Object.freeze(reasons) });
}

export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}

// ---- Extension points ----

export interface FilterPlugin {
  readonly name: string;
  filter(pod: Pod, nodeInfo: NodeInfo, snapshot: Snapshot): Status;
}

export interface ScorePlugin {
  readonly name: string;
  /** 0..100 (MAX_NODE_SCORE); higher is better. */
  score(pod: Pod, nodeInfo: NodeInfo, snapshot: Snapshot): number;
}

export const MAX_NODE_SCORE = 100;

/** A scoring policy: weighted score plugins. No plugins means every feasible node ties (pure rotation). */
export interface Policy {
  readonly name: string;
  readonly scorers: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
}

// ---- Resources ----

/** What a pod asks for or a node offers: CPU in millicores, memory in bytes, a pod count, extended resources. */
export interface Resources {
  readonly milliCPU: number;
  readonly memory: number;
  readonly pods: number;
  /** Extended resources (`nvidia.com/gpu`, `hugepages-2Mi`, ...) in whole units; absent means 0. */
  readonly scalar: Readonly<Record<string, number>>;
}

export const ZERO: Resources = Object.freeze({ milliCPU: 0, memory: 0, pods: 0, scalar: Object.freeze({}) });

/** Upstream's defaults for a container without requests, used only for scoring so such pods still spread. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Resources the scheduler counts besides cpu and memory: extended (`vendor/name`) and hugepages. */
function isScalarResource(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-');
}

/** A ResourceList as Resources; unparsable or negative quantities count as 0. */
export function resourcesOf(list: ResourceList | undefined): Resources {
  if (!list || typeof list !== 'object') return ZERO;
  const scalar: Record<string, number> = {};
  for (const [name, q] of Object.entries(list)) if (isScalarResource(name)) scalar[name] = units(q) ?? 0;
  return { milliCPU: milliCPU(list['cpu']) ?? 0, memory: units(list['memory']) ?? 0, pods: units(list['pods']) ?? 0, scalar };
}

export function addResources(a: Resources, b: Resources): Resources {
  const scalar: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = (scalar[k] ?? 0) + v;
  return { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory, pods: a.pods + b.pods, scalar };
}

function maxResources(a: Resources, b: Resources): Resources {
  const scalar: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = Math.max(scalar[k] ?? 0, v);
  return { milliCPU: Math.max(a.milliCPU, b.milliCPU), memory: Math.max(a.memory, b.memory), pods: Math.max(a.pods, b.pods), scalar };
}

function containers(list: Container[] | undefined): Container[] {
  return Array.isArray(list) ? list : [];
}

/**
 * What a pod needs while it runs, as upstream computes it: the sum over its containers, or the largest init
 * container if that is more (init containers run one at a time, before the others), plus `spec.overhead`;
 * `pods` is always 1.
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): Resources {
  const request = (c: Container): Resources => {
    const r = resourcesOf(c.resources?.requests);
    if (!opts.nonZero) return r;
    const req = c.resources?.requests;
    return {
      ...r,
      milliCPU: req && req['cpu'] !== undefined ? r.milliCPU : DEFAULT_MILLI_CPU_REQUEST,
      memory: req && req['memory'] !== undefined ? r.memory : DEFAULT_MEMORY_REQUEST,
    };
  };
  let sum = ZERO;
  for (const c of containers(pod.spec?.containers)) sum = addResources(sum, request(c));
  for (const c of containers(pod.spec?.initContainers)) sum = maxResources(sum, request(c));
  sum = addResources(sum, resourcesOf(pod.spec?.overhead));
  return { ...sum, pods: 1 };
}

// ---- NodeInfo and Snapshot ----

/** A node with the pods assigned to it and what they request. Frozen. */
export interface NodeInfo {
  readonly name: string;
  readonly node: Node;
  /** Non-terminal pods bound (or assumed bound) to this node. */
  readonly pods: readonly Pod[];
  /** Sum of the pods' requests (`pods` = how many). */
  readonly requested: Resources;
  /** Same, with upstream's defaults for containers without requests; for scoring only. */
  readonly nonZeroRequested: Resources;
  /** status.allocatable (status.capacity when a node reports no allocatable at all). */
  readonly allocatable: Resources;
}

/** The cluster as one scheduling decision sees it. Immutable: a decision never changes it. */
export interface Snapshot {
  /** Every node, sorted by name. */
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Build a Snapshot from nodes and pods (informer caches plus assumed bindings). Pods on unknown nodes, unbound
 * pods and terminal (Succeeded/Failed) pods take no room anywhere.
 */
export function newSnapshot(nodes: Iterable<Node>, pods: Iterable<Pod>): Snapshot {
  const assigned = new Map<string, { node: Node; pods: Pod[] }>();
  for (const node of nodes) if (node.metadata.name) assigned.set(node.metadata.name, { node, pods: [] });
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && !isTerminal(pod)) assigned.get(nodeName)?.pods.push(pod);
  }
  const infos: NodeInfo[] = [];
  for (const [name, { node, pods: onNode }] of assigned) {
    let requested = ZERO;
    let nonZeroRequested = ZERO;
    for (const p of onNode) {
      requested = addResources(requested, podRequests(p));
      nonZeroRequested = addResources(nonZeroRequested, podRequests(p, { nonZero: true }));
    }
    const allocatable = resourcesOf(node.status?.allocatable ?? node.status?.capacity);
    infos.push(Object.freeze({ name, node, pods: Object.freeze(onNode), requested, nonZeroRequested, allocatable }));
  }
  infos.sort(byName);
  const index = new Map(infos.map((i) => [i.name, i]));
  return Object.freeze({ nodes: Object.freeze(infos), get: (name: string) => index.get(name) });
}
