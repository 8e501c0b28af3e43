// meta.k8s.io/v1 Table rendering for `Accept: application/json;as=Table;...`.
// Rows carry the object (PartialObjectMetadata by default) because kubectl reads it for
// the NAMESPACE column with -A and for --show-labels.

import type { KubeObject } from '../api/meta.js';
import { kindKey, type ResourceType } from '../api/scheme.js';
import { printerFor } from '../api/printers.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' {
  // Pick the first Table clause the client lists.
  const clause = (accept ?? '').split(',').find((c) => c.includes('as=Table'));
  return clause?.includes('v=v1beta1') ? 'v1beta1' : 'v1';
}

function rowObject(obj: KubeObject, include: IncludeObject, version: string): unknown {
  if (include === 'Object') return obj;
  if (include === 'None') return undefined;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function toTable(
  rt: ResourceType,
  objs: readonly KubeObject[],
  opts: { resourceVersion: string; continue?: string; include: IncludeObject; noHeaders?: boolean; now: number; version?: string },
): Record<string, unknown> {
  const version = opts.version ?? 'v1';
  const printer = printerFor(kindKey(rt));
  const rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: printer.row(o, opts.now) };
    const ro = rowObject(o, opts.include, version);
    if (ro !== undefined) row['object'] = ro;
    return row;
  });
  const metadata: Record<string, string> = { resourceVersion: opts.resourceVersion };
  if (opts.continue) metadata['continue'] = opts.continue;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata,
    ...(opts.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows,
  };
}
