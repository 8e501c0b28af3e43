// What every controller gets and gives back. A controller is started with the process's shared informers and a
// client, registers its handlers (which only enqueue keys), and runs sync(key) workers until stopped.

import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { SharedInformerFactory } from '../machinery/informer.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** Settings shared by the controllers; `minik8s controller-manager` (and `minik8s server`) take them as flags. */
export interface ControllerSettings {
  /** How long a node may miss heartbeats before it is marked NotReady (--node-monitor-grace-period, default 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked (--node-monitor-period, default 5 s). */
  nodeMonitorPeriodMs: number;
  /** Parallel syncs per controller (--concurrent-syncs, default 5). */
  concurrentSyncs: number;
  /** The range nodeipam gives each Node a pod CIDR from (--cluster-cidr, default 10.244.0.0/16). */
  clusterCIDR: string;
  /** The prefix length of each Node's pod CIDR (--node-cidr-mask-size, default 24). */
  nodeCIDRMaskSize: number;
}

export const DEFAULT_CONTROLLER_SETTINGS: ControllerSettings = {
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  concurrentSyncs: 5,
  clusterCIDR: '10.244.0.0/16',
  nodeCIDRMaskSize: 24,
};

export interface ControllerContext {
  client: Client;
  /** The process's shared informers: ask for what you need in start(); the manager starts the factory after. */
  informers: SharedInformerFactory;
  clock: Clock;
  logger: Logger;
  /** An event recorder reporting as `component` (e.g. 'replicaset-controller'). */
  recorder(component: string): EventRecorder;
  settings: ControllerSettings;
}

export interface RunningController {
  /** Stop: no new syncs start; resolves once in-flight syncs (and queued events) are done. */
  stop(): Promise<void>;
}

/** Starts one controller. Called before the informer factory starts, so handlers see every initial add. */
export type ControllerStarter = (ctx: ControllerContext) => RunningController;
