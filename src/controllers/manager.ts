// The controller manager: starts the chosen controllers over one shared informer factory and stops them together.

import type { Client } from '../client/client.js';
import { newEventRecorder, type EventRecorder } from '../client/events.js';
import type { SharedInformerFactory } from '../machinery/informer.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { CONTROLLERS } from './registry.js';
import type { ControllerSettings, RunningController } from './types.js';

export interface StartControllerManagerOptions {
  client: Client;
  informers: SharedInformerFactory;
  clock: Clock;
  logger: Logger;
  settings: ControllerSettings;
  /** Names from CONTROLLERS (see selectControllers). */
  controllers: string[];
}

export interface RunningControllerManager {
  controllers: string[];
  stop(): Promise<void>;
}

/** Start the controllers. The caller starts the informer factory afterwards (and stops it after stop()). */
export function startControllerManager(opts: StartControllerManagerOptions): RunningControllerManager {
  const recorders: EventRecorder[] = [];
  const ctx = {
    client: opts.client,
    informers: opts.informers,
    clock: opts.clock,
    logger: opts.logger,
    settings: opts.settings,
    recorder: (component: string): EventRecorder => {
      const r = newEventRecorder({ client: opts.client, component, clock: opts.clock, logger: opts.logger });
      recorders.push(r);
      return r;
    },
  };
  const running: RunningController[] = [];
  for (const name of opts.controllers) {
    const start = CONTROLLERS[name];
    if (!start) throw new Error(`unknown controller ${name}`);
    running.push(start(ctx));
  }
  return {
    controllers: opts.controllers,
    stop: async () => {
      await Promise.all(running.map((c) => c.stop()));
      await Promise.all(recorders.map((r) => r.flush()));
    },
  };
}
