// NodeSelector: every `spec.nodeSelector` label must be on the node with the same value.

import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

/** Shared with NodeAffinity: upstream reports both with this one phrase. */
export const AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";

export const nodeSelector: FilterPlugin = {
  name: 'NodeSelector',
  filter(pod, nodeInfo) {
    const selector = pod.spec?.nodeSelector;
    if (!selector || typeof selector !== 'object') return SUCCESS;
    const labels = nodeInfo.node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return unschedulable(AFFINITY_MISMATCH);
    return SUCCESS;
  },
};
