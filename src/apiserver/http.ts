// Small HTTP helpers: JSON responses, Status errors, bounded body reading and parsing.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../api/errors.js';
import type { Status } from '../api/meta.js';

/** Kubernetes refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deeper JSON than this is refused before any recursive code sees it. */
export const MAX_DEPTH = 100;

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, err.toStatus());
}

export function successStatus(details: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details) s.details = details;
  return s;
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(tooLarge(limit));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`);
}

/** Iterative depth check: recursion over hostile input is exactly what we must not do. */
export function checkDepth(value: unknown, max = MAX_DEPTH): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) throw new ApiError('BadRequest', `the request body is nested deeper than ${max} levels`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
}

/** Parses a JSON (or YAML) request body; every failure is a 400, never a 500. */
export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  if (/protobuf|cbor/.test(contentType ?? '')) {
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unsupported format (${contentType ?? ''}); this server accepts JSON and YAML`);
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new ApiError('BadRequest', 'the request body is empty');
  const yaml = /yaml/.test(contentType ?? '');
  let value: unknown;
  try {
    if (yaml) {
      // kubectl sends JSON even as apply-patch+yaml; only real YAML takes the slower parser,
      // and only after a linear scan shows its flow nesting is bounded.
      try {
        value = JSON.parse(text);
      } catch {
        if (flowDepth(text) > MAX_DEPTH) throw new ApiError('BadRequest', `the request body is nested deeper than ${MAX_DEPTH} levels`);
        value = parseYaml(text, { maxAliasCount: 100 });
      }
    } else value = JSON.parse(text);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('BadRequest', `the request body could not be decoded: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : 'invalid'}`);
  }
  checkDepth(value);
  return value;
}

export function firstQuery(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  return v === null ? undefined : v;
}

export function boolQuery(params: URLSearchParams, name: string): boolean {
  const v = params.get(name);
  return v === 'true' || v === '1';
}

export function intQuery(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ApiError('BadRequest', `invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

/** Deepest nesting of [ and { in a text (an upper bound: brackets inside strings count too). */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth = Math.max(0, depth - 1);
  }
  return max;
}
