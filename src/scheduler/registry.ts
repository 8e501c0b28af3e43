// The literal registry: every filter plugin, in the order they run, and every scoring policy by name.
// Adding a plugin = a file in plugins/ with its test, and a row here.

import type { FilterPlugin, Policy } from './framework.js';
import { leastAllocated } from './plugins/least-allocated.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodeReady } from './plugins/node-ready.js';
import { nodeSelector } from './plugins/node-selector.js';
import { resourcesFit } from './plugins/resources-fit.js';
import { taintToleration } from './plugins/taint-toleration.js';

/**
 * Run in this order; a node's first failing filter decides its reason (upstream stops at the first failure too),
 * so cheap, node-only checks come first and the resource arithmetic last.
 */
export const FILTER_PLUGINS: readonly FilterPlugin[] = [nodeReady, nodeSelector, nodeAffinity, taintToleration, resourcesFit];

export const POLICIES = {
  /** The seed's policy: every feasible node ties, so placement rotates over them in name order. */
  'round-robin': { name: 'round-robin', scorers: [] },
  /** The emptiest node wins; ties rotate like round-robin. */
  'least-allocated': { name: 'least-allocated', scorers: [{ plugin: leastAllocated, weight: 1 }] },
} as const satisfies Record<string, Policy>;

export type PolicyName = keyof typeof POLICIES;

export const DEFAULT_POLICY: PolicyName = 'round-robin';

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICIES, name);
}
