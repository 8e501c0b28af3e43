// Every controller the controller manager can run, by the name `--controllers` uses. A literal table: adding a
// controller is one line here.

import { startDeploymentController } from './deployment/controller.js';
import { startEndpointsController } from './endpoints/controller.js';
import { startGarbageCollector } from './garbagecollector/controller.js';
import { startJobController } from './job/controller.js';
import { startNamespaceController } from './namespace/controller.js';
import { startNodeLifecycleController } from './nodelifecycle/controller.js';
import { startNodeIpamController } from './nodeipam/controller.js';
import { startReplicaSetController } from './replicaset/controller.js';
import type { ControllerStarter } from './types.js';

export const CONTROLLERS: Record<string, ControllerStarter> = {
  endpoints: startEndpointsController,
  replicaset: startReplicaSetController,
  garbagecollector: startGarbageCollector,
  namespace: startNamespaceController,
  deployment: startDeploymentController,
  job: startJobController,
  nodelifecycle: startNodeLifecycleController,
  nodeipam: startNodeIpamController,
};

/** Resolve a `--controllers` value: `*` (all), names, and `-name` to leave one out, as kube-controller-manager. */
export function selectControllers(spec: string): string[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const all = Object.keys(CONTROLLERS);
  const chosen = new Set<string>();
  for (const p of parts) {
    if (p === '*') all.forEach((n) => chosen.add(n));
    else if (p.startsWith('-')) {
      if (!CONTROLLERS[p.slice(1)]) throw new Error(`--controllers: unknown controller ${p.slice(1)} (known: ${all.join(', ')})`);
    } else if (!CONTROLLERS[p]) throw new Error(`--controllers: unknown controller ${p} (known: ${all.join(', ')})`);
    else chosen.add(p);
  }
  for (const p of parts) if (p.startsWith('-')) chosen.delete(p.slice(1));
  return all.filter((n) => chosen.has(n));
}
