// `minik8s scheduler`: the scheduler alone, against the API server in a kubeconfig. `startScheduler` is the same
// component for `minik8s server` to embed; it talks to the API only through the client it is given.

import { parseArgs } from 'node:util';
import { resolveResource } from '../api/scheme.js';
import { Client } from '../client/client.js';
import { newEventRecorder } from '../client/events.js';
import { SharedInformerFactory } from '../machinery/informer.js';
import { clientBinder } from '../scheduler/binder.js';
import { DEFAULT_POLICY, isPolicyName, POLICIES, type PolicyName } from '../scheduler/registry.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { Node, Pod } from '../scheduler/types.js';
import { realClock, type Clock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { stopOnSignals } from './apiserver.js';

export interface StartSchedulerOptions {
  client: Client;
  policy?: PolicyName;
  clock?: Clock;
  logger?: Logger;
  /**
   * The process's shared informers, when embedded next to other components (one informer per kind per process).
   * The scheduler asks it for 'pods' (all namespaces) and 'nodes'; the caller calls `factory.start()` after this
   * (informers created since the last start begin then) and stops it. Without one, the scheduler owns its own.
   */
  informers?: SharedInformerFactory;
}

export interface RunningScheduler {
  /** Resolves once the pod and node caches have synced and scheduling has begun. */
  ready: Promise<void>;
  /** Stop scheduling; resolves once in-flight bindings and queued events have been written. */
  stop(): Promise<void>;
}

export function startScheduler(opts: StartSchedulerOptions): RunningScheduler {
  const clock = opts.clock ?? realClock;
  const logger = opts.logger ?? consoleLogger;
  const client = opts.client;
  const owned = !opts.informers;
  const factory =
    opts.informers ??
    new SharedInformerFactory(
      (resource) => {
        const rt = resolveResource(resource);
        if (!rt) throw new Error(`scheduler: unknown resource ${resource}`);
        return client.resource(rt).listWatcher();
      },
      { clock, logger },
    );
  const pods = factory.informerFor<Pod>('pods');
  const nodes = factory.informerFor<Node>('nodes');
  const recorder = newEventRecorder({ client, component: 'default-scheduler', clock, logger });
  const scheduler = new Scheduler({ pods, nodes, binder: clientBinder(client), recorder, policy: POLICIES[opts.policy ?? DEFAULT_POLICY], clock, logger });
  const abort = new AbortController();
  if (owned) factory.start();
  const running = scheduler.run(abort.signal).catch((e: unknown) => logger.error('scheduler stopped', { error: e instanceof Error ? e.message : String(e) }));
  const ready = Promise.all([pods.waitForSync(abort.signal), nodes.waitForSync(abort.signal)]).then(() => undefined);
  ready.catch(() => undefined); // a stop before sync is not an error for anyone who never awaited `ready`
  return {
    ready,
    stop: async () => {
      abort.abort(new Error('scheduler stopped'));
      await running;
      if (owned) await factory.stop();
      await recorder.flush();
    },
  };
}

const FLAGS = {
  kubeconfig: { type: 'string' },
  policy: { type: 'string', default: DEFAULT_POLICY },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: minik8s scheduler [flags]

Flags:
  --kubeconfig PATH       the API server and credentials (default $KUBECONFIG, ~/.kube/config, /var/lib/minik8s/admin.kubeconfig)
  --policy NAME           ${Object.keys(POLICIES).join(' | ')} (default ${DEFAULT_POLICY})
`;

export async function runScheduler(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const policy = values.policy;
  if (!isPolicyName(policy)) throw new Error(`--policy ${policy}: not one of ${Object.keys(POLICIES).join(', ')}`);
  const client = Client.fromKubeconfig(values.kubeconfig ? { path: values.kubeconfig } : {});
  const running = startScheduler({ client, policy });
  stopOnSignals(async () => {
    await running.stop();
    client.close();
  });
  await running.ready;
  consoleLogger.info('scheduler running', { policy, server: client.rest.conn.server });
}
