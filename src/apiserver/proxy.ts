// pods/log and pods/exec: the API server looks the pod up, picks the container, finds the node
// agent's kubelet API (the Node's InternalIP and status.daemonEndpoints.kubeletEndpoint.Port),
// and relays. The agent serves a self-signed certificate (not verified here) and accepts the
// node token as its bearer token.
//
//   kubectl logs ──GET pods/P/log──▶ podLog ──GET /containerLogs/NS/P/C──▶ agent   (text streamed back)
//   kubectl exec ──WS pods/P/exec──▶ ExecProxy ──WS /exec/NS/P/C────────▶ agent   (binary frames both ways)
//
// Errors before an exec upgrade (authentication, a protocol nobody speaks) are plain HTTP
// responses; everything after the 101 (no such container, pod not bound, agent unreachable)
// reaches the client as a Failure Status on channel 3 followed by a normal close, which kubectl
// prints as the error.

import { request as httpsRequest } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ApiError, isApiError } from '../api/errors.js';
import { isObject, type KubeObject, type Status } from '../api/meta.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import { intQuery } from './http.js';
import type { HandlerContext } from './handlers.js';
import type { ResourceRoute } from './routes.js';
import { parseRoute } from './routes.js';
import { CHANNEL, PROTOCOLS, pickProtocol, refuseUpgrade } from '../api/remotecommand.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const NODES = lookupResource('', 'v1', 'nodes') as ResourceType;

/** Subprotocols we relay, in order of preference (v5 adds the stdin CLOSE signal). */
/** Relay flow control: stop reading a side when the other side has this much unsent. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

export interface ProxyTarget {
  pod: string;
  namespace: string;
  container: string;
  node: string;
  /** https://HOST:PORT of the node's kubelet API. */
  base: string;
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((c) => (isObject(c) && typeof c['name'] === 'string' ? c['name'] : '')).filter((n) => n !== '');
}

/** The container a request means: the named one, the annotated default, or the only one. */
export function chooseContainer(pod: KubeObject, requested: string | undefined): string {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const containers = names(spec['containers']);
  const inits = names(spec['initContainers']);
  const name = pod.metadata.name ?? '';
  if (requested) {
    if ([...containers, ...inits, ...names(spec['ephemeralContainers'])].includes(requested)) return requested;
    throw new ApiError('BadRequest', `container ${requested} is not valid for pod ${name}`);
  }
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 1 && containers[0] !== undefined) return containers[0];
  const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
  throw new ApiError('BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
}

function nodeAddress(node: KubeObject): { host: string; port: number } | undefined {
  const status = isObject(node.status) ? node.status : {};
  const addresses = Array.isArray(status['addresses']) ? status['addresses'].filter(isObject) : [];
  const byType = (t: string): string | undefined => {
    const a = addresses.find((x) => x['type'] === t && typeof x['address'] === 'string' && x['address'] !== '');
    return a ? (a['address'] as string) : undefined;
  };
  const host = byType('InternalIP') ?? byType('ExternalIP') ?? byType('Hostname');
  const endpoints = isObject(status['daemonEndpoints']) ? status['daemonEndpoints'] : {};
  const kubelet = isObject(endpoints['kubeletEndpoint']) ? endpoints['kubeletEndpoint'] : {};
  const port = kubelet['Port'];
  if (!host || typeof port !== 'number' || port <= 0) return undefined;
  return { host, port };
}

/** Looks the pod and its node up; an ApiError (400/404/503) when the request cannot go anywhere. */
export async function resolveTarget(ctx: HandlerContext, ref: { namespace: string; pod: string; container: string | undefined }): Promise<ProxyTarget> {
  const pod = await ctx.registry.get(PODS, ref.namespace, ref.pod);
  const container = chooseContainer(pod, ref.container);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const nodeName = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
  if (!nodeName) throw new ApiError('BadRequest', `pod ${ref.pod} does not have a host assigned`);
  let node: KubeObject;
  try {
    node = await ctx.registry.get(NODES, undefined, nodeName);
  } catch (e) {
    if (isApiError(e, 'NotFound')) throw new ApiError('ServiceUnavailable', `pod ${ref.pod} is bound to node "${nodeName}", which does not exist`);
    throw e;
  }
  const addr = nodeAddress(node);
  if (!addr) throw new ApiError('ServiceUnavailable', `node "${nodeName}" does not report an address and kubelet port (status.addresses, status.daemonEndpoints.kubeletEndpoint.Port) for its agent`);
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return { pod: ref.pod, namespace: ref.namespace, container, node: nodeName, base: `https://${host}:${addr.port}` };
}

function agentPath(kind: 'containerLogs' | 'exec', t: ProxyTarget, query: URLSearchParams): string {
  const q = query.toString();
  return `/${kind}/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.pod)}/${encodeURIComponent(t.container)}${q ? `?${q}` : ''}`;
}

function unreachable(t: ProxyTarget, e: Error): ApiError {
  return new ApiError('ServiceUnavailable', `unable to reach the node agent of node "${t.node}" at ${t.base}: ${e.message}`);
}

/** Maps an agent's error response to what our client sees. */
function agentError(t: ProxyTarget, code: number, body: string): ApiError {
  if (code === 401) return new ApiError('InternalError', `the node agent of node "${t.node}" refused the API server's node token`);
  try {
    const s = JSON.parse(body) as Partial<Status>;
    if (s.kind === 'Status') return ApiError.fromStatus(s, code);
  } catch {
    // not a Status: fall through
  }
  return new ApiError('InternalError', `the node agent of node "${t.node}" answered ${code} ${STATUS_CODES[code] ?? ''}: ${body.slice(0, 200)}`);
}

function logQuery(q: URLSearchParams, now: number): URLSearchParams {
  const out = new URLSearchParams();
  for (const f of ['follow', 'previous', 'timestamps']) if (q.get(f) === 'true' || q.get(f) === '1') out.set(f, 'true');
  for (const n of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = intQuery(q, n);
    if (v !== undefined) out.set(n, String(v));
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (out.has('sinceSeconds')) throw new ApiError('BadRequest', 'at most one of `sinceTime` or `sinceSeconds` may be specified');
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new ApiError('BadRequest', `invalid value for sinceTime: ${JSON.stringify(sinceTime)}: must be an RFC 3339 time`);
    out.set('sinceSeconds', String(Math.max(1, Math.ceil((now - t) / 1000))));
  }
  return out;
}

/** GET pods/NAME/log: streams the agent's text through (chunked, ends when the agent ends it). */
export async function podLog(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams, ctx: HandlerContext): Promise<void> {
  if (req.method !== 'GET') throw new ApiError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const query = logQuery(q, ctx.now());
  const target = await resolveTarget(ctx, { namespace: route.namespace ?? '', pod: route.name ?? '', container: q.get('container') ?? undefined });
  await new Promise<void>((resolve, reject) => {
    const upstream = httpsRequest(
      `${target.base}${agentPath('containerLogs', target, query)}`,
      { method: 'GET', rejectUnauthorized: false, agent: false, headers: { Authorization: `Bearer ${ctx.nodeToken ?? ''}` } },
      (agentRes) => {
        const code = agentRes.statusCode ?? 502;
        if (code !== 200) {
          let body = '';
          agentRes.setEncoding('utf8').on('data', (c: string) => (body += body.length > 65536 ? '' : c));
          agentRes.on('end', () => reject(agentError(target, code, body)));
          agentRes.on('error', (e) => reject(unreachable(target, e)));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.flushHeaders();
        agentRes.pipe(res);
        agentRes.on('end', () => resolve());
        // A broken agent stream after the headers went out can only end the response abruptly.
        agentRes.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) return reject(unreachable(target, e));
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.end();
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refuse(socket: Duplex, e: ApiError): void {
  refuseUpgrade(socket, e.toStatus());
}

/** Sends `s` on the error channel, then closes normally: how a stream reports failure after the 101. */
function failAndClose(ws: WebSocket, s: Status): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(Buffer.concat([Buffer.from([CHANNEL.error]), Buffer.from(JSON.stringify(s))]), { binary: true });
  ws.close(1000);
}

/** Sends `data` from one side to the other, pausing the source while the destination is backed up. */
function forward(from: WebSocket, to: WebSocket, data: Buffer): void {
  to.send(data, { binary: true }, () => {
    if (from.isPaused && to.bufferedAmount < LOW_WATER) from.resume();
  });
  if (to.bufferedAmount > HIGH_WATER) from.pause();
}

/** WebSocket routes of the API server (pods/exec); one per ApiServer. */
export class ExecProxy {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });
  private readonly agents = new Set<WebSocket>();

  constructor(private readonly ctx: HandlerContext) {}

  /** The https server's `upgrade` listener, after authentication (`authenticated` false: 401). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, authenticated: boolean): void {
    if (!authenticated) return refuse(socket, new ApiError('Unauthorized', 'Unauthorized'));
    const url = new URL(req.url ?? '/', 'https://localhost');
    const route = parseRoute(url.pathname.replace(/\/+$/, ''));
    if (route.type !== 'resource' || route.route.rt !== PODS || route.route.name === undefined || route.route.namespace === undefined || route.route.subresource !== 'exec') {
      return refuse(socket, new ApiError('NotFound', 'the server could not find the requested resource (only pods/exec is served over an upgraded connection)'));
    }
    const ref = { namespace: route.route.namespace, pod: route.route.name, container: url.searchParams.get('container') ?? undefined };
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      // kubectl falls back to SPDY when the WebSocket upgrade fails; it then shows this answer.
      resolveTarget(this.ctx, ref).then(
        () => refuse(socket, new ApiError('BadRequest', `${req.headers.upgrade ?? 'this'} upgrade is not supported: exec speaks WebSocket (v5.channel.k8s.io; kubectl 1.30 or later)`)),
        (e: unknown) => refuse(socket, isApiError(e) ? e : new ApiError('InternalError', String(e))),
      );
      return;
    }
    const protocol = pickProtocol(req.headers['sec-websocket-protocol']);
    if (!protocol) return refuse(socket, new ApiError('BadRequest', `none of the offered subprotocols (${req.headers['sec-websocket-protocol'] ?? 'none'}) is supported: use ${PROTOCOLS.join(' or ')}`));
    this.wss.handleUpgrade(req, socket, head, (client) => this.relay(client, protocol, ref, url.searchParams));
  }

  /** Ends every relayed session (the API server is stopping). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    for (const ws of this.agents) ws.terminate();
  }

  private relay(client: WebSocket, protocol: string, ref: { namespace: string; pod: string; container: string | undefined }, q: URLSearchParams): void {
    // Frames sent before the agent answers (kubectl's first resize, early stdin) wait here.
    const early: Buffer[] = [];
    let agent: WebSocket | undefined;
    let clientGone = false;
    client.on('message', (data) => {
      const buf = toBuffer(data);
      if (agent?.readyState === WebSocket.OPEN) forward(client, agent, buf);
      else early.push(buf);
    });
    client.on('error', () => undefined);
    client.on('close', () => {
      clientGone = true;
      if (agent && agent.readyState !== WebSocket.CLOSED) agent.close(1000);
    });

    const query = new URLSearchParams();
    for (const c of q.getAll('command')) query.append('command', c);
    for (const f of ['stdin', 'stdout', 'stderr', 'tty']) if (q.get(f) === 'true' || q.get(f) === '1') query.set(f, 'true');

    resolveTarget(this.ctx, ref).then(
      (target) => {
        if (clientGone) return;
        const url = `${target.base.replace(/^https:/, 'wss:')}${agentPath('exec', target, query)}`;
        const upstream = new WebSocket(url, [protocol], { rejectUnauthorized: false, perMessageDeflate: false, headers: { Authorization: `Bearer ${this.ctx.nodeToken ?? ''}` } });
        agent = upstream;
        this.agents.add(upstream);
        let sawStatus = false;
        let failed = false;
        upstream.on('open', () => {
          for (const buf of early.splice(0)) forward(client, upstream, buf);
        });
        upstream.on('message', (data) => {
          const buf = toBuffer(data);
          if (buf[0] === CHANNEL.error) sawStatus = true;
          if (client.readyState === WebSocket.OPEN) forward(upstream, client, buf);
        });
        upstream.on('unexpected-response', (_req, res) => {
          failed = true;
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += body.length > 65536 ? '' : c));
          res.on('end', () => {
            failAndClose(client, agentError(target, res.statusCode ?? 502, body).toStatus());
            upstream.terminate();
          });
          res.on('error', (e) => failAndClose(client, unreachable(target, e).toStatus()));
        });
        upstream.on('error', (e) => {
          if (failed) return;
          failed = true;
          failAndClose(client, unreachable(target, e).toStatus());
        });
        upstream.on('close', (code) => {
          this.agents.delete(upstream);
          if (failed || client.readyState !== WebSocket.OPEN) return;
          // An agent that dies mid-stream must not look like a clean exit (no status = success to client-go).
          if (!sawStatus) failAndClose(client, new ApiError('InternalError', `the node agent of node "${target.node}" closed the stream (code ${code}) without an exit status`).toStatus());
          else client.close(1000);
        });
      },
      (e: unknown) => failAndClose(client, (isApiError(e) ? e : new ApiError('InternalError', String(e))).toStatus()),
    );
  }
}
