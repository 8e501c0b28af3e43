// The REST transport: HTTPS (or HTTP) with the kubeconfig's CA and bearer token, keep-alive,
// JSON in and out, and non-2xx answers turned into ApiError by their Status reason.

import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { ApiError, reasonForCode } from '../api/errors.js';
import { isObject } from '../api/meta.js';
import type { Connection } from './kubeconfig.js';

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Abort the request if no response arrives within this many ms (not for streams). */
  timeoutMs?: number;
}

export class RestClient {
  private readonly url: URL;
  private readonly agent: HttpsAgent | HttpAgent;
  readonly namespace: string;

  constructor(readonly conn: Connection) {
    this.url = new URL(conn.server);
    this.namespace = conn.namespace;
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            maxSockets: 64,
            ...(conn.ca ? { ca: conn.ca } : {}),
            ...(conn.cert ? { cert: conn.cert } : {}),
            ...(conn.key ? { key: conn.key } : {}),
            rejectUnauthorized: !conn.insecureSkipTlsVerify,
          })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sends a request and returns the raw response once headers arrive (status checked). */
  async stream(opts: RequestOptions): Promise<IncomingMessage> {
    const res = await this.send(opts);
    if ((res.statusCode ?? 500) >= 300) throw await errorFrom(res);
    return res;
  }

  /** Sends a request and returns the parsed JSON body. */
  async json<T>(opts: RequestOptions): Promise<T> {
    const res = await this.send(opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 300) throw errorFromText(res.statusCode ?? 500, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('InternalError', `the server answered ${res.statusCode ?? 0} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Sends a request and returns the body as text (logs). */
  async text(opts: RequestOptions): Promise<string> {
    const res = await this.send(opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 300) throw errorFromText(res.statusCode ?? 500, text);
    return text;
  }

  private send(opts: RequestOptions): Promise<IncomingMessage> {
    const path = this.url.pathname.replace(/\/$/, '') + opts.path + queryString(opts.query);
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string | number> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'minik8s-client/0.1' };
    if (this.conn.token) headers['Authorization'] = `Bearer ${this.conn.token}`;
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        { protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path, method: opts.method ?? 'GET', headers, agent: this.agent, ...(opts.signal ? { signal: opts.signal } : {}) },
        resolve,
      );
      req.on('error', (e) => reject(connectionError(e, this.conn.server)));
      if (opts.timeoutMs) {
        req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`request timed out after ${opts.timeoutMs ?? 0} ms`)));
      }
      req.end(body);
    });
  }
}

function queryString(q: RequestOptions['query']): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.append(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function errorFrom(res: IncomingMessage): Promise<ApiError> {
  return errorFromText(res.statusCode ?? 500, await readAll(res));
}

export function errorFromText(code: number, text: string): ApiError {
  try {
    const s = JSON.parse(text) as unknown;
    if (isObject(s) && s['kind'] === 'Status') return ApiError.fromStatus(s, code);
  } catch {
    // not a Status body
  }
  return new ApiError(reasonForCode(code), text.trim() || `the server responded with HTTP ${code}`, undefined, code);
}

/** No answer from the server at all: a ServiceUnavailable whose `cause` is the socket error (mkctl tells it apart by that). */
function connectionError(e: Error, server: string): Error {
  if (e.name === 'AbortError') return e;
  const code = (e as NodeJS.ErrnoException).code;
  const err =
    code === 'ECONNREFUSED'
      ? new ApiError('ServiceUnavailable', `the connection to the server ${server} was refused - did you specify the right host or port?`, undefined, 503)
      : new ApiError('ServiceUnavailable', `unable to reach the server ${server}: ${e.message}`, undefined, 503);
  err.cause = e;
  return err;
}
