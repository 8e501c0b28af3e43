// A harness for controllers' sync tests: an in-process API server for the writes, shared informers over it (on
// the real clock, so watches behave), and a ControllerContext whose clock is a FakeClock the test moves.

import type { KubeObject } from '../../src/api/meta.js';
import { resolveResource } from '../../src/api/scheme.js';
import { newEventRecorder, type EventRecorder } from '../../src/client/events.js';
import { DEFAULT_CONTROLLER_SETTINGS, type ControllerContext, type ControllerSettings } from '../../src/controllers/types.js';
import { SharedInformerFactory, type SharedInformer } from '../../src/machinery/informer.js';
import { FakeClock, realClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer } from './apiserver.js';
import { until } from './until.js';

export interface ControllerHarness {
  server: TestServer;
  clock: FakeClock;
  ctx: ControllerContext;
  informers: SharedInformerFactory;
  /** Start the informers (after the controller asked for its own) and wait for their first lists. */
  startInformers(): Promise<void>;
  /** Wait until `informer` holds `key` and `check` holds for it (or, with check returning true for undefined, lacks it). */
  cached<T extends KubeObject>(informer: SharedInformer<T>, key: string, check?: (obj: T | undefined) => boolean): Promise<T | undefined>;
  /** Wait until every event recorded so far is written. */
  flushEvents(): Promise<void>;
  stop(): Promise<void>;
}

export async function startControllerHarness(opts: { settings?: Partial<ControllerSettings>; start?: number } = {}): Promise<ControllerHarness> {
  const server = await startTestServer();
  const clock = new FakeClock(opts.start ?? Math.floor(Date.now() / 1000) * 1000);
  const informers = new SharedInformerFactory(
    (resource) => {
      const rt = resolveResource(resource);
      if (!rt) throw new Error(`unknown resource ${resource}`);
      return server.client.resource(rt).listWatcher();
    },
    { clock: realClock, logger: silentLogger, freeze: 'deep' },
  );
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client: server.client,
    informers,
    clock,
    logger: silentLogger,
    settings: { ...DEFAULT_CONTROLLER_SETTINGS, ...opts.settings },
    recorder: (component) => {
      const r = newEventRecorder({ client: server.client, component, clock, logger: silentLogger });
      recorders.push(r);
      return r;
    },
  };
  return {
    server,
    clock,
    ctx,
    informers,
    startInformers: async () => {
      informers.start();
      await informers.waitForSync();
    },
    cached: async <T extends KubeObject>(informer: SharedInformer<T>, key: string, check: (obj: T | undefined) => boolean = (o) => o !== undefined) => {
      return (
        await until(`informer cache to reach the expected state of ${key}`, () => {
          const obj = informer.store.get(key);
          return check(obj) ? { obj } : undefined;
        })
      ).obj;
    },
    flushEvents: async () => {
      await Promise.all(recorders.map((r) => r.flush()));
    },
    stop: async () => {
      await Promise.all(recorders.map((r) => r.flush()));
      await informers.stop();
      await server.stop();
    },
  };
}
