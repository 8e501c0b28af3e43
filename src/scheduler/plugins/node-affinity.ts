// NodeAffinity: `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`. The node must match at
// least one nodeSelectorTerm (terms are ORed); within a term every requirement must hold (ANDed). matchExpressions
// read node labels; matchFields read node fields (only `metadata.name`, as upstream). A term with no requirements
// matches nothing. The preferred (soft) half of node affinity is not implemented.

import { SUCCESS, unschedulable, type FilterPlugin } from '../framework.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from '../types.js';
import { AFFINITY_MISMATCH } from './node-selector.js';

const INTEGER = /^[-+]?\d+$/;

/** One requirement against a value that is present (a string) or absent (undefined). */
export function matchesRequirement(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = Array.isArray(req.values) ? req.values : [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // Both sides must be integers, and there must be exactly one value to compare against.
      const bound = values[0];
      if (value === undefined || values.length !== 1 || bound === undefined || !INTEGER.test(value) || !INTEGER.test(bound)) return false;
      const v = Number(value);
      const b = Number(bound);
      return req.operator === 'Gt' ? v > b : v < b;
    }
    default:
      return false; // an operator we do not know never matches, so a typo cannot widen placement
  }
}

function matchesTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
  const fields = Array.isArray(term.matchFields) ? term.matchFields : [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const label = (k: string): string | undefined => (Object.hasOwn(labels, k) ? labels[k] : undefined);
  return exprs.every((r) => matchesRequirement(r, label(r.key))) && fields.every((r) => r.key === 'metadata.name' && matchesRequirement(r, node.metadata.name));
}

/** Whether `node` matches a NodeSelector's terms (ORed). */
export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => matchesTerm(t, node));
}

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter(pod, nodeInfo) {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required) return SUCCESS;
    const terms = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
    return matchesNodeSelectorTerms(terms, nodeInfo.node) ? SUCCESS : unschedulable(AFFINITY_MISMATCH);
  },
};
