// The request bodies kubectl sends (reference §8.1–8.3), applied to live objects as the API server stores them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyPatch } from './index.js';
import { deepFreeze } from './testkit.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function deployment(
  containers: unknown[],
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; replicas?: number } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd-1',
      resourceVersion: '41',
      labels: { app: 'web', ...extra.labels },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      replicas: extra.replicas ?? 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
    status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
  };
}

const strategic = (original: unknown, patch: unknown): unknown =>
  applyPatch({
    type: 'strategic',
    kindKey: 'apps/v1/Deployment',
    original: deepFreeze(original),
    patch: deepFreeze(patch),
  });

describe('kubectl client-side apply (strategic merge patch)', () => {
  it('applies the update body of §8.3: last-applied annotation, labels, replicas, $setElementOrder/containers', () => {
    const lastApplied =
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
      }) + '\n';
    const live = deployment(
      [
        {
          name: 'nginx',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      {
        annotations: { [LAST_APPLIED]: '{"old":true}\n', 'deployment.kubernetes.io/revision': '1' },
      },
    );
    const body = {
      metadata: { annotations: { [LAST_APPLIED]: lastApplied }, labels: { tier: 'front' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.28', name: 'nginx' }],
          },
        },
      },
    };
    assert.deepEqual(
      strategic(live, body),
      deployment(
        [
          {
            name: 'nginx',
            image: 'nginx:1.28',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        {
          labels: { tier: 'front' },
          annotations: { [LAST_APPLIED]: lastApplied, 'deployment.kubernetes.io/revision': '1' },
          replicas: 3,
        },
      ),
    );
  });

  it('deletes a container removed from the manifest ($patch: delete)', () => {
    const live = deployment([
      { name: 'app', image: 'a:1' },
      { name: 'side', image: 's:1' },
    ]);
    const body = {
      spec: {
        template: {
          spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ $patch: 'delete', name: 'side' }] },
        },
      },
    };
    assert.deepEqual(strategic(live, body), deployment([{ name: 'app', image: 'a:1' }]));
  });

  it('removes an env var, keeping the others in manifest order', () => {
    const live = deployment([
      {
        name: 'app',
        image: 'a:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
          { name: 'C', value: '3' },
        ],
      },
    ]);
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }],
                env: [{ $patch: 'delete', name: 'B' }],
                name: 'app',
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(
      strategic(live, body),
      deployment([
        {
          name: 'app',
          image: 'a:1',
          env: [
            { name: 'C', value: '3' },
            { name: 'A', value: '1' },
          ],
        },
      ]),
    );
  });

  it('adds a container and a port next to server-set fields', () => {
    const live = deployment([
      {
        name: 'app',
        image: 'a:1',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        terminationMessagePath: '/dev/termination-log',
      },
    ]);
    const body = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }],
            containers: [
              {
                '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 9090 }],
                name: 'app',
                ports: [{ containerPort: 9090 }],
              },
              { image: 's:1', name: 'side' },
            ],
          },
        },
      },
    };
    assert.deepEqual(
      strategic(live, body),
      deployment([
        {
          name: 'app',
          image: 'a:1',
          ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 9090 }],
          terminationMessagePath: '/dev/termination-log',
        },
        { image: 's:1', name: 'side' },
      ]),
    );
  });

  it('switches the rollout strategy with $retainKeys', () => {
    const live = deployment([]);
    const withRolling = {
      ...live,
      spec: {
        ...(live['spec'] as object),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      },
    };
    const out = strategic(withRolling, {
      spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } },
    });
    assert.deepEqual(out, { ...live, spec: { ...(live['spec'] as object), strategy: { type: 'Recreate' } } });
  });

  it('adds finalizers as a union and removes one with $deleteFromPrimitiveList', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['example.com/a', 'example.com/b'] },
      spec: {},
    };
    const union = applyPatch({
      type: 'strategic',
      kindKey: 'v1/Pod',
      original: deepFreeze(live),
      patch: { metadata: { finalizers: ['example.com/c', 'example.com/a'] } },
    });
    assert.deepEqual(union, {
      ...live,
      metadata: { name: 'p', finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] },
    });
    const removed = applyPatch({
      type: 'strategic',
      kindKey: 'v1/Pod',
      original: deepFreeze(live),
      patch: {
        metadata: {
          '$setElementOrder/finalizers': ['example.com/a'],
          '$deleteFromPrimitiveList/finalizers': ['example.com/b'],
        },
      },
    });
    assert.deepEqual(removed, { ...live, metadata: { name: 'p', finalizers: ['example.com/a'] } });
  });
});

describe('kubectl patch and apply on other paths', () => {
  it('kubectl patch on a custom kind sends strategic-merge-patch: treated as a merge patch', () => {
    const fn = {
      apiVersion: 'minik8s.io/v1',
      kind: 'Function',
      metadata: { name: 'hello' },
      spec: { handler: 'index.main', triggers: [{ http: '/a' }, { http: '/b' }] },
    };
    const out = applyPatch({
      type: 'strategic',
      kindKey: 'minik8s.io/v1/Function',
      original: deepFreeze(fn),
      patch: { spec: { triggers: [{ http: '/c' }] } },
    });
    assert.deepEqual(out, { ...fn, spec: { handler: 'index.main', triggers: [{ http: '/c' }] } });
  });
  it('client-side apply on a custom kind sends a 3-way merge patch', () => {
    const fn = {
      apiVersion: 'minik8s.io/v1',
      kind: 'Function',
      metadata: { name: 'hello', annotations: { [LAST_APPLIED]: '{}\n' } },
      spec: { handler: 'old', replicas: 1 },
    };
    const body = {
      metadata: { annotations: { [LAST_APPLIED]: '{"new":1}\n' } },
      spec: { handler: 'index.main', replicas: 2 },
    };
    const out = applyPatch({
      type: 'merge',
      kindKey: 'minik8s.io/v1/Function',
      original: deepFreeze(fn),
      patch: deepFreeze(body),
    });
    assert.deepEqual(out, {
      ...fn,
      metadata: { name: 'hello', annotations: { [LAST_APPLIED]: '{"new":1}\n' } },
      spec: { handler: 'index.main', replicas: 2 },
    });
  });
  it('kubectl apply --server-side creates, then merges by key', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'demo' },
      spec: { containers: [{ name: 'app', image: 'a:1' }] },
    };
    const created = applyPatch({ type: 'apply', kindKey: 'v1/Pod', original: undefined, patch: deepFreeze(manifest) });
    assert.deepEqual(created, manifest);
    const live = {
      ...manifest,
      metadata: { name: 'demo', uid: 'u' },
      spec: { containers: [{ name: 'app', image: 'a:1', imagePullPolicy: 'IfNotPresent' }], nodeName: 'n1' },
    };
    const updated = applyPatch({
      type: 'apply',
      kindKey: 'v1/Pod',
      original: deepFreeze(live),
      patch: { ...manifest, spec: { containers: [{ name: 'app', image: 'a:2' }] } },
    });
    assert.deepEqual(updated, {
      ...live,
      spec: { containers: [{ name: 'app', image: 'a:2', imagePullPolicy: 'IfNotPresent' }], nodeName: 'n1' },
    });
  });
});
