import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { blockingDependents, decideDependent, ownerState, pendingFinalizer, withoutOwners } from './decide.js';

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: uid,
  uid,
  controller: true,
  blockOwnerDeletion: block,
});
const obj = (uid: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: uid, uid, ...meta } });

describe('garbage collector decisions', () => {
  it('classifies an owner as solid, dangling (absent or another uid) or waiting (foreground deletion)', () => {
    assert.equal(ownerState(ref('a'), obj('a')), 'solid');
    assert.equal(ownerState(ref('a'), undefined), 'dangling');
    assert.equal(ownerState(ref('a'), obj('b')), 'dangling');
    assert.equal(ownerState(ref('a'), obj('a', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] })), 'waiting');
    assert.equal(ownerState(ref('a'), obj('a', { deletionTimestamp: 't', finalizers: ['orphan'] })), 'solid');
  });

  it('deletes a dependent whose owners are all gone, in the foreground when one waits and it has dependents', () => {
    assert.deepEqual(decideDependent([], false), { type: 'none' });
    assert.deepEqual(decideDependent([{ ref: ref('a'), state: 'solid' }], false), { type: 'none' });
    assert.deepEqual(decideDependent([{ ref: ref('a'), state: 'dangling' }], true), { type: 'delete', propagationPolicy: 'Background' });
    assert.deepEqual(decideDependent([{ ref: ref('a'), state: 'waiting' }], false), { type: 'delete', propagationPolicy: 'Background' });
    assert.deepEqual(decideDependent([{ ref: ref('a'), state: 'waiting' }], true), { type: 'delete', propagationPolicy: 'Foreground' });
  });

  it('only drops the references to gone owners while another owner remains', () => {
    const action = decideDependent(
      [
        { ref: ref('a'), state: 'solid' },
        { ref: ref('b'), state: 'dangling' },
        { ref: ref('c'), state: 'waiting' },
      ],
      false,
    );
    assert.deepEqual(action, { type: 'removeRefs', uids: ['b', 'c'] });
    assert.deepEqual(
      withoutOwners(obj('d', { ownerReferences: [ref('a'), ref('b')] }), ['b']).map((r) => r.uid),
      ['a'],
    );
  });

  it('acts on the orphan finalizer before foregroundDeletion, only once deletion started', () => {
    assert.equal(pendingFinalizer(obj('a', { finalizers: ['orphan'] })), undefined);
    assert.equal(pendingFinalizer(obj('a', { deletionTimestamp: 't', finalizers: ['foregroundDeletion', 'orphan'] })), 'orphan');
    assert.equal(pendingFinalizer(obj('a', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] })), 'foregroundDeletion');
    assert.equal(pendingFinalizer(obj('a', { deletionTimestamp: 't', finalizers: ['example.com/x'] })), undefined);
  });

  it('is blocked only by dependents whose reference sets blockOwnerDeletion', () => {
    const deps = [
      obj('x', { ownerReferences: [ref('o', true)] }),
      obj('y', { ownerReferences: [ref('o', false)] }),
      obj('z', { ownerReferences: [ref('p', true)] }),
    ];
    assert.deepEqual(
      blockingDependents('o', deps).map((d) => d.metadata.name),
      ['x'],
    );
  });
});
