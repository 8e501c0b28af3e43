// Fixtures for the Deployment controller's unit and property tests: Deployments and ReplicaSets as the API
// server would store them, and a way to make the ReplicaSet the controller would have made for a template.

import { newControllerRef, type Deployment, type PodTemplateSpec, type ReplicaSet } from '../api.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, POD_TEMPLATE_HASH, REVISION, maxSurge, replicasOf, templateHash } from './util.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function template(image: string): PodTemplateSpec {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }], restartPolicy: 'Always' } };
}

export function deployment(opts: Partial<Deployment['spec']> & { image?: string; generation?: number; status?: Deployment['status']; annotations?: Record<string, string> } = {}): Deployment {
  const { image = 'web:1', generation = 1, status, annotations, ...spec } = opts;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd-uid',
      generation,
      resourceVersion: '10',
      creationTimestamp: new Date(T0).toISOString(),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

/** The ReplicaSet `d` would own for `image`, at `replicas` with `available` of them available. */
export function replicaSet(
  d: Deployment,
  opts: { image: string; replicas: number; available?: number; ready?: number; actual?: number; revision: number; createdAt?: number },
): ReplicaSet {
  const tmpl = template(opts.image);
  const hash = templateHash(tmpl);
  const labels = { ...(tmpl.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const available = opts.available ?? opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      uid: `rs-${opts.image}`,
      generation: 1,
      resourceVersion: '5',
      creationTimestamp: new Date(opts.createdAt ?? T0 + opts.revision * 1000).toISOString(),
      labels,
      annotations: { [REVISION]: String(opts.revision), [DESIRED_REPLICAS]: String(replicasOf(d)), [MAX_REPLICAS]: String(replicasOf(d) + maxSurge(d)) },
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas: opts.replicas, selector: { matchLabels: { app: 'web', [POD_TEMPLATE_HASH]: hash } }, template: { ...tmpl, metadata: { labels } } },
    status: {
      replicas: opts.actual ?? opts.replicas,
      readyReplicas: opts.ready ?? available,
      availableReplicas: available,
      observedGeneration: 1,
    },
  };
}
