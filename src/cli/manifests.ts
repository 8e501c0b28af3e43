// Reading manifests for create, apply and delete -f: files, directories (-R for subdirectories), `-` for
// stdin; multi-document YAML and JSON; `kind: List` expanded. Every object remembers the file and line it
// came from, so errors can point there: `app.yaml:12:3: ...`.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { lookupKind, type ResourceType } from '../api/scheme.js';
import { CliError } from './context.js';

export interface Manifest {
  obj: KubeObject;
  /** The file (`STDIN` for -f -). */
  source: string;
  /** 1-based line where the object's document starts. */
  line: number;
}

/** A manifest that cannot be used, named by file and line. */
export class ManifestError extends CliError {}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function filesIn(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) out.push(...filesIn(path, recursive));
    } else if (EXTENSIONS.some((e) => entry.name.endsWith(e))) out.push(path);
  }
  return out;
}

/** Expands -f arguments into files (directories in name order), keeping `-` as stdin. */
export function expandPaths(paths: readonly string[], recursive: boolean): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    if (/^https?:\/\//.test(p)) throw new CliError(`${p}: reading manifests from URLs is not supported; download the file first`);
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new CliError(`the path "${p}" does not exist`);
    }
    if (isDir) {
      const files = filesIn(p, recursive);
      if (files.length === 0)
        throw new CliError(`no manifests (${EXTENSIONS.join(', ')}) in directory "${p}"${recursive ? '' : ' (use -R for subdirectories)'}`);
      out.push(...files);
    } else out.push(p);
  }
  return out;
}

/** Parses one file's text into objects. Throws ManifestError naming `source:line:col`. */
export async function parseManifests(text: string, source: string): Promise<Manifest[]> {
  const { parseAllDocuments, LineCounter } = await import('yaml');
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const out: Manifest[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const pos = lc.linePos(err.pos[0]);
      throw new ManifestError(
        `error parsing ${source}: line ${pos.line}, column ${pos.col}: ${err.message.split('\n')[0] ?? ''}${snippet(text, pos.line, pos.col)}`,
      );
    }
    const line = lc.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new ManifestError(`error parsing ${source}: line ${line}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (value === null || value === undefined) continue; // an empty document (`---` at the end, comments only)
    for (const obj of expandList(value, source, line)) out.push({ obj, source, line });
  }
  return out;
}

function expandList(value: unknown, source: string, line: number): KubeObject[] {
  if (!isObject(value))
    throw new ManifestError(`${source}:${line}: expected an object (apiVersion, kind, metadata, ...), found ${Array.isArray(value) ? 'a list' : typeof value}`);
  if (value['kind'] === 'List' || (typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items']))) {
    const items = value['items'];
    if (!Array.isArray(items)) throw new ManifestError(`${source}:${line}: a List needs items`);
    return items.flatMap((item) => expandList(item, source, line));
  }
  const missing = [
    typeof value['apiVersion'] === 'string' && value['apiVersion'] ? '' : 'apiVersion not set',
    typeof value['kind'] === 'string' && value['kind'] ? '' : 'kind not set',
  ].filter((m) => m);
  if (missing.length) throw new ManifestError(`${source}:${line}: invalid object: ${missing.join(', ')}`);
  const meta = value['metadata'];
  if (meta !== undefined && !isObject(meta)) throw new ManifestError(`${source}:${line}: metadata must be an object`);
  return [{ ...value, metadata: isObject(meta) ? meta : {} }];
}

function snippet(text: string, line: number, col: number): string {
  const src = text.split('\n')[line - 1];
  if (src === undefined) return '';
  return `\n  ${src}\n  ${' '.repeat(Math.max(0, col - 1))}^`;
}

/** Reads every object from the -f arguments, in order. */
export async function readManifests(paths: readonly string[], opts: { recursive: boolean; readStdin: () => Promise<string> }): Promise<Manifest[]> {
  if (paths.length === 0) throw new CliError('no manifests given: use -f FILE, -f DIR or -f - (stdin)');
  const out: Manifest[] = [];
  for (const file of expandPaths(paths, opts.recursive)) {
    let text: string;
    try {
      text = file === '-' ? await opts.readStdin() : readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    out.push(...(await parseManifests(text, file === '-' ? 'STDIN' : file)));
  }
  if (out.length === 0) throw new CliError(`no objects passed to the command (${paths.join(', ')} held none)`);
  return out;
}

export interface Placed extends Manifest {
  rt: ResourceType;
  /** The namespace the object goes to (undefined for cluster-wide kinds); also set in `obj`. */
  namespace: string | undefined;
  name: string;
}

/**
 * Finds the kind of a manifest and the namespace it goes to: its own, else the default (-n or the
 * context's). With an explicit -n, a manifest naming another namespace is refused, as kubectl does.
 */
export function placeManifest(m: Manifest, opts: { defaultNamespace: string; explicitNamespace: string | undefined; nameRequired: boolean }): Placed {
  const apiVersion = String(m.obj.apiVersion);
  const kind = String(m.obj.kind);
  const rt = lookupKind(apiVersion, kind);
  const where = `${m.source}:${m.line}`;
  if (!rt) throw new ManifestError(`${where}: no kind "${kind}" is registered for version "${apiVersion}" (see 'mkctl api-resources')`);
  const name = m.obj.metadata.name ?? '';
  if (!name && opts.nameRequired)
    throw new ManifestError(`${where}: ${kind} has no metadata.name${m.obj.metadata.generateName ? ' (generateName works with create, not apply)' : ''}`);
  const metadata = { ...m.obj.metadata };
  let namespace: string | undefined;
  if (rt.namespaced) {
    const own = metadata.namespace;
    if (own && opts.explicitNamespace && own !== opts.explicitNamespace) {
      throw new ManifestError(
        `${where}: the namespace from the provided object "${own}" does not match the namespace "${opts.explicitNamespace}". You must pass '--namespace=${own}' to perform this operation.`,
      );
    }
    namespace = own || opts.defaultNamespace;
    metadata.namespace = namespace;
  } else delete metadata.namespace;
  return { ...m, obj: { ...m.obj, metadata }, rt, namespace, name };
}
