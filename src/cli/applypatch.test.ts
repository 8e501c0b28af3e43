import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/meta.js';
import { applyPatch } from '../apiserver/patch/index.js';
import { goJson, LAST_APPLIED, lastApplied, threeWayPatch, withLastApplied } from './applypatch.js';

type Obj = Record<string, unknown>;

function deployment(containers: Obj[], extra: Obj = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
    ...extra,
  };
}

/** What the server stores: the manifest plus defaults and server-set fields. */
function live(manifest: Obj): Obj {
  const obj = structuredClone(manifest) as { metadata: Obj; spec: { template: { spec: { containers: Obj[] } }; strategy?: unknown } };
  obj.metadata = { ...obj.metadata, uid: 'u1', resourceVersion: '7', generation: 1 };
  for (const c of obj.spec.template.spec.containers) Object.assign(c, { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
  obj.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  return { ...obj, status: { replicas: 2 } };
}

/** Applies `next` over a live object created from `prev` (both through the annotation), as the server would. */
function reapply(prev: KubeObject, next: KubeObject): { patch: Obj; result: Obj } {
  const current = live(withLastApplied(prev));
  const modified = withLastApplied(next) as unknown as Obj;
  const { type, patch } = threeWayPatch('apps/v1/Deployment', { original: lastApplied(current as unknown as KubeObject), modified, current });
  assert.equal(type, 'strategic');
  return { patch, result: applyPatch({ type, kindKey: 'apps/v1/Deployment', original: current, patch }) as Obj };
}

describe('last-applied encoding (as kubectl writes it)', () => {
  it('is Go JSON: sorted keys, compact, HTML-escaped, newline-terminated, with annotations: {} left behind', () => {
    const obj = withLastApplied({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', namespace: 'default' }, data: { b: '<&>', a: '1' } });
    assert.equal(
      obj.metadata.annotations?.[LAST_APPLIED],
      '{"apiVersion":"v1","data":{"a":"1","b":"\\u003c\\u0026\\u003e"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"c","namespace":"default"}}\n',
    );
    assert.equal(goJson({ z: [1, true, null], a: 'é\u2028' }), '{"a":"é\\u2028","z":[1,true,null]}');
  });

  it('leaves a previous annotation out of the recorded manifest', () => {
    const once = withLastApplied({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { x: 'y' } } });
    const twice = withLastApplied(once);
    assert.deepEqual(twice, once);
    assert.deepEqual(lastApplied(once), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { x: 'y' } } });
  });
});

describe('threeWayPatch', () => {
  const nginx = {
    name: 'nginx',
    image: 'nginx:1.27',
    env: [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ],
  };

  it('is empty when the live object only adds defaults and status', () => {
    const { patch } = reapply(deployment([nginx]), deployment([nginx]));
    assert.deepEqual(patch, {});
  });

  it('changes a keyed list item in place, deletes removed items, and keeps server defaults', () => {
    const next = deployment([{ name: 'nginx', image: 'nginx:1.28', env: [{ name: 'A', value: '1' }] }]);
    const { patch, result } = reapply(deployment([nginx]), next);
    const spec = (patch['spec'] as Obj)['template'] as Obj;
    assert.deepEqual((spec['spec'] as Obj)['containers'], [
      { name: 'nginx', image: 'nginx:1.28', env: [{ name: 'B', $patch: 'delete' }], '$setElementOrder/env': [{ name: 'A' }] },
    ]);
    const c = ((((result['spec'] as Obj)['template'] as Obj)['spec'] as Obj)['containers'] as Obj[])[0];
    assert.deepEqual(c, {
      name: 'nginx',
      image: 'nginx:1.28',
      env: [{ name: 'A', value: '1' }],
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
    });
  });

  it('deletes fields dropped from the manifest and adds new items in manifest order', () => {
    const prev = deployment([nginx], {});
    (prev.metadata as Obj)['labels'] = { app: 'web', tier: 'front' };
    const next = deployment([{ name: 'side', image: 'busybox' }, nginx]);
    const { patch, result } = reapply(prev, next);
    assert.deepEqual((patch['metadata'] as Obj)['labels'], { tier: null });
    assert.deepEqual(
      ((((result['spec'] as Obj)['template'] as Obj)['spec'] as Obj)['containers'] as Obj[]).map((c) => c['name']),
      ['side', 'nginx'],
    );
    assert.deepEqual((result['metadata'] as Obj)['labels'], { app: 'web' });
  });

  it('sends $retainKeys for retainKeys maps, so switching the strategy type drops rollingUpdate', () => {
    const next = deployment([nginx]);
    (next['spec'] as Obj)['strategy'] = { type: 'Recreate' };
    const { patch, result } = reapply(deployment([nginx]), next);
    assert.deepEqual((patch['spec'] as Obj)['strategy'], { type: 'Recreate', $retainKeys: ['type'] });
    assert.deepEqual((result['spec'] as Obj)['strategy'], { type: 'Recreate' });
  });

  it('merges union lists with $deleteFromPrimitiveList', () => {
    const current = { metadata: { name: 'x', finalizers: ['a', 'b', 'server'] } };
    const { patch } = threeWayPatch('v1/ConfigMap', {
      original: { metadata: { name: 'x', finalizers: ['a', 'b'] } },
      modified: { metadata: { name: 'x', finalizers: ['a', 'c'] } },
      current,
    });
    assert.deepEqual(patch, { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['b'] } });
  });

  it('falls back to a JSON merge patch (whole lists) for kinds without patch metadata', () => {
    const { type, patch } = threeWayPatch('example.com/v1/Widget', {
      original: { spec: { items: [1], old: true } },
      modified: { spec: { items: [1, 2] } },
      current: { spec: { items: [1], old: true, server: 'x' } },
    });
    assert.equal(type, 'merge');
    assert.deepEqual(patch, { spec: { items: [1, 2], old: null } });
  });
});
