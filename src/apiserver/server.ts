// The API server: HTTPS with bearer tokens, non-resource endpoints (version, health,
// discovery, OpenAPI), and resource routes handled generically over the scheme.

import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { Store } from '../storage/store.js';
import { realClock, type Clock } from '../util/clock.js';
import { WatchCache } from './cache.js';
import { Registry } from './registry.js';
import { handleResource, type HandlerContext } from './handlers.js';
import { ExecProxy } from './proxy.js';
import { sendError, sendJson } from './http.js';
import { parseRoute } from './routes.js';
import { aggregated, aggregatedVersionWanted, legacyApiVersions, legacyGroupList, resourceList } from './discovery.js';
import { openapiV3 } from './openapi.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Logger } from '../util/logger.js';
import { VERSION_INFO } from '../api/version.js';
import { ServiceAllocator } from './allocator/service.js';
import { objectKey } from './keys.js';
import { defaultAdvertiseAddress, ensureKubernetesService } from './allocator/kubernetes.js';

export { VERSION_INFO };

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export interface ApiServerOptions {
  store: Store;
  port: number;
  bindAddress: string;
  /** TLS material; absent only for in-process tests that want plain HTTP. */
  tls?: { cert: string; key: string };
  /** Bearer tokens accepted (admin, node join). Empty: no authentication (tests only). */
  tokens: string[];
  clock?: Clock;
  logger?: Logger;
  watchCacheCapacity?: number;
  bookmarkIntervalMs?: number;
  /** A watcher whose unsent output exceeds this is closed with 410 (default 16 MiB). */
  maxWatchBufferBytes?: number;
  /** Keep this many revisions of history; older ones are compacted periodically. */
  compactionRetain?: number;
  compactionIntervalMs?: number;
  /** Bearer token the node agents' kubelet API accepts (pods/log, pods/exec are relayed there). */
  nodeToken?: string;
  /** Cluster IPs come from here (--service-cidr, default 10.96.0.0/12). */
  serviceCidr?: string;
  /** Where other nodes and pods reach this server (--advertise-address): the `kubernetes` Service's endpoint. */
  advertiseAddress?: string;
}

export class ApiServer {
  private server: Server | undefined;
  private readonly cache: WatchCache;
  private readonly ctx: HandlerContext;
  private readonly tokens: Buffer[];
  private readonly execProxy: ExecProxy;
  private ready = false;
  private compactTimer: NodeJS.Timeout | undefined;
  readonly services: ServiceAllocator;

  constructor(private readonly opts: ApiServerOptions) {
    const clock = opts.clock ?? realClock;
    this.services = new ServiceAllocator(opts.store, opts.serviceCidr ? { serviceCidr: opts.serviceCidr } : {});
    this.cache = new WatchCache(opts.store, {
      capacity: opts.watchCacheCapacity ?? 20000,
      onError: (e) => opts.logger?.error('watch cache lost its store watch', { error: e.message }),
    });
    this.ctx = {
      store: opts.store,
      cache: this.cache,
      registry: new Registry(opts.store, clock, { services: this.services }),
      now: () => clock.now(),
      watchLimits: { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30000, maxBufferedBytes: opts.maxWatchBufferBytes ?? 16 * 1024 * 1024, maxTimeoutSeconds: 1800, now: () => clock.now() },
      nodeToken: opts.nodeToken,
    };
    this.tokens = opts.tokens.map((t) => Buffer.from(t));
    this.execProxy = new ExecProxy(this.ctx);
  }

  get registry(): Registry {
    return this.ctx.registry;
  }

  async start(): Promise<{ port: number }> {
    await this.cache.start();
    await this.bootstrap();
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    };
    this.server = this.opts.tls ? createHttpsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 65000;
    this.server.headersTimeout = 66000;
    this.server.requestTimeout = 0; // watches and log streams are long-lived
    // WebSocket routes (pods/exec) arrive as upgrades, not as requests.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.execProxy.upgrade(req, socket, head, this.authenticated(req)));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.opts.port, this.opts.bindAddress, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    const address = this.opts.advertiseAddress ?? defaultAdvertiseAddress();
    await ensureKubernetesService(this.ctx.registry, { clusterIP: this.services.address(1), address, port });
    this.ready = true;
    this.scheduleCompaction();
    return { port };
  }

  async stop(): Promise<void> {
    this.ready = false;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.cache.stop();
    this.execProxy.close();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async bootstrap(): Promise<void> {
    const svcType = lookupResource('', 'v1', 'services') as ResourceType;
    const freed = await this.services.repair((ns, name) => objectKey(svcType, ns, name));
    if (freed > 0) this.opts.logger?.info('freed service IPs and node ports no Service holds', { freed });
    const nsType = lookupResource('', 'v1', 'namespaces') as ResourceType;
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.ctx.registry.create(nsType, undefined, { metadata: { name } });
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
  }

  private scheduleCompaction(): void {
    const retain = this.opts.compactionRetain ?? 10000;
    const every = this.opts.compactionIntervalMs ?? 5 * 60 * 1000;
    const run = async (): Promise<void> => {
      const rev = await this.opts.store.currentRevision();
      if (rev - retain > (await this.opts.store.compactedRevision())) await this.opts.store.compact(rev - retain);
    };
    this.compactTimer = setTimeout(() => {
      run()
        .catch((e: unknown) => this.opts.logger?.error('compaction failed', { error: String(e) }))
        .finally(() => {
          if (this.ready) this.scheduleCompaction();
        });
    }, every);
    this.compactTimer.unref();
  }

  private authenticated(req: IncomingMessage): boolean {
    if (this.tokens.length === 0) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) return false;
    const got = Buffer.from(m[1] ?? '');
    return this.tokens.some((t) => t.length === got.length && timingSafeEqual(t, got));
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) return sendError(res, e);
    this.opts.logger?.error('request failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    sendError(res, new ApiError('InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (!PUBLIC_PATHS.has(path) && !this.authenticated(req)) {
      throw new ApiError('Unauthorized', 'Unauthorized');
    }
    switch (path) {
      case '/healthz':
      case '/livez':
        return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      case '/readyz':
        return void res.writeHead(this.ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(this.ready ? 'ok' : 'not ready');
      case '/version':
        return sendJson(res, 200, VERSION_INFO);
      case '/api':
      case '/apis':
        return this.discovery(req, res, path === '/api');
      case '/openapi/v3':
        return sendJson(res, 200, openapiV3().index);
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3().docs.get(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ApiError('NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, doc);
    }
    const route = parseRoute(path);
    switch (route.type) {
      case 'resource':
        return handleResource(req, res, url, route.route, this.ctx);
      case 'groupVersion': {
        const list = resourceList(route.group, route.version);
        if (!list) throw new ApiError('NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, list);
      }
      case 'unknownResource':
      case 'other':
        throw new ApiError('NotFound', 'the server could not find the requested resource');
    }
  }

  private discovery(req: IncomingMessage, res: ServerResponse, core: boolean): void {
    const want = aggregatedVersionWanted(req.headers.accept);
    if (want) {
      return sendJson(res, 200, aggregated(core, want), `application/json;g=apidiscovery.k8s.io;v=${want};as=APIGroupDiscoveryList`);
    }
    if (core) return sendJson(res, 200, legacyApiVersions(`${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`));
    sendJson(res, 200, legacyGroupList());
  }
}

