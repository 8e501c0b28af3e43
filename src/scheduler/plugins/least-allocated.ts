// NodeResourcesLeastAllocated (score): prefer the node with the most room left after placing the pod.
// Per resource, (allocatable - requested) × 100 / allocatable, where requested includes this pod; cpu and memory
// weigh the same. Containers without requests count upstream's defaults (100m, 200Mi) so they still spread.

import { MAX_NODE_SCORE, podRequests, type ScorePlugin } from '../framework.js';

function leastRequested(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score(pod, nodeInfo) {
    const want = podRequests(pod, { nonZero: true });
    const used = nodeInfo.nonZeroRequested;
    const have = nodeInfo.allocatable;
    const cpu = leastRequested(used.milliCPU + want.milliCPU, have.milliCPU);
    const memory = leastRequested(used.memory + want.memory, have.memory);
    return Math.floor((cpu + memory) / 2);
  },
};
