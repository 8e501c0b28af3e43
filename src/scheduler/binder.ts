// The scheduler's only writes, behind one narrow interface (Nomad's "plan" edge): bind a pod to a node, and set
// its PodScheduled condition. `clientBinder` is the real one over the API; tests record calls instead.

import type { KubeObject } from '../api/meta.js';
import { lookupResource, type ResourceType } from '../api/scheme.js';
import type { Client } from '../client/client.js';
import type { Pod, PodCondition } from './types.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;

export interface Binder {
  /** POST pods/NAME/binding. Rejects with reason Conflict if the pod is already bound, NotFound if it is gone. */
  bind(pod: Pod, node: string): Promise<void>;
  /** Merge one condition into the pod's status.conditions (by type), through the status subresource. */
  setCondition(pod: Pod, condition: PodCondition): Promise<void>;
}

export function clientBinder(client: Client): Binder {
  const pods = client.resource<Pod>(PODS);
  return {
    async bind(pod, node) {
      const { name, namespace, uid } = pod.metadata;
      const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name, ...(uid ? { uid } : {}) }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
      await client.rest.json<KubeObject>({ method: 'POST', path: pods.path(namespace, name, 'binding'), body });
    },
    async setCondition(pod, condition) {
      // Strategic merge patch: status.conditions merge by `type`, so other conditions are left alone.
      await pods.patch(
        pod.metadata.name ?? '',
        'strategic',
        { status: { conditions: [condition] } },
        { namespace: pod.metadata.namespace, subresource: 'status' },
      );
    },
  };
}
