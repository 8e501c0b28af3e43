// TaintToleration: a node's NoSchedule and NoExecute taints must each be tolerated by the pod.
// PreferNoSchedule is a preference, not a filter, and is ignored here.

import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';
import type { Taint, Toleration } from '../types.js';

/**
 * Whether one toleration matches a taint (upstream's ToleratesTaint): the effect matches when the toleration's
 * is empty or equal; an empty key with operator Exists matches every key; otherwise the keys must be equal and,
 * for Equal (the default operator), the values too.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  const op = t.operator ?? 'Equal';
  if (!t.key) return op === 'Exists';
  if (t.key !== taint.key) return false;
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return Array.isArray(tolerations) && tolerations.some((t) => toleratesTaint(t, taint));
}

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, nodeInfo) {
    const taints = nodeInfo.node.spec?.taints;
    if (!Array.isArray(taints)) return SUCCESS;
    for (const taint of taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerates(pod.spec?.tolerations, taint)) return unschedulable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    }
    return SUCCESS;
  },
};
