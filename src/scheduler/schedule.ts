// scheduleOne: the whole scheduling decision as a pure function of (pod, snapshot, policy, state). No I/O, no
// clock, no randomness: the same inputs always give the same answer, which is what the unit and property tests
// rely on. The loop in scheduler.ts supplies the snapshot and carries the returned state to the next call.
//
//   filter: every node through every filter plugin (first failure per node is its reason)
//   score:  feasible nodes through the policy's weighted score plugins
//   select: among the best-scoring nodes, the first in name order after the last node chosen (wrapping)

import { isSuccess, type FilterPlugin, type NodeInfo, type Policy, type Snapshot } from './framework.js';
import { FILTER_PLUGINS } from './registry.js';
import type { Pod } from './types.js';

/** What one decision hands to the next: the node chosen last, where round-robin continues from. */
export interface ScheduleState {
  readonly lastNode?: string;
}

export type ScheduleResult =
  | { readonly node: string; readonly state: ScheduleState }
  | {
      readonly unschedulable: string;
      /** Reason phrase → number of nodes it applied to (the FailedScheduling message's histogram). */
      readonly reasons: Readonly<Record<string, number>>;
      readonly state: ScheduleState;
    };

export interface ScheduleOptions {
  policy: Policy;
  state: ScheduleState;
  /** Defaults to the registry's FILTER_PLUGINS. */
  filters?: readonly FilterPlugin[];
}

export const NO_NODES = 'no nodes available to schedule pods';

/**
 * Upstream's FitError text: "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector,
 * 2 Insufficient cpu." Entries are "COUNT REASON", sorted as strings, joined with ", ".
 */
export function fitErrorMessage(numNodes: number, reasons: Readonly<Record<string, number>>): string {
  if (numNodes === 0) return NO_NODES;
  const entries = Object.entries(reasons)
    .map(([reason, n]) => `${n} ${reason}`)
    .sort();
  return `0/${numNodes} nodes are available: ${entries.join(', ')}.`;
}

/** The first node in name order after `last` among `candidates` (which are in name order), wrapping around. */
function rotate(candidates: readonly NodeInfo[], last: string | undefined): NodeInfo | undefined {
  if (last !== undefined) for (const c of candidates) if (c.name > last) return c;
  return candidates[0];
}

export function scheduleOne(pod: Pod, snapshot: Snapshot, opts: ScheduleOptions): ScheduleResult {
  const filters = opts.filters ?? FILTER_PLUGINS;
  const feasible: NodeInfo[] = [];
  const reasons: Record<string, number> = {};
  for (const info of snapshot.nodes) {
    let ok = true;
    for (const f of filters) {
      const status = f.filter(pod, info, snapshot);
      if (isSuccess(status)) continue;
      for (const r of new Set(status.reasons)) reasons[r] = (reasons[r] ?? 0) + 1;
      ok = false;
      break;
    }
    if (ok) feasible.push(info);
  }
  if (feasible.length === 0) return { unschedulable: fitErrorMessage(snapshot.nodes.length, reasons), reasons, state: opts.state };

  let best = feasible;
  if (opts.policy.scorers.length > 0) {
    let top = -Infinity;
    best = [];
    for (const info of feasible) {
      let total = 0;
      for (const { plugin, weight } of opts.policy.scorers) total += weight * plugin.score(pod, info, snapshot);
      if (total > top) {
        top = total;
        best = [info];
      } else if (total === top) best.push(info);
    }
  }
  const chosen = rotate(best, opts.state.lastNode) as NodeInfo; // best is never empty: feasible was not
  return { node: chosen.name, state: { lastNode: chosen.name } };
}
