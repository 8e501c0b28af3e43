// `mkctl get`: Tables from the server, aligned (default, -o wide, -A, -L, --show-labels), or the objects
// themselves (-o json|yaml|name|jsonpath|custom-columns); -w keeps printing changes from a watch.

import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client, ResourceClient } from '../../client/client.js';
import { errorFromWatchEvent } from '../../machinery/listwatch.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { errorLine } from '../errors.js';
import { compileRelaxed, evaluate } from '../jsonpath.js';
import { alignRows, columnWidths, formatObjects, OBJECT_FORMATS, objectFormat, type ObjectFormat } from '../output.js';
import { kindName, parseTargets, type Target } from '../resources.js';
import {
  getTable,
  listTable,
  readWatch,
  TABLE_ACCEPT,
  tableHeader,
  tableRow,
  type Table,
  type TableColumn,
  type TableOptions,
  type TableRow,
} from '../table.js';
import { groupVersion } from '../../api/scheme.js';

interface GetOptions {
  client: Client;
  namespace: string | undefined;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  sortPath: ReturnType<typeof compileRelaxed> | undefined;
  ignoreNotFound: boolean;
  /** Error lines for names that failed; printed after the output. */
  errors: string[];
}

export async function run(ctx: CommandContext): Promise<number> {
  const a = ctx.args;
  const targets = parseTargets(a.positionals);
  const output = a.string('output');
  const format = objectFormat(output, [...OBJECT_FORMATS, 'wide']);
  const allNs = a.bool('all-namespaces');
  const watch = a.bool('watch') || a.bool('watch-only');
  if (allNs && targets.some((t) => t.names.length > 0)) throw new UsageError('a resource cannot be retrieved by name across all namespaces');
  if (watch && (targets.length !== 1 || (targets[0]?.names.length ?? 0) > 1)) throw new UsageError('watch needs exactly one kind and at most one name');
  const sortBy = a.string('sort-by');
  const client = await ctx.client();
  const opts: GetOptions = {
    client,
    namespace: allNs ? undefined : await ctx.namespace(),
    labelSelector: a.string('selector'),
    fieldSelector: a.string('field-selector'),
    sortPath: sortBy ? compileRelaxed(sortBy) : undefined,
    ignoreNotFound: a.bool('ignore-not-found'),
    errors: [],
  };
  const tableOpts: TableOptions = {
    wide: output === 'wide',
    namespaceColumn: allNs,
    labelColumns: a
      .strings('label-columns')
      .flatMap((l) => l.split(','))
      .filter((l) => l !== ''),
    showLabels: a.bool('show-labels'),
  };
  const noHeaders = a.bool('no-headers');
  if (watch) return watchTarget(ctx, { target: targets[0] as Target, opts, format, tableOpts, noHeaders, watchOnly: a.bool('watch-only') });

  let printed = 0;
  if (format) {
    const objs: KubeObject[] = [];
    for (const t of targets) objs.push(...(await objectsOf(t, opts)));
    const single = targets.length === 1 && targets[0]?.names.length === 1;
    if (objs.length > 0 || format.kind === 'json' || format.kind === 'yaml') ctx.io.out(await formatObjects(objs, format, { single, noHeaders }));
    printed = objs.length;
  } else {
    const blocks: string[] = [];
    for (const t of targets) {
      const block = await tableOf(t, {
        ...opts,
        tableOpts: {
          ...tableOpts,
          namespaceColumn: tableOpts.namespaceColumn && t.rt.namespaced,
          ...(targets.length > 1 ? { kindPrefix: kindName(t.rt) } : {}),
        },
        noHeaders,
      });
      if (block.rows > 0) {
        blocks.push(block.text);
        printed += block.rows;
      }
    }
    ctx.io.out(blocks.join('\n'));
  }
  for (const e of opts.errors) ctx.io.err(`${e}\n`);
  if (printed === 0 && opts.errors.length === 0 && !(format && (format.kind === 'json' || format.kind === 'yaml'))) {
    const namespaced = targets.some((t) => t.rt.namespaced);
    ctx.io.err(opts.namespace && namespaced ? `No resources found in ${opts.namespace} namespace.\n` : 'No resources found\n');
  }
  return opts.errors.length > 0 ? 1 : 0;
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sortByPath<T>(items: T[], path: GetOptions['sortPath'], of: (x: T) => unknown): T[] {
  if (!path) return items;
  const key = (x: T): unknown => evaluate(path, of(x))[0];
  return [...items].sort((x, y) => compareValues(key(x), key(y)));
}

async function fetchNamed<T>(t: Target, opts: GetOptions, fetch: (name: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (const name of t.names) {
    try {
      out.push(await fetch(name));
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'NotFound') {
        if (!opts.ignoreNotFound) opts.errors.push(errorLine(e));
        continue;
      }
      throw e;
    }
  }
  return out;
}

function withKind(rt: Target['rt'], o: KubeObject): KubeObject {
  return { ...o, apiVersion: o.apiVersion ?? groupVersion(rt), kind: o.kind ?? rt.kind };
}

async function objectsOf(t: Target, opts: GetOptions): Promise<KubeObject[]> {
  const rc = opts.client.resource(t.rt);
  const ns = t.rt.namespaced ? opts.namespace : undefined;
  if (t.names.length > 0) return (await fetchNamed(t, opts, (name) => rc.get(name, scope(ns)))).map((o) => withKind(t.rt, o));
  const items: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await rc.list({
      ...scope(ns),
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: 500,
      ...(cont ? { continue: cont } : {}),
    });
    items.push(...page.items.map((o) => withKind(t.rt, o)));
    cont = page.metadata.continue || undefined;
  } while (cont);
  return sortByPath(items, opts.sortPath, (o) => o);
}

async function tableOf(t: Target, opts: GetOptions & { tableOpts: TableOptions; noHeaders: boolean }): Promise<{ text: string; rows: number }> {
  const rc = opts.client.resource(t.rt);
  const ns = t.rt.namespaced ? opts.namespace : undefined;
  const src = { rest: opts.client.rest, rc };
  const includeObject = opts.sortPath ? ('Object' as const) : undefined;
  let columns: TableColumn[] = [];
  let rows: TableRow[] = [];
  if (t.names.length > 0) {
    const tables = await fetchNamed(t, opts, (name) => getTable(src, { name, ...scope(ns), ...(includeObject ? { includeObject } : {}) }));
    columns = tables[0]?.columnDefinitions ?? [];
    rows = tables.flatMap((tb) => tb.rows ?? []);
  } else {
    const table = await listTable(src, {
      ...scope(ns),
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      ...(includeObject ? { includeObject } : {}),
    });
    columns = table.columnDefinitions ?? [];
    rows = sortByPath(table.rows ?? [], opts.sortPath, (r) => r.object);
  }
  if (rows.length === 0) return { text: '', rows: 0 };
  const { keep, header } = tableHeader(columns, opts.tableOpts);
  const body = rows.map((r) => tableRow(r, columns, keep, opts.tableOpts));
  return { text: alignRows(opts.noHeaders ? body : [header, ...body]), rows: rows.length };
}

interface WatchOptions {
  target: Target;
  opts: GetOptions;
  format: ObjectFormat | undefined;
  tableOpts: TableOptions;
  noHeaders: boolean;
  watchOnly: boolean;
}

/** Lists (or gets) first, then watches from that resourceVersion and prints each change as it comes. */
async function watchTarget(ctx: CommandContext, w: WatchOptions): Promise<number> {
  const { target, opts, format } = w;
  const rc: ResourceClient<KubeObject> = opts.client.resource(target.rt);
  const ns = target.rt.namespaced ? opts.namespace : undefined;
  const name = target.names[0];
  const fieldSelector = [opts.fieldSelector, name ? `metadata.name=${name}` : undefined].filter((s) => s).join(',') || undefined;
  const tableOpts = { ...w.tableOpts, namespaceColumn: w.tableOpts.namespaceColumn && target.rt.namespaced };
  let rv: string | undefined;
  let columns: TableColumn[] = [];
  let widths: number[] = [];
  let headerShown = w.noHeaders;
  let docs = 0;

  const printRows = (rows: TableRow[]): void => {
    const { keep, header } = tableHeader(columns, tableOpts);
    const body = rows.map((r) => tableRow(r, columns, keep, tableOpts));
    const all = headerShown ? body : [header, ...body];
    widths = columnWidths(all, widths);
    ctx.io.out(alignRows(all, widths));
    headerShown = true;
  };
  const printObjects = async (objs: KubeObject[]): Promise<void> => {
    if (!format || objs.length === 0) return;
    for (const o of objs) {
      const text = await formatObjects([withKind(target.rt, o)], format, { single: true, noHeaders: true });
      ctx.io.out(format.kind === 'yaml' && docs > 0 ? `---\n${text}` : text);
      docs++;
    }
  };

  if (format) {
    let objs: KubeObject[];
    if (name) {
      objs = await fetchNamed(target, opts, (n) => rc.get(n, scope(ns)));
      if (opts.errors.length > 0) return fail(ctx, opts);
      rv = objs[0]?.metadata.resourceVersion;
    } else {
      const list = await rc.list({ ...scope(ns), labelSelector: opts.labelSelector, fieldSelector });
      objs = list.items;
      rv = list.metadata.resourceVersion;
    }
    if (!w.watchOnly) await printObjects(objs);
  } else {
    const src = { rest: opts.client.rest, rc };
    const tables: Table[] = name
      ? await fetchNamed(target, opts, (n) => getTable(src, { name: n, ...scope(ns) }))
      : [await listTable(src, { ...scope(ns), labelSelector: opts.labelSelector, fieldSelector })];
    if (opts.errors.length > 0) return fail(ctx, opts);
    const table = tables[0];
    columns = table?.columnDefinitions ?? [];
    rv = table?.metadata?.resourceVersion;
    if (!w.watchOnly && (table?.rows?.length ?? 0) > 0) printRows(table?.rows ?? []);
  }

  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const res = await opts.client.rest.stream({
    path: rc.path(ns),
    query: { watch: 'true', resourceVersion: rv, labelSelector: opts.labelSelector, fieldSelector },
    accept: format ? 'application/json' : TABLE_ACCEPT,
    signal: ac.signal,
  });
  let failure: Error | undefined;
  let queue = Promise.resolve();
  await readWatch(res, ac.signal, (ev) => {
    if (ev.type === 'BOOKMARK') return;
    if (ev.type === 'ERROR') {
      failure = errorFromWatchEvent(ev.object);
      ac.abort();
      return;
    }
    if (format) {
      const obj = ev.object as KubeObject;
      queue = queue.then(() => printObjects([obj]));
      return;
    }
    const t = ev.object as Table;
    if (t.columnDefinitions?.length) columns = t.columnDefinitions;
    printRows(t.rows ?? []);
  });
  await queue;
  if (failure) throw failure;
  return 0;
}

function scope(ns: string | undefined): { namespace?: string } {
  return ns === undefined ? {} : { namespace: ns };
}

function fail(ctx: CommandContext, opts: GetOptions): number {
  for (const e of opts.errors) ctx.io.err(`${e}\n`);
  return 1;
}
