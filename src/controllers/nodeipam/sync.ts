// The nodeipam decision and sync: give every Node a pod CIDR (a /maskSize of the cluster CIDR) in
// spec.podCIDR/spec.podCIDRs, never one another Node holds, and never change a Node's CIDR once set.
//
// What is in use is derived, not stored: every podCIDR the Node cache holds, plus the CIDRs this process has
// written but the cache has not shown yet (`pending`, keyed by node name and UID). A deleted Node's CIDR is
// free as soon as the cache drops it.

import type { EventRecorder } from '../../client/events.js';
import type { Indexer } from '../../machinery/store.js';
import type { Node } from '../api.js';
import { firstFreeSubnet, type Cidr } from '../../util/cidr.js';

/** The API edge: write the pod CIDR of a Node only if it is still the object read (uid and resourceVersion). */
export interface NodeCidrApi {
  setPodCIDR(node: Node, cidr: string): Promise<void>;
}

export interface NodeIpamState {
  /** node name → the CIDR written for that node UID, until the cache shows it. */
  pending: Map<string, { uid: string; cidr: string }>;
}

export interface NodeIpamDeps {
  nodes: Indexer<Node>;
  api: NodeCidrApi;
  cluster: Cidr;
  maskSize: number;
  state: NodeIpamState;
  recorder?: EventRecorder;
}

export type Decision = { type: 'none' } | { type: 'assign'; cidr: string } | { type: 'exhausted' };

/** PURE: what to do for `node` given every Node and the pending writes. */
export function decide(
  node: Node,
  nodes: readonly Node[],
  pending: ReadonlyMap<string, { uid: string; cidr: string }>,
  cluster: Cidr,
  maskSize: number,
): Decision {
  if (node.spec?.podCIDR) return { type: 'none' };
  const name = node.metadata.name ?? '';
  const mine = pending.get(name);
  if (mine && mine.uid === node.metadata.uid) return { type: 'assign', cidr: mine.cidr };
  const used: string[] = [];
  for (const n of nodes) {
    if (n.spec?.podCIDR) used.push(n.spec.podCIDR);
    for (const c of n.spec?.podCIDRs ?? []) used.push(c);
  }
  for (const [other, p] of pending) if (other !== name) used.push(p.cidr);
  const cidr = firstFreeSubnet(cluster, maskSize, used);
  return cidr ? { type: 'assign', cidr } : { type: 'exhausted' };
}

export async function syncNode(name: string, deps: NodeIpamDeps): Promise<void> {
  const { state } = deps;
  const node = deps.nodes.get(name);
  if (!node) {
    state.pending.delete(name);
    return;
  }
  const p = state.pending.get(name);
  if (p && (p.uid !== node.metadata.uid || node.spec?.podCIDR)) state.pending.delete(name);
  const d = decide(node, deps.nodes.list(), state.pending, deps.cluster, deps.maskSize);
  if (d.type === 'none') return;
  if (d.type === 'exhausted') {
    deps.recorder?.event(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
    return;
  }
  // Recorded before the write: a concurrent sync of another node must not pick the same CIDR.
  state.pending.set(name, { uid: node.metadata.uid ?? '', cidr: d.cidr });
  await deps.api.setPodCIDR(node, d.cidr);
  deps.recorder?.event(node, 'Normal', 'CIDRAssignmentSucceeded', `Node ${name} was assigned pod CIDR ${d.cidr}`);
}
