// Server-side Tables (meta.k8s.io/v1) as mkctl prints them: the server renders the cells (the same
// printers kubectl sees); here we pick the columns (wide or not), add NAMESPACE with -A, label columns
// with -L and LABELS with --show-labels, uppercase the headers and align.

import type { IncomingMessage } from 'node:http';
import type { ObjectMeta } from '../api/meta.js';
import type { ListQuery, ResourceClient } from '../client/client.js';
import type { RestClient } from '../client/rest.js';
import type { KubeObject } from '../api/meta.js';
import { labelsText } from './output.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: ObjectMeta; [k: string]: unknown };
}

export interface Table {
  kind: 'Table';
  columnDefinitions?: TableColumn[];
  rows?: TableRow[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export interface TableOptions {
  wide: boolean;
  namespaceColumn: boolean;
  labelColumns: readonly string[];
  showLabels: boolean;
  /** Print `kind/name` in the NAME column (several kinds at once). */
  kindPrefix?: string;
}

/** Which server columns show, and the header row. */
export function tableHeader(columns: readonly TableColumn[], opts: TableOptions): { keep: number[]; header: string[] } {
  const keep = columns.map((c, i) => ((c.priority ?? 0) === 0 || opts.wide ? i : -1)).filter((i) => i >= 0);
  const header = [
    ...(opts.namespaceColumn ? ['NAMESPACE'] : []),
    ...keep.map((i) => (columns[i]?.name ?? '').toUpperCase()),
    ...opts.labelColumns.map((k) => (k.slice(k.lastIndexOf('/') + 1) || k).toUpperCase()),
    ...(opts.showLabels ? ['LABELS'] : []),
  ];
  return { keep, header };
}

function cellText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '<none>';
  return JSON.stringify(v);
}

export function tableRow(row: TableRow, columns: readonly TableColumn[], keep: readonly number[], opts: TableOptions): string[] {
  const meta = row.object?.metadata ?? {};
  const nameIndex = Math.max(
    0,
    columns.findIndex((c) => c.format === 'name'),
  );
  const cells = keep.map((i) => {
    const text = cellText(row.cells[i]);
    return i === nameIndex && opts.kindPrefix ? `${opts.kindPrefix}/${text}` : text;
  });
  return [
    ...(opts.namespaceColumn ? [meta.namespace ?? ''] : []),
    ...cells,
    ...opts.labelColumns.map((k) => meta.labels?.[k] ?? ''),
    ...(opts.showLabels ? [labelsText(meta.labels)] : []),
  ];
}

/** Lists as a Table, following `continue` pages (500 rows each). */
/** Where Tables come from: the REST client (for the Accept header) and the kind's paths. */
export interface TableSource {
  rest: RestClient;
  rc: ResourceClient<KubeObject>;
}

export async function listTable({ rest, rc }: TableSource, q: ListQuery & { includeObject?: 'Object' }): Promise<Table> {
  let out: Table | undefined;
  let cont: string | undefined;
  do {
    const page = await rest.json<Table>({
      path: rc.path(q.namespace),
      query: {
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        limit: q.includeObject ? undefined : 500,
        continue: cont,
        includeObject: q.includeObject,
      },
      accept: TABLE_ACCEPT,
    });
    if (!out) out = { ...page, rows: [...(page.rows ?? [])] };
    else out.rows?.push(...(page.rows ?? []));
    cont = page.metadata?.continue || undefined;
    if (out.metadata) out.metadata = { ...out.metadata, ...(page.metadata?.resourceVersion ? { resourceVersion: page.metadata.resourceVersion } : {}) };
  } while (cont);
  if (out.metadata) delete out.metadata.continue;
  return out;
}

export function getTable({ rest, rc }: TableSource, q: { name: string; namespace?: string; includeObject?: 'Object' }): Promise<Table> {
  return rest.json<Table>({ path: rc.path(q.namespace, q.name), query: { includeObject: q.includeObject }, accept: TABLE_ACCEPT });
}

/** Reads a newline-delimited JSON watch stream, calling `onEvent` per event, until it ends or `signal` aborts. */
export function readWatch(res: IncomingMessage, signal: AbortSignal, onEvent: (e: { type: string; object: unknown }) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      res.destroy();
      if (err) reject(err);
      else resolve();
    };
    signal.addEventListener('abort', () => finish(), { once: true });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while (!done && (nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          onEvent(JSON.parse(line) as { type: string; object: unknown });
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    res.on('end', () => finish());
    res.on('close', () => finish());
    res.on('error', (e) => finish(signal.aborted ? undefined : e));
  });
}
