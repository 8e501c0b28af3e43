import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { byOwnerUid, Store } from '../../machinery/store.js';
import { gcHandler } from './controller.js';
import { OWNER_INDEX, type GcDeps, type GcWrites } from './sync.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const RS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;

function setup(): { deps: GcDeps; pods: Store<KubeObject>; keys: string[]; handle: ReturnType<typeof gcHandler> } {
  const pods = new Store<KubeObject>({ indexers: { [OWNER_INDEX]: byOwnerUid } });
  const rss = new Store<KubeObject>({ indexers: { [OWNER_INDEX]: byOwnerUid } });
  const deps: GcDeps = {
    watched: new Map([
      ['pods', { rt: PODS, store: pods }],
      ['replicasets.apps', { rt: RS, store: rss }],
    ]),
    writes: {} as GcWrites,
  };
  const keys: string[] = [];
  return { deps, pods, keys, handle: gcHandler(deps, RS, (k) => keys.push(k)) };
}

const rs = (meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-1', ...meta },
});

describe('garbage collector handler', () => {
  it('enqueues the dependents of an owner that went away, or that started a deletion', () => {
    const { pods, keys, handle } = setup();
    pods.upsert({ metadata: { name: 'p', namespace: 'ns', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1' }] } });
    handle({ type: 'delete', prev: rs(), next: rs(), finalStateUnknown: false });
    assert.deepEqual(keys, ['pods|ns/p']);
    keys.length = 0;
    const marked = rs({ deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    handle({ type: 'update', prev: rs(), next: marked });
    assert.deepEqual(keys, ['replicasets.apps|ns/web', 'pods|ns/p']);
  });

  it('enqueues an object with owners and the owners a dependent stopped pointing at; ignores plain objects', () => {
    const { keys, handle } = setup();
    handle({ type: 'add', prev: undefined, next: rs() });
    assert.deepEqual(keys, []);
    const owned = rs({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd-1' }] });
    handle({ type: 'add', prev: undefined, next: owned });
    assert.deepEqual(keys, ['replicasets.apps|ns/web']);
    keys.length = 0;
    // Deployments are not watched in this setup: nothing to enqueue for that owner.
    handle({ type: 'update', prev: owned, next: rs() });
    assert.deepEqual(keys, []);
  });
});
