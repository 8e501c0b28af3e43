// NodeResourcesFit: the pod's requests (framework.ts podRequests) must fit in the node's allocatable minus what
// the pods already on it request: cpu, memory, the pod count, and any extended resource the pod asks for.
// All shortfalls are reported at once, as upstream does ("Insufficient cpu", "Insufficient memory").

import { podRequests, SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';

export const TOO_MANY_PODS = 'Too many pods';

export const resourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, nodeInfo) {
    const want = podRequests(pod);
    const { allocatable: have, requested: used } = nodeInfo;
    const reasons: string[] = [];
    if (used.pods + 1 > have.pods) reasons.push(TOO_MANY_PODS);
    if (want.milliCPU > 0 && used.milliCPU + want.milliCPU > have.milliCPU) reasons.push('Insufficient cpu');
    if (want.memory > 0 && used.memory + want.memory > have.memory) reasons.push('Insufficient memory');
    for (const [name, n] of Object.entries(want.scalar)) {
      if (n > 0 && (used.scalar[name] ?? 0) + n > (have.scalar[name] ?? 0)) reasons.push(`Insufficient ${name}`);
    }
    return reasons.length > 0 ? unschedulable(...reasons) : SUCCESS;
  },
};
