// `minik8s controller-manager`: the controllers alone, against the API server in a kubeconfig. `minik8s server`
// embeds the same component with CONTROLLER_MANAGER_FLAGS and startControllers.

import { parseArgs } from 'node:util';
import { parseDurationMs } from '../api/duration.js';
import { resolveResource } from '../api/scheme.js';
import { Client } from '../client/client.js';
import { startControllerManager, type RunningControllerManager } from '../controllers/manager.js';
import { CONTROLLERS, selectControllers } from '../controllers/registry.js';
import { DEFAULT_CONTROLLER_SETTINGS, type ControllerSettings } from '../controllers/types.js';
import { SharedInformerFactory } from '../machinery/informer.js';
import { realClock, type Clock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { stopOnSignals } from './apiserver.js';

/** Controller flags; `minik8s server` accepts these too. */
export const CONTROLLER_MANAGER_FLAGS = {
  controllers: { type: 'string', default: '*' },
  'node-monitor-grace-period': { type: 'string', default: '40s' },
  'node-monitor-period': { type: 'string', default: '5s' },
  'concurrent-syncs': { type: 'string', default: '5' },
  'cluster-cidr': { type: 'string', default: '10.244.0.0/16' },
  'node-cidr-mask-size': { type: 'string', default: '24' },
} as const;

export const CONTROLLER_MANAGER_HELP = `  --controllers LIST        controllers to run: * (all), names, -name to leave one out (default *)
                            known: ${Object.keys(CONTROLLERS).join(', ')}
  --node-monitor-grace-period D   a node silent this long becomes NotReady (default 40s)
  --node-monitor-period D   how often node health is checked (default 5s)
  --concurrent-syncs N      parallel syncs per controller (default 5)
  --cluster-cidr CIDR       the range Nodes get pod CIDRs from (nodeipam; default 10.244.0.0/16)
  --node-cidr-mask-size N   prefix length of each Node's pod CIDR (default 24)
`;

export interface ControllerManagerFlags {
  controllers?: string | undefined;
  'node-monitor-grace-period'?: string | undefined;
  'node-monitor-period'?: string | undefined;
  'concurrent-syncs'?: string | undefined;
  'cluster-cidr'?: string | undefined;
  'node-cidr-mask-size'?: string | undefined;
}

function nonNegativeInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} ${value}: expected a whole number`);
  return n;
}

export function settingsFromFlags(flags: ControllerManagerFlags): ControllerSettings {
  const d = DEFAULT_CONTROLLER_SETTINGS;
  const syncs = flags['concurrent-syncs'] ? nonNegativeInt('concurrent-syncs', flags['concurrent-syncs']) : d.concurrentSyncs;
  if (syncs < 1) throw new Error('--concurrent-syncs must be at least 1');
  return {
    nodeMonitorGracePeriodMs: flags['node-monitor-grace-period'] ? parseDurationMs(flags['node-monitor-grace-period']) : d.nodeMonitorGracePeriodMs,
    nodeMonitorPeriodMs: flags['node-monitor-period'] ? parseDurationMs(flags['node-monitor-period']) : d.nodeMonitorPeriodMs,
    concurrentSyncs: syncs,
    clusterCIDR: flags['cluster-cidr'] ?? d.clusterCIDR,
    nodeCIDRMaskSize: flags['node-cidr-mask-size'] ? nonNegativeInt('node-cidr-mask-size', flags['node-cidr-mask-size']) : d.nodeCIDRMaskSize,
  };
}

/** Start the controllers the flags choose on `informers` (the caller starts and stops the factory). */
export function startControllers(
  flags: ControllerManagerFlags,
  deps: { client: Client; informers: SharedInformerFactory; clock?: Clock; logger?: Logger },
): RunningControllerManager {
  return startControllerManager({
    client: deps.client,
    informers: deps.informers,
    clock: deps.clock ?? realClock,
    logger: deps.logger ?? consoleLogger,
    settings: settingsFromFlags(flags),
    controllers: selectControllers(flags.controllers ?? '*'),
  });
}

const FLAGS = {
  ...CONTROLLER_MANAGER_FLAGS,
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runControllerManager(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(
      `Usage: minik8s controller-manager [flags]\n\nFlags:\n  --kubeconfig PATH         the API server and credentials (default $KUBECONFIG, ~/.kube/config, /var/lib/minik8s/admin.kubeconfig)\n${CONTROLLER_MANAGER_HELP}`,
    );
    return;
  }
  const client = Client.fromKubeconfig(values.kubeconfig ? { path: values.kubeconfig } : {});
  const logger = consoleLogger;
  const informers = new SharedInformerFactory(
    (resource) => {
      const rt = resolveResource(resource);
      if (!rt) throw new Error(`unknown resource ${resource}`);
      return client.resource(rt).listWatcher();
    },
    { clock: realClock, logger },
  );
  const running = startControllers(values, { client, informers, logger });
  informers.start();
  await informers.waitForSync();
  stopOnSignals(async () => {
    await running.stop();
    await informers.stop();
    client.close();
  });
  logger.info('controller manager running', { controllers: running.controllers, server: client.rest.conn.server });
}
