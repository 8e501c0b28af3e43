// The proxy's loop: Service and EndpointSlice events only mark the state dirty; one sync at a time rebuilds the
// ruleset from the informers' caches (pure) and applies the difference (nft.ts). Events arriving during a sync
// fold into one more sync; a failed sync is retried after a second as a full one.

import type { KubeObject } from '../api/meta.js';
import type { EndpointSlice, Service } from '../api/services.js';
import type { SharedInformer, SharedInformerFactory } from '../machinery/informer.js';
import type { Logger } from '../util/logger.js';
import { servicePorts } from './model.js';
import { Applier, deleteTable, type ApplyResult, type PacketFilter } from './nft.js';
import { ensureHairpin, ensureServiceRoute, removeServiceRoute } from './route.js';
import { buildRuleset, FragmentCache, TABLE } from './ruleset.js';

export interface ProxierOptions {
  informers: SharedInformerFactory;
  filter: PacketFilter;
  /** Pod addresses (--cluster-cidr): cluster-IP traffic from elsewhere is masqueraded. */
  clusterCidr: string;
  /** The Service range (--service-cidr), routed on nodes without a default route. */
  serviceCidr: string;
  table?: string;
  logger: Logger;
  /** Turn hairpin on for the pod bridges' ports (default true). */
  hairpin?: boolean;
  /** After each sync that reached the kernel. */
  onSync?: (r: ApplyResult & { servicePorts: number }) => void;
}

export interface RunningProxier {
  /** Stops syncing; with `cleanup`, removes the table and the service route this proxier added. */
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

export function startProxier(opts: ProxierOptions): RunningProxier {
  const table = opts.table ?? TABLE;
  const services = opts.informers.informerFor<Service>('services');
  const slices = opts.informers.informerFor<EndpointSlice>('endpointslices.discovery.k8s.io');
  const applier = new Applier(opts.filter);
  const cache = new FragmentCache();
  const abort = new AbortController();
  let dirty = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let routed = false;
  let addedRoute = false;
  let forceFull = false;
  /** A retry the running sync asked for (ms), scheduled once it has finished. */
  let retryMs: number | undefined;

  const sync = async (): Promise<void> => {
    dirty = false;
    const ports = servicePorts(services.store.list(), slices.store.list());
    const rs = buildRuleset(ports, { clusterCidr: opts.clusterCidr, table }, cache);
    const result = await applier.apply(rs, { forceFull });
    forceFull = false;
    if (result.lines > 0) opts.onSync?.({ ...result, servicePorts: ports.length });
    // Endpoints changed, so pods may have joined the bridge since the last sync.
    if (result.lines > 0 && opts.hairpin !== false) await ensureHairpin(opts.filter, opts.clusterCidr);
    if (!routed) {
      const r = await ensureServiceRoute(opts.filter, { serviceCidr: opts.serviceCidr, clusterCidr: opts.clusterCidr });
      routed = r !== 'no-device';
      addedRoute ||= r === 'added';
      if (!routed) retryMs = 2000; // the pod bridge is not up yet
    }
  };

  const kick = (): void => {
    timer = undefined;
    if (running || abort.signal.aborted) return;
    running = sync()
      .catch((e: unknown) => {
        forceFull = true;
        opts.logger.error('proxy: sync failed, retrying with a full sync', { error: e instanceof Error ? e.message : String(e) });
        retryMs = 1000;
      })
      .finally(() => {
        running = undefined;
        const wait = retryMs;
        retryMs = undefined;
        if (dirty) schedule(0);
        else if (wait !== undefined) schedule(wait);
      });
  };

  function schedule(ms: number): void {
    dirty = true;
    if (abort.signal.aborted || running) return;
    if (timer && ms > 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(kick, ms);
  }

  const waitFor = [services, slices] as unknown as SharedInformer<KubeObject>[];
  let synced = false;
  const onEvent = (): void => {
    if (synced) schedule(0);
  };
  const offs = [services.addHandler(onEvent), slices.addHandler(onEvent)];
  void Promise.all(waitFor.map((i) => i.waitForSync(abort.signal))).then(
    () => {
      synced = true;
      schedule(0);
    },
    () => undefined,
  );

  return {
    stop: async (o = {}) => {
      abort.abort(new Error('proxy stopped'));
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
      await running;
      if (o.cleanup) {
        await deleteTable(opts.filter, table);
        if (addedRoute) await removeServiceRoute(opts.filter, opts.serviceCidr);
      }
    },
  };
}
