import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { serverSideApply } from './apply.js';
import { deepFreeze } from './testkit.js';

const ssa = (kind: string, live: unknown, applied: unknown): unknown =>
  serverSideApply(kind, deepFreeze(live), deepFreeze(applied));

const pod = (
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: 'p' },
): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec,
});

describe('serverSideApply', () => {
  it('creates from the applied object when there is no live one (dropping nulls)', () => {
    assert.deepEqual(
      ssa('v1/Pod', undefined, pod({ nodeName: null, containers: [{ name: 'a' }] })),
      pod({ containers: [{ name: 'a' }] }),
    );
  });
  it('merges maps recursively and keeps live fields the manifest does not mention (no managedFields)', () => {
    const live = pod({ nodeName: 'n1', containers: [] }, { name: 'p', uid: 'u', labels: { a: '1', server: 'x' } });
    const out = ssa('v1/Pod', live, pod({ containers: [] }, { name: 'p', labels: { a: '2' } }));
    assert.deepEqual(
      out,
      pod({ nodeName: 'n1', containers: [] }, { name: 'p', uid: 'u', labels: { a: '2', server: 'x' } }),
    );
  });
  it('null in the manifest removes a field', () => {
    assert.deepEqual(ssa('v1/Pod', pod({ nodeName: 'n1' }), { spec: { nodeName: null } }), pod({}));
  });
  it('keyed lists merge by key: applied items in manifest order, then live-only items', () => {
    const live = pod({
      containers: [
        { name: 'side', image: 's:1' },
        {
          name: 'app',
          image: 'a:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'X', value: 'x' },
          ],
        },
      ],
    });
    const out = ssa('v1/Pod', live, {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'a:2',
            env: [
              { name: 'B', value: '2' },
              { name: 'A', value: '9' },
            ],
          },
        ],
      },
    });
    assert.deepEqual(
      out,
      pod({
        containers: [
          {
            name: 'app',
            image: 'a:2',
            env: [
              { name: 'B', value: '2' },
              { name: 'A', value: '9' },
              { name: 'X', value: 'x' },
            ],
          },
          { name: 'side', image: 's:1' },
        ],
      }),
    );
  });
  it('items without the merge key are appended', () => {
    const out = ssa(
      'v1/Service',
      { spec: { ports: [{ port: 80 }] } },
      { spec: { ports: [{ name: 'nokey' }, { port: 80, name: 'http' }] } },
    );
    assert.deepEqual(out, { spec: { ports: [{ name: 'nokey' }, { port: 80, name: 'http' }] } });
  });
  it('primitive merge lists are a union', () => {
    const out = ssa('v1/Pod', pod({}, { name: 'p', finalizers: ['a', 'b'] }), { metadata: { finalizers: ['c', 'a'] } });
    assert.deepEqual(out, pod({}, { name: 'p', finalizers: ['c', 'a', 'b'] }));
  });
  it('atomic lists are replaced', () => {
    const out = ssa('v1/Pod', pod({ tolerations: [{ key: 'a' }, { key: 'b' }] }), {
      spec: { tolerations: [{ key: 'c', x: null }] },
    });
    assert.deepEqual(out, pod({ tolerations: [{ key: 'c' }] }));
  });
  it('retainKeys maps keep only the applied members (Deployment strategy)', () => {
    const live = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, replicas: 2 } };
    assert.deepEqual(ssa('apps/v1/Deployment', live, { spec: { strategy: { type: 'Recreate' } } }), {
      spec: { strategy: { type: 'Recreate' }, replicas: 2 },
    });
  });
  it('retainKeys list items keep only the applied members (a volume changing source)', () => {
    const live = pod({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'c' } },
      ],
    });
    const out = ssa('v1/Pod', live, { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }] } });
    assert.deepEqual(
      out,
      pod({
        volumes: [
          { name: 'data', hostPath: { path: '/srv' } },
          { name: 'cfg', configMap: { name: 'c' } },
        ],
      }),
    );
  });
  it('uses the pod sub-tree under a Deployment template', () => {
    const live = {
      spec: {
        template: {
          spec: { containers: [{ name: 'a', image: '1', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
        },
      },
    };
    const out = ssa('apps/v1/Deployment', live, {
      spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] } } },
    });
    assert.deepEqual(out, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'a', image: '1', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }],
          },
        },
      },
    });
  });
  it('custom kinds replace every list', () => {
    const out = ssa(
      'minik8s.io/v1/Function',
      { metadata: { finalizers: ['a'] }, spec: { env: [{ name: 'A' }] } },
      { metadata: { finalizers: ['b'] }, spec: { env: [{ name: 'B' }] } },
    );
    assert.deepEqual(out, { metadata: { finalizers: ['b'] }, spec: { env: [{ name: 'B' }] } });
  });
  it('shares no structure with its inputs', () => {
    const live = pod({ containers: [{ name: 'a', env: [] }] });
    const out = serverSideApply('v1/Pod', live, pod({})) as { spec: { containers: { env: unknown[] }[] } };
    out.spec.containers[0]?.env.push(1);
    assert.deepEqual(live, pod({ containers: [{ name: 'a', env: [] }] }));
  });
});
