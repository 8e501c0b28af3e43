// The agent's "kubelet API": an HTTPS server the API server calls for pods/log and pods/exec.
//
//   GET /containerLogs/NS/POD/CONTAINER?follow=&tailLines=&sinceSeconds=&timestamps=&previous=&limitBytes=
//       → text/plain, chunked, ends when the container's log ends (streams/logs.ts)
//   GET /exec/NS/POD/CONTAINER?command=..&command=..&stdin=&stdout=&stderr=&tty=   (WebSocket upgrade,
//       v5.channel.k8s.io or v4.channel.k8s.io) → streams/exec.ts
//   GET /healthz (no token)
//
// Every other request needs `Authorization: Bearer <node token>`. Which runtime container a
// (namespace, pod, container) is, is the agent's knowledge: it comes in as `findContainer`.

import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { ApiError } from '../api/errors.js';
import { ensureSelfSignedCert } from '../apiserver/pki.js';
import type { Runtime } from './runtime/runtime.js';
import type { Logger } from '../util/logger.js';
import { parseExecQuery, runExecSession } from './streams/exec.js';
import { parseLogQuery, runtimeLogOptions, streamLog } from './streams/logs.js';
import { pickProtocol, refuseUpgrade } from '../api/remotecommand.js';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
  /** The previous (terminated) instance of the container, for `logs --previous`. */
  previous: boolean;
}

/** Resolves a pod's container to its runtime id; undefined when there is no such container (yet). */
export type FindContainer = (ref: ContainerRef) => Promise<{ id: string } | undefined>;

export interface KubeletServerOptions {
  port: number;
  /** Default 0.0.0.0. */
  bindAddress?: string;
  /** Serving certificate and key, or a directory where a self-signed pair is made (once) and kept. */
  tls: { cert: string; key: string } | { certDir: string };
  /** The node-join token: the only bearer token accepted. */
  token: string;
  runtime: Pick<Runtime, 'logs' | 'exec'>;
  findContainer: FindContainer;
  logger?: Logger;
}

const PATH = /^\/(containerLogs|exec)\/([^/]+)\/([^/]+)\/([^/]+)$/;

function parsePath(pathname: string): { kind: 'containerLogs' | 'exec'; ns: string; pod: string; container: string } | undefined {
  const m = PATH.exec(pathname);
  if (!m) return undefined;
  try {
    return { kind: m[1] as 'containerLogs' | 'exec', ns: decodeURIComponent(m[2] ?? ''), pod: decodeURIComponent(m[3] ?? ''), container: decodeURIComponent(m[4] ?? '') };
  } catch {
    return undefined;
  }
}

function sendStatus(res: ServerResponse, e: ApiError): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify(e.toStatus());
  res.writeHead(e.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function notFound(): ApiError {
  return new ApiError('NotFound', 'the server could not find the requested resource');
}

export class KubeletServer {
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => pickProtocol(offered) ?? false });
  private readonly token: Buffer;

  constructor(private readonly opts: KubeletServerOptions) {
    this.token = Buffer.from(opts.token);
  }

  async start(): Promise<{ port: number }> {
    const tls = 'certDir' in this.opts.tls ? ensureSelfSignedCert(this.opts.tls.certDir) : this.opts.tls;
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.requestTimeout = 0; // log streams are long-lived
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.bindAddress ?? '0.0.0.0', () => resolve());
    });
    return { port: (server.address() as AddressInfo).port };
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private authenticated(req: IncomingMessage): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const got = Buffer.from(m[1] ?? '');
    return got.length === this.token.length && timingSafeEqual(got, this.token);
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) return sendStatus(res, e);
    this.opts.logger?.error('kubelet API request failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    sendStatus(res, new ApiError('InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async container(ref: ContainerRef): Promise<string> {
    const found = await this.opts.findContainer(ref);
    if (found) return found.id;
    const what = ref.previous ? 'previous terminated container' : 'container';
    throw new ApiError('NotFound', `${what} "${ref.container}" in pod "${ref.pod}" not found`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (url.pathname === '/healthz') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    if (!this.authenticated(req)) throw new ApiError('Unauthorized', 'Unauthorized');
    const route = parsePath(url.pathname);
    if (!route) throw notFound();
    if (route.kind === 'exec') throw new ApiError('BadRequest', 'exec needs a WebSocket upgrade (v5.channel.k8s.io)');
    if (req.method !== 'GET') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const logReq = parseLogQuery(url.searchParams);
    const id = await this.container({ namespace: route.ns, pod: route.pod, container: route.container, previous: logReq.previous });
    const abort = new AbortController();
    const source = await this.opts.runtime.logs(id, runtimeLogOptions(logReq, abort.signal));
    await streamLog(res, source, { abort, limitBytes: logReq.limitBytes, logger: this.opts.logger });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const refuse = (e: ApiError): void => refuseUpgrade(socket, e.toStatus());
    if (!this.authenticated(req)) return refuse(new ApiError('Unauthorized', 'Unauthorized'));
    const route = parsePath(url.pathname);
    if (!route || route.kind !== 'exec') return refuse(notFound());
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(new ApiError('BadRequest', `unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: exec speaks WebSocket`));
    const protocol = pickProtocol(req.headers['sec-websocket-protocol']);
    if (!protocol) return refuse(new ApiError('BadRequest', 'none of the offered WebSocket subprotocols is supported: use v5.channel.k8s.io or v4.channel.k8s.io'));
    let request;
    try {
      request = parseExecQuery(url.searchParams);
    } catch (e) {
      return refuse(e instanceof ApiError ? e : new ApiError('BadRequest', String(e)));
    }
    const ref: ContainerRef = { namespace: route.ns, pod: route.pod, container: route.container, previous: false };
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      runExecSession(ws, {
        protocol,
        request,
        logger: this.opts.logger,
        open: async (io) => this.opts.runtime.exec(await this.container(ref), { command: request.command, tty: request.tty, ...io }),
      }).catch((e: unknown) => this.opts.logger?.error('exec session failed', { error: String(e) }));
    });
  }
}

/** Starts a kubelet API server; `stop()` closes it and every stream it serves. */
export async function startKubeletServer(opts: KubeletServerOptions): Promise<{ port: number; stop: () => Promise<void> }> {
  const server = new KubeletServer(opts);
  const { port } = await server.start();
  return { port, stop: () => server.stop() };
}
