// NodeReady: the node reports condition Ready=True and is not cordoned (`spec.unschedulable`). A node that has
// not reported a Ready condition yet (just registered) counts as not ready. As upstream, a pod that tolerates
// the `node.kubernetes.io/unschedulable:NoSchedule` taint may still land on a cordoned node.

import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';
import type { Node, Taint } from '../types.js';
import { tolerates } from './taint-toleration.js';

export const NOT_READY = 'node(s) were not ready';
export const UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function isNodeReady(node: Node): boolean {
  const conditions = node.status?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(pod, nodeInfo) {
    if (!isNodeReady(nodeInfo.node)) return unschedulable(NOT_READY);
    if (nodeInfo.node.spec?.unschedulable === true && !tolerates(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return unschedulable(UNSCHEDULABLE);
    return SUCCESS;
  },
};
