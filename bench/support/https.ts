// A bare HTTPS client for the measurements the typed client is not shaped for: lists timed to the
// last byte without parsing, and a thousand concurrent watch streams (the typed client's agent
// holds 64 sockets). Same CA and bearer token as the admin kubeconfig.

import { Agent, request } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Connection } from '../../src/client/kubeconfig.js';

export interface Timed {
  status: number;
  body: Buffer;
  /** Milliseconds from sending the request to receiving the response headers. */
  headersMs: number;
  /** Milliseconds from sending the request to receiving the last byte of the body. */
  ms: number;
}

export interface Stream {
  close(): void;
}

export class RawHttps {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    private readonly conn: Connection,
    opts: { maxSockets: number },
  ) {
    this.url = new URL(conn.server);
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, ...(conn.ca ? { ca: conn.ca } : {}) });
  }

  close(): void {
    this.agent.destroy();
  }

  get(path: string, accept = 'application/json'): Promise<Timed> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = this.send(path, accept, (res) => {
        const headersMs = performance.now() - t0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headersMs, ms: performance.now() - t0 }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Opens a streaming GET and resolves once its 200 headers arrive; `onData` gets each chunk of
   * text with the time (performance.now()) it was handed to JavaScript, before any parsing.
   */
  stream(path: string, onData: (text: string, at: number) => void, onEnd: (err?: Error) => void): Promise<Stream> {
    return new Promise((resolve, reject) => {
      let opened = false;
      const req = this.send(path, 'application/json', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${path}: HTTP ${String(res.statusCode)}`));
          return;
        }
        opened = true;
        res.setEncoding('utf8');
        res.on('data', (text: string) => onData(text, performance.now()));
        res.on('end', () => onEnd());
        res.on('error', (e) => onEnd(e));
        resolve({ close: () => req.destroy() });
      });
      req.on('error', (e) => (opened ? onEnd(e) : reject(e)));
      req.end();
    });
  }

  private send(path: string, accept: string, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'minik8s-bench/0.1' };
    if (this.conn.token) headers['Authorization'] = `Bearer ${this.conn.token}`;
    return request({ hostname: this.url.hostname, port: this.url.port, path, method: 'GET', headers, agent: this.agent }, onResponse);
  }
}
