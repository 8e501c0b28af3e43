// Printing objects: aligned tables for people; json, yaml, name, jsonpath and custom-columns for scripts.
// JSON and YAML come out with sorted keys (as kubectl prints them), so output is stable across runs.
// The YAML printer is loaded only when asked for.

import type { KubeObject } from '../api/meta.js';
import { UsageError } from './args.js';
import { compile, compileRelaxed, evaluate, valueText } from './jsonpath.js';

/**
 * Aligns cells like kubectl's tabwriter: each column as wide as its widest cell plus three spaces (at
 * least six), the last column unpadded. `widths` (from an earlier call) keeps later rows in step.
 */
export function alignRows(rows: readonly (readonly string[])[], widths: number[] = columnWidths(rows)): string {
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('')
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join('');
}

export function columnWidths(rows: readonly (readonly string[])[], min: number[] = []): number[] {
  const widths = [...min];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length + 3, 6)));
  return widths;
}

/** Sorts map keys recursively (Go's JSON encoding of kubectl's objects does the same). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function toJson(v: unknown): string {
  return `${JSON.stringify(sortKeys(v), null, 4)}\n`;
}

export async function toYaml(v: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(sortKeys(v), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

/** What kubectl prints for several objects in json or yaml. */
export function listOf(items: readonly KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/** `pod/web-1`, `deployment.apps/web`, from the object's own apiVersion and kind. */
export function nameOf(obj: KubeObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = (typeof obj.kind === 'string' ? obj.kind : '').toLowerCase();
  return `${group ? `${kind}.${group}` : kind}/${obj.metadata.name ?? ''}`;
}

export type ObjectFormat =
  { kind: 'json' } | { kind: 'yaml' } | { kind: 'name' } | { kind: 'jsonpath'; template: string } | { kind: 'custom-columns'; spec: string };

/** Parses `-o` for the object formats; undefined for the table ones (`''`, `wide`). */
export const OBJECT_FORMATS: readonly string[] = ['json', 'yaml', 'name', 'jsonpath', 'custom-columns'];

export function objectFormat(o: string | undefined, allowed: readonly string[] = OBJECT_FORMATS): ObjectFormat | undefined {
  if (o === undefined || o === '') return undefined;
  if (o === 'wide' && allowed.includes('wide')) return undefined;
  const eq = o.indexOf('=');
  const name = eq === -1 ? o : o.slice(0, eq);
  const arg = eq === -1 ? '' : o.slice(eq + 1);
  const known = (n: string): boolean => allowed.includes(n);
  if ((name === 'json' || name === 'yaml' || name === 'name') && known(name) && eq === -1) return { kind: name };
  if ((name === 'jsonpath' || name === 'template') && known('jsonpath')) {
    if (!arg) throw new UsageError('-o jsonpath needs a template: -o jsonpath={.metadata.name}');
    compile(arg); // report template errors before any request
    return { kind: 'jsonpath', template: arg };
  }
  if (name === 'custom-columns' && known('custom-columns')) {
    if (!arg) throw new UsageError('-o custom-columns needs a spec: -o custom-columns=NAME:.metadata.name,IP:.status.podIP');
    customColumns(arg);
    return { kind: 'custom-columns', spec: arg };
  }
  throw new UsageError(`unsupported output format "${o}"; allowed: ${allowed.join(', ')}`);
}

function customColumns(spec: string): { header: string; path: ReturnType<typeof compileRelaxed> }[] {
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon <= 0) throw new UsageError(`custom-columns: "${part}" is not HEADER:PATH`);
    return { header: part.slice(0, colon), path: compileRelaxed(part.slice(colon + 1)) };
  });
}

export function customColumnsTable(spec: string, objs: readonly KubeObject[], opts: { noHeaders?: boolean } = {}): string {
  const cols = customColumns(spec);
  const rows = objs.map((o) =>
    cols.map((c) => {
      const vals = evaluate(c.path, o).filter((v) => v !== undefined && v !== null);
      return vals.length ? vals.map(valueText).join(',') : '<none>';
    }),
  );
  return alignRows(opts.noHeaders ? rows : [cols.map((c) => c.header), ...rows]);
}

/**
 * Prints objects in an object format. `single` (one object asked for by name) prints the object itself;
 * otherwise json and yaml print a List, as kubectl does.
 */
export async function formatObjects(objs: readonly KubeObject[], format: ObjectFormat, opts: { single: boolean; noHeaders?: boolean }): Promise<string> {
  const data = opts.single && objs.length === 1 ? objs[0] : listOf(objs);
  switch (format.kind) {
    case 'json':
      return toJson(data);
    case 'yaml':
      return toYaml(data);
    case 'name':
      return objs.map((o) => `${nameOf(o)}\n`).join('');
    case 'jsonpath':
      return compile(format.template).render(data);
    case 'custom-columns':
      return customColumnsTable(format.spec, objs, opts);
  }
}

/** `app=web,tier=front` (sorted), or `<none>`. */
export function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}
