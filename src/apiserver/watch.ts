// One watch stream: newline-delimited JSON events over a chunked 200 response, fed by the
// watch cache. Headers go out at once (clients wait for them before they count the watch as
// started). Selector transitions become ADDED/DELETED as Kubernetes reports them. A client
// whose socket buffer grows past the limit gets an ERROR (410 Expired) and the stream ends:
// it relists; nothing is silently skipped.

import type { ServerResponse } from 'node:http';
import type { ResourceType } from '../api/scheme.js';
import { groupVersion } from '../api/scheme.js';
import { ApiError } from '../api/errors.js';
import { matchesFields, matchesLabels, type FieldRequirement, type Requirement } from '../api/selector.js';
import type { Cached, CacheEvent, WatchCache } from './cache.js';
import { fieldGetter } from './fields.js';
import { toTable, type IncludeObject } from './table.js';
import type { KubeObject } from '../api/meta.js';

const LINE_END = Buffer.from('}\n');

export interface WatchRequest {
  rt: ResourceType;
  prefix: string;
  labels: Requirement[];
  fields: FieldRequirement[];
  /** undefined or '0': start with the current state as ADDED events. */
  resourceVersion: string | undefined;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds: number | undefined;
  table: { include: IncludeObject; version: string } | undefined;
}

export interface WatchLimits {
  bookmarkIntervalMs: number;
  maxBufferedBytes: number;
  maxTimeoutSeconds: number;
  now: () => number;
}

export async function serveWatch(res: ServerResponse, cache: WatchCache, w: WatchRequest, limits: WatchLimits): Promise<void> {
  const rvNum = w.resourceVersion === undefined || w.resourceVersion === '' ? 0 : Number(w.resourceVersion);
  if (!Number.isInteger(rvNum) || rvNum < 0) throw new ApiError('BadRequest', `invalid resource version: ${String(w.resourceVersion)}`);
  const fromNow = rvNum === 0 || w.sendInitialEvents;
  if (rvNum > 0) await cache.waitFor(rvNum, 3000);

  const matches = (c: Cached): boolean =>
    matchesLabels(w.labels, c.obj.metadata.labels) && (w.fields.length === 0 || matchesFields(w.fields, fieldGetter(w.rt, c.obj)));

  let headersSent = false;
  let closed = false;
  let tableHeaderSent = false;
  let lastRev = rvNum;
  const write = (type: string, c: Cached | KubeObject): void => {
    if (closed) return;
    const cached = 'json' in c && 'key' in c ? (c as Cached) : undefined;
    if (w.table) {
      const obj = cached ? cached.obj : (c as KubeObject);
      const t = toTable(w.rt, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '', include: w.table.include, noHeaders: tableHeaderSent, now: limits.now(), version: w.table.version });
      tableHeaderSent = true;
      res.write(`{"type":"${type}","object":${JSON.stringify(t)}}\n`);
    } else if (cached) {
      // The cached bytes are shared by every watcher; only the small envelope is per write.
      res.write(Buffer.concat([Buffer.from(`{"type":"${type}","object":`), cached.json, LINE_END]));
    } else {
      res.write(`{"type":"${type}","object":${JSON.stringify(c)}}\n`);
    }
    if (res.writableLength > limits.maxBufferedBytes) {
      fail(new ApiError('Expired', 'the watcher could not keep up with events; relist and watch again'));
    }
  };
  const fail = (err: ApiError): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type: 'ERROR', object: err.toStatus() })}\n`);
    end();
  };
  const onEvents = (events: CacheEvent[]): void => {
    for (const ev of events) {
      if (closed) return;
      const prevMatch = ev.prev !== undefined && matches(ev.prev);
      const nextMatch = matches(ev.next);
      lastRev = ev.rev;
      if (ev.type === 'DELETED') {
        if (prevMatch || nextMatch) write('DELETED', ev.next);
      } else if (nextMatch) write(prevMatch ? 'MODIFIED' : 'ADDED', ev.next);
      else if (prevMatch) write('DELETED', ev.next);
    }
  };

  const pending: CacheEvent[] = [];
  let sub: ReturnType<WatchCache['subscribe']>;
  try {
    sub = cache.subscribe({ prefix: w.prefix, onEvents: (evs) => (headersSent ? onEvents(evs) : pending.push(...evs)), onClose: (e) => fail(e) }, fromNow ? 'now' : rvNum);
  } catch (e) {
    if (e instanceof ApiError && e.reason === 'Expired') {
      // As the watch cache does: a 200 stream whose only event is the 410.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: e.toStatus() })}\n`);
      return;
    }
    throw e;
  }
  const timers: NodeJS.Timeout[] = [];
  const end = (): void => {
    if (closed) return;
    closed = true;
    sub.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  res.on('close', end);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  headersSent = true;
  lastRev = Math.max(lastRev, sub.rev);
  if (fromNow) for (const c of sub.snapshot) if (matches(c)) write('ADDED', c);
  const bookmark = (initialEnd: boolean): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(Math.max(lastRev, cache.rev)) };
    if (initialEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', { kind: w.rt.kind, apiVersion: groupVersion(w.rt), metadata });
  };
  if (w.sendInitialEvents && w.allowBookmarks) bookmark(true);
  onEvents(pending.splice(0));

  const timeout = Math.min(w.timeoutSeconds ?? limits.maxTimeoutSeconds, limits.maxTimeoutSeconds);
  timers.push(setTimeout(end, timeout * 1000));
  if (w.allowBookmarks) {
    const tick = (): void => {
      if (closed) return;
      // Bookmarks move a quiet watcher's resourceVersion forward so that its resume stays in the ring.
      lastRev = Math.max(lastRev, cache.rev);
      bookmark(false);
      timers.push(setTimeout(tick, limits.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, limits.bookmarkIntervalMs));
  }
}
