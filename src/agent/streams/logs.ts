// A container's log as a chunked text/plain response: headers flushed at once (kubectl logs -f
// prints as lines arrive), ended when the runtime's stream ends (the container ended, or the
// log was read to the end without follow), cut at limitBytes, and released when the client leaves.

import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ApiError } from '../../api/errors.js';
import type { LogOptions } from '../runtime/runtime.js';
import type { Logger } from '../../util/logger.js';

export interface LogRequest {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function count(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ApiError('BadRequest', `invalid value for ${name}: ${JSON.stringify(v)}: must be an integer of at least ${min}`);
  return n;
}

/** Reads `follow=&previous=&timestamps=&tailLines=&sinceSeconds=&limitBytes=`; a BadRequest ApiError when unusable. */
export function parseLogQuery(q: URLSearchParams): LogRequest {
  const req: LogRequest = { follow: flag(q, 'follow'), previous: flag(q, 'previous'), timestamps: flag(q, 'timestamps') };
  const tail = count(q, 'tailLines', 0);
  const since = count(q, 'sinceSeconds', 1);
  const limit = count(q, 'limitBytes', 1);
  if (tail !== undefined) req.tailLines = tail;
  if (since !== undefined) req.sinceSeconds = since;
  if (limit !== undefined) req.limitBytes = limit;
  return req;
}

export function runtimeLogOptions(req: LogRequest, signal: AbortSignal): LogOptions {
  const opts: LogOptions = { follow: req.follow, timestamps: req.timestamps, signal };
  if (req.tailLines !== undefined) opts.tailLines = req.tailLines;
  if (req.sinceSeconds !== undefined) opts.sinceSeconds = req.sinceSeconds;
  return opts;
}

/** Streams `source` into `res` until it ends, the byte limit is reached, or the client leaves. */
export function streamLog(res: ServerResponse, source: Readable, opts: { abort: AbortController; limitBytes?: number | undefined; logger?: Logger | undefined }): Promise<void> {
  return new Promise((resolve) => {
    let left = opts.limitBytes ?? Infinity;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      opts.abort.abort();
      source.destroy();
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    source.on('data', (chunk: Buffer | string) => {
      if (done) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const part = buf.length > left ? buf.subarray(0, left) : buf;
      left -= part.length;
      if (!res.write(part)) {
        source.pause();
        res.once('drain', () => source.resume());
      }
      if (left <= 0) finish();
    });
    source.once('end', finish);
    source.once('error', (e) => {
      opts.logger?.warn('container log stream failed', { error: e.message });
      finish();
    });
    res.once('close', finish);
  });
}
