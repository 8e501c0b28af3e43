// HTTP handlers for resource routes: list/watch, get, create, update, patch, delete, and the
// status and scale subresources. Every failure leaves as a Status object.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../api/meta.js';
import { isObject } from '../api/meta.js';
import { ApiError, errors } from '../api/errors.js';
import { groupVersion, kindKey, type ResourceType } from '../api/scheme.js';
import { parseFieldSelector, parseLabelSelector, matchesLabels, matchesFields, SelectorError, selectorFromSpec, formatSelector, type LabelSelectorSpec } from '../api/selector.js';
import { isStoreError, type Store } from '../storage/store.js';
import type { WatchCache, Cached } from './cache.js';
import { collectionPrefix } from './keys.js';
import { decodeKv, type DeleteOptions, type Registry } from './registry.js';
import { boolQuery, firstQuery, intQuery, parseBody, readBody, sendJson, successStatus } from './http.js';
import { checkFields, fieldGetter } from './fields.js';
import { tableVersion, toTable, wantsTable, type IncludeObject } from './table.js';
import { serveWatch, type WatchLimits } from './watch.js';
import type { ResourceRoute } from './routes.js';
import { applyPatch, patchTypeFromContentType, PatchError } from './patch/index.js';
import { validateFields } from './fieldvalidation.js';
import { podLog } from './proxy.js';

export interface HandlerContext {
  store: Store;
  cache: WatchCache;
  registry: Registry;
  watchLimits: WatchLimits;
  now: () => number;
  /** Bearer token for the node agents' kubelet API (pods/log, pods/exec). */
  nodeToken?: string | undefined;
}

interface Continue {
  rv: number;
  key: string;
}

function encodeContinue(c: Continue): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: c.rv, start: c.key })).toString('base64url');
}

function decodeContinue(token: string): Continue {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof v.rv === 'number' && typeof v.start === 'string') return { rv: v.rv, key: v.start };
  } catch {
    // fall through
  }
  throw new ApiError('BadRequest', 'continue key is not valid');
}

function selectors(rt: ResourceType, q: URLSearchParams): { labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> } {
  try {
    const labels = parseLabelSelector(firstQuery(q, 'labelSelector'));
    const fields = parseFieldSelector(firstQuery(q, 'fieldSelector'));
    checkFields(rt, fields);
    return { labels, fields };
  } catch (e) {
    if (e instanceof SelectorError) throw new ApiError('BadRequest', `unable to parse requirement: ${e.message}`);
    throw e;
  }
}

function tableOpts(req: IncomingMessage, q: URLSearchParams): { include: IncludeObject; version: string } | undefined {
  if (!wantsTable(req.headers.accept)) return undefined;
  const inc = firstQuery(q, 'includeObject');
  const include: IncludeObject = inc === 'Object' || inc === 'None' ? inc : 'Metadata';
  return { include, version: tableVersion(req.headers.accept) };
}

function listKind(rt: ResourceType): string {
  return `${rt.kind}List`;
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, route: ResourceRoute, ctx: HandlerContext): Promise<void> {
  const { rt, name, subresource } = route;
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  if (rt.namespaced && route.namespace === undefined && name !== undefined) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  if (!rt.namespaced && route.namespace !== undefined) throw new ApiError('NotFound', 'the server could not find the requested resource');
  if (subresource !== undefined && !rt.subresources.includes(subresource as never) && !(rt.kind === 'Namespace' && subresource === 'finalize')) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  if (name === undefined) {
    if (method === 'GET') {
      if (route.watchPath || boolQuery(q, 'watch')) return watch(req, res, route, q, ctx);
      return list(req, res, route, q, ctx);
    }
    if (method === 'POST') return create(req, res, route, q, ctx);
    if (method === 'DELETE') return deleteCollection(req, res, route, q, ctx);
    throw new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
  if (route.watchPath) {
    q.set('fieldSelector', `metadata.name=${name}`);
    return watch(req, res, { ...route, name: undefined }, q, ctx);
  }
  if (subresource === 'scale') return scale(req, res, route, q, ctx);
  if (subresource === 'binding') return bind(req, res, route, q, ctx);
  if (subresource === 'log') return podLog(req, res, route, q, ctx);
  if (subresource === 'exec') throw new ApiError('BadRequest', 'Upgrade request required');
  switch (method) {
    case 'GET': {
      const obj = await ctx.registry.get(rt, route.namespace, name);
      return respondObject(req, res, rt, q, 200, obj, ctx);
    }
    case 'PUT':
      return update(req, res, route, q, ctx);
    case 'PATCH':
      return patch(req, res, route, q, ctx);
    case 'DELETE':
      if (subresource) break;
      return remove(req, res, route, q, ctx);
  }
  throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

function respondObject(req: IncomingMessage, res: ServerResponse, rt: ResourceType, q: URLSearchParams, code: number, obj: KubeObject, ctx: HandlerContext): void {
  const table = tableOpts(req, q);
  if (table) {
    sendJson(res, code, toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '', include: table.include, now: ctx.now(), version: table.version }));
    return;
  }
  sendJson(res, code, obj);
}

async function list(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const { rt } = route;
  const { labels, fields } = selectors(rt, q);
  const limit = intQuery(q, 'limit') ?? 0;
  const cont = firstQuery(q, 'continue');
  const prefix = collectionPrefix(rt, route.namespace);
  const match = (o: KubeObject): boolean => matchesLabels(labels, o.metadata.labels) && (fields.length === 0 || matchesFields(fields, fieldGetter(rt, o)));
  let rv: number;
  let next: string | undefined;
  let objs: KubeObject[];
  let jsons: Buffer[] | undefined;
  if (cont) {
    // Later pages read the store at the first page's revision: one consistent snapshot.
    const c = decodeContinue(cont);
    rv = c.rv;
    try {
      const page = await ctx.store.list(prefix, { revision: c.rv, afterKey: c.key, ...(limit ? { limit } : {}) });
      objs = page.items.map(decodeKv).filter(match);
      const last = page.items[page.items.length - 1];
      if (page.more && last) next = encodeContinue({ rv: c.rv, key: last.key });
    } catch (e) {
      if (isStoreError(e, 'Compacted')) throw new ApiError('Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      throw e;
    }
  } else {
    const asked = firstQuery(q, 'resourceVersion');
    if (asked === undefined || asked === '') await ctx.cache.waitFor(await ctx.store.currentRevision());
    else if (asked !== '0') {
      const n = Number(asked);
      if (!Number.isInteger(n) || n < 0) throw new ApiError('BadRequest', `invalid resource version: ${asked}`);
      await ctx.cache.waitFor(n, 3000);
    }
    rv = ctx.cache.rev;
    let cached: Cached[] = ctx.cache.list(prefix);
    if (labels.length || fields.length) cached = cached.filter((c) => match(c.obj));
    if (limit && cached.length > limit) {
      cached = cached.slice(0, limit);
      const last = cached[cached.length - 1];
      if (last) next = encodeContinue({ rv, key: last.key });
    }
    objs = cached.map((c) => c.obj);
    jsons = cached.map((c) => c.json);
  }
  const table = tableOpts(req, q);
  if (table) {
    sendJson(res, 200, toTable(rt, objs, { resourceVersion: String(rv), ...(next ? { continue: next } : {}), include: table.include, now: ctx.now(), version: table.version }));
    return;
  }
  const meta = JSON.stringify(next ? { resourceVersion: String(rv), continue: next } : { resourceVersion: String(rv) });
  const items = jsons ?? objs.map((o) => Buffer.from(JSON.stringify(o)));
  await streamList(res, `{"kind":"${listKind(rt)}","apiVersion":"${groupVersion(rt)}","metadata":${meta},"items":[`, items);
}

const LIST_SLICE_BYTES = 1 << 20;
const COMMA = Buffer.from(',');
const LIST_END = Buffer.from(']}');

/**
 * Writes a list as chunks of about 1 MiB from the cached per-object bytes, yielding to the event
 * loop between chunks: a 10,000-pod list never becomes one giant string, and writes and watch
 * deliveries are not held up behind it.
 */
async function streamList(res: ServerResponse, head: string, items: Buffer[]): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let parts: Buffer[] = [Buffer.from(head)];
  let size = Buffer.byteLength(head);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Buffer;
    if (i > 0) {
      parts.push(COMMA);
      size += COMMA.length;
    }
    parts.push(item);
    size += item.length;
    if (size >= LIST_SLICE_BYTES) {
      res.write(Buffer.concat(parts));
      parts = [];
      size = 0;
      await new Promise<void>((r) => setImmediate(r));
      if (res.destroyed) return;
    }
  }
  parts.push(LIST_END);
  res.end(Buffer.concat(parts));
}

async function watch(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const { labels, fields } = selectors(route.rt, q);
  const sie = firstQuery(q, 'sendInitialEvents');
  await serveWatch(
    res,
    ctx.cache,
    {
      rt: route.rt,
      prefix: collectionPrefix(route.rt, route.namespace),
      labels,
      fields,
      resourceVersion: firstQuery(q, 'resourceVersion'),
      sendInitialEvents: sie === 'true',
      allowBookmarks: boolQuery(q, 'allowWatchBookmarks'),
      timeoutSeconds: intQuery(q, 'timeoutSeconds'),
      table: tableOpts(req, q),
    },
    ctx.watchLimits,
  );
}

async function bodyObject(req: IncomingMessage): Promise<KubeObject> {
  const body = parseBody(await readBody(req), req.headers['content-type']);
  if (!isObject(body)) throw new ApiError('BadRequest', 'the request body must be a JSON object');
  if (body['metadata'] === undefined) body['metadata'] = {};
  if (!isObject(body['metadata'])) throw errors.invalid('object', '', '', [{ reason: 'FieldValueTypeInvalid', message: 'Invalid type: expected object', field: 'metadata' }]);
  return body as KubeObject;
}

function checkKind(rt: ResourceType, body: KubeObject): void {
  if (body.kind !== undefined && body.kind !== rt.kind) {
    throw new ApiError('BadRequest', `the body kind ${JSON.stringify(body.kind)} does not match the resource ${rt.plural} (kind ${rt.kind})`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== groupVersion(rt)) {
    throw new ApiError('BadRequest', `the body apiVersion ${JSON.stringify(body.apiVersion)} does not match ${groupVersion(rt)}`);
  }
}

function dryRun(q: URLSearchParams): boolean {
  const d = q.getAll('dryRun');
  for (const v of d) if (v !== 'All') throw new ApiError('BadRequest', `unsupported dry run value: ${v}`);
  return d.length > 0;
}

async function create(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const body = await bodyObject(req);
  checkKind(route.rt, body);
  validateFields(res, { rt: route.rt, query: q, body });
  if (route.rt.namespaced && route.namespace === undefined && body.metadata.namespace === undefined) {
    throw new ApiError('NotFound', 'the server could not find the requested resource');
  }
  const obj = await ctx.registry.create(route.rt, route.namespace, body, { dryRun: dryRun(q) });
  respondObject(req, res, route.rt, q, 201, obj, ctx);
}

async function update(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const body = await bodyObject(req);
  checkKind(route.rt, body);
  validateFields(res, { rt: route.rt, query: q, body });
  const name = route.name as string;
  if (route.subresource === 'finalize') {
    const { obj } = await ctx.registry.update(route.rt, undefined, name, (cur) => {
      const fin = isObject(body.spec) ? body.spec['finalizers'] : undefined;
      return { ...cur, metadata: { ...cur.metadata, resourceVersion: body.metadata.resourceVersion }, spec: { ...(isObject(cur.spec) ? cur.spec : {}), finalizers: Array.isArray(fin) ? fin : [] } };
    }, { dryRun: dryRun(q), subresource: 'finalize' });
    return respondObject(req, res, route.rt, q, 200, obj, ctx);
  }
  const { obj } = await ctx.registry.update(route.rt, route.namespace, name, () => body, {
    dryRun: dryRun(q),
    ...(route.subresource === 'status' ? { subresource: 'status' as const } : {}),
  });
  respondObject(req, res, route.rt, q, 200, obj, ctx);
}

async function patchBody(req: IncomingMessage): Promise<{ type: ReturnType<typeof patchTypeFromContentType>; body: unknown }> {
  const type = patchTypeFromContentType(req.headers['content-type'] ?? '');
  if (!type) throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  return { type, body: parseBody(await readBody(req), type === 'apply' ? 'application/yaml' : 'application/json') };
}

function patchError(e: unknown): never {
  if (e instanceof PatchError) throw new ApiError('BadRequest', e.message);
  if (e instanceof RangeError) throw new ApiError('BadRequest', 'the patch could not be applied: it is too deeply nested');
  throw e;
}

async function patch(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const p = await patchBody(req);
  if (!p.type) throw new ApiError('UnsupportedMediaType', 'unknown patch type');
  if (p.type === 'apply' && isObject(p.body)) checkKind(route.rt, p.body as KubeObject);
  validateFields(res, { rt: route.rt, query: q, body: p.body, patchType: p.type });
  try {
    const { obj, created } = await ctx.registry.patch(route.rt, route.namespace, route.name as string, { type: p.type, body: p.body }, {
      dryRun: dryRun(q),
      ...(route.subresource === 'status' ? { subresource: 'status' as const } : {}),
    });
    respondObject(req, res, route.rt, q, created ? 201 : 200, obj, ctx);
  } catch (e) {
    patchError(e);
  }
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const buf = await readBody(req);
  const opts: DeleteOptions = {};
  if (buf.length && buf.toString('utf8').trim() !== '') {
    const body = parseBody(buf, req.headers['content-type']);
    if (!isObject(body)) throw new ApiError('BadRequest', 'DeleteOptions must be a JSON object');
    if (typeof body['gracePeriodSeconds'] === 'number') opts.gracePeriodSeconds = body['gracePeriodSeconds'];
    const pp = body['propagationPolicy'];
    if (pp !== undefined && pp !== null) {
      if (pp !== 'Background' && pp !== 'Foreground' && pp !== 'Orphan') throw errors.invalid('DeleteOptions', '', '', [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(pp)}`, field: 'propagationPolicy' }]);
      opts.propagationPolicy = pp;
    }
    if (body['orphanDependents'] === true) opts.propagationPolicy = 'Orphan';
    if (isObject(body['preconditions'])) {
      const pre = body['preconditions'];
      opts.preconditions = {};
      if (typeof pre['uid'] === 'string') opts.preconditions.uid = pre['uid'];
      if (typeof pre['resourceVersion'] === 'string') opts.preconditions.resourceVersion = pre['resourceVersion'];
    }
    if (Array.isArray(body['dryRun']) && body['dryRun'].includes('All')) opts.dryRun = true;
  }
  const g = intQuery(q, 'gracePeriodSeconds');
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const pp = firstQuery(q, 'propagationPolicy');
  if (pp === 'Background' || pp === 'Foreground' || pp === 'Orphan') opts.propagationPolicy = pp;
  if (dryRun(q)) opts.dryRun = true;
  return opts;
}

async function remove(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const opts = await deleteOptions(req, q);
  const { rt } = route;
  const { obj, finished } = await ctx.registry.delete(rt, route.namespace, route.name as string, opts);
  if (!finished || kindKey(rt) === 'v1/Pod') return respondObject(req, res, rt, q, 200, obj, ctx);
  sendJson(res, 200, successStatus({ name: obj.metadata.name ?? '', kind: rt.plural, uid: obj.metadata.uid ?? '', ...(rt.group ? { group: rt.group } : {}) }));
}

async function deleteCollection(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const opts = await deleteOptions(req, q);
  const { labels, fields } = selectors(route.rt, q);
  await ctx.cache.waitFor(await ctx.store.currentRevision());
  const targets = ctx.cache.list(collectionPrefix(route.rt, route.namespace)).filter((c) => matchesLabels(labels, c.obj.metadata.labels) && matchesFields(fields, fieldGetter(route.rt, c.obj)));
  const items: KubeObject[] = [];
  for (const t of targets) {
    try {
      items.push((await ctx.registry.delete(route.rt, t.obj.metadata.namespace, t.obj.metadata.name ?? '', opts)).obj);
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
  sendJson(res, 200, { kind: listKind(route.rt), apiVersion: groupVersion(route.rt), metadata: {}, items });
}

function toScale(obj: KubeObject): Record<string, unknown> {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  let selector = '';
  try {
    selector = formatSelector(selectorFromSpec(spec['selector'] as LabelSelectorSpec | undefined));
  } catch {
    selector = '';
  }
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 0 },
    status: { replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0, selector },
  };
}

async function scale(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  const { rt } = route;
  const name = route.name as string;
  const method = req.method ?? 'GET';
  if (method === 'GET') return void sendJson(res, 200, toScale(await ctx.registry.get(rt, route.namespace, name)));
  let desired: (cur: KubeObject) => Record<string, unknown>;
  if (method === 'PUT') {
    const body = await bodyObject(req);
    desired = () => body;
  } else if (method === 'PATCH') {
    const p = await patchBody(req);
    if (!p.type) throw new ApiError('UnsupportedMediaType', 'unknown patch type');
    const type = p.type === 'strategic' || p.type === 'apply' ? 'merge' : p.type;
    desired = (cur) => {
      try {
        return applyPatch({ type, kindKey: 'autoscaling/v1/Scale', original: toScale(cur), patch: p.body }) as Record<string, unknown>;
      } catch (e) {
        return patchError(e);
      }
    };
  } else throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const { obj } = await ctx.registry.update(
    rt,
    route.namespace,
    name,
    (cur) => {
      const s = desired(cur);
      const replicas = isObject(s['spec']) ? s['spec']['replicas'] : undefined;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid('Scale', 'autoscaling', name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' }]);
      }
      const meta = isObject(s['metadata']) ? s['metadata'] : {};
      const rv = method === 'PUT' && typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : undefined;
      return { ...cur, metadata: { ...cur.metadata, resourceVersion: rv }, spec: { ...(isObject(cur.spec) ? cur.spec : {}), replicas } };
    },
    { dryRun: dryRun(q) },
  );
  sendJson(res, 200, toScale(obj));
}

/** POST pods/NAME/binding: the scheduler's write. Binding an already bound pod is a 409. */
async function bind(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  if (req.method !== 'POST') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = await bodyObject(req);
  const target = isObject(body['target']) ? body['target'] : undefined;
  const node = target && typeof target['name'] === 'string' ? target['name'] : '';
  const name = route.name as string;
  if (!node) throw errors.invalid('Binding', '', name, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }]);
  await ctx.registry.update(
    route.rt,
    route.namespace,
    name,
    (cur) => {
      const spec = isObject(cur.spec) ? cur.spec : {};
      if (cur.metadata.deletionTimestamp) throw errors.conflict('pods', '', name, 'the pod is being deleted');
      if (typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '') {
        throw errors.conflict('pods/binding', '', name, `pod ${name} is already assigned to node "${spec['nodeName']}"`);
      }
      const uid = isObject(body.metadata) ? body.metadata.uid : undefined;
      if (uid && uid !== cur.metadata.uid) throw errors.conflict('pods', '', name, 'the pod was replaced since it was scheduled');
      cur.spec = { ...spec, nodeName: node };
      cur.metadata.resourceVersion = undefined;
      return cur;
    },
    { dryRun: dryRun(q) },
  );
  sendJson(res, 201, successStatus(undefined));
}
