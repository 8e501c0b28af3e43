// findContainerByLabels over a literal container list: newest instance, previous of the same pod UID.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABELS, type ContainerStatus } from '../runtime/runtime.js';
import { findContainerByLabels } from './find.js';

function container(id: string, o: { uid: string; pod: string; name: string; attempt: number; createdAt: number }): ContainerStatus {
  const pod = { uid: o.uid, name: o.pod, namespace: 'default' };
  return {
    id,
    pod,
    name: o.name,
    role: 'container',
    attempt: o.attempt,
    specHash: 'h',
    image: 'busybox:1.36',
    imageId: 'sha256:1',
    state: 'exited',
    createdAt: o.createdAt,
    oomKilled: false,
    labels: { [LABELS.podUid]: o.uid, [LABELS.podNamespace]: 'default', [LABELS.podName]: o.pod, [LABELS.containerName]: o.name },
  };
}

describe('findContainerByLabels', () => {
  const all = [
    container('old-pod', { uid: 'u0', pod: 'web', name: 'app', attempt: 7, createdAt: 100 }),
    container('first', { uid: 'u1', pod: 'web', name: 'app', attempt: 0, createdAt: 200 }),
    container('second', { uid: 'u1', pod: 'web', name: 'app', attempt: 1, createdAt: 300 }),
    container('sidecar', { uid: 'u1', pod: 'web', name: 'side', attempt: 0, createdAt: 250 }),
    container('lonely', { uid: 'u2', pod: 'db', name: 'app', attempt: 0, createdAt: 400 }),
  ];
  const find = findContainerByLabels({ listContainers: () => Promise.resolve(all) });
  const ref = (pod: string, container: string, previous = false) => ({ namespace: 'default', pod, container, previous });

  it('picks the newest instance, and the one before it of the same pod for previous', async () => {
    assert.deepEqual(await find(ref('web', 'app')), { id: 'second' });
    assert.deepEqual(await find(ref('web', 'app', true)), { id: 'first' });
    assert.deepEqual(await find(ref('web', 'side')), { id: 'sidecar' });
  });

  it('finds nothing for an unknown container, or a previous instance that never existed', async () => {
    assert.equal(await find(ref('web', 'nope')), undefined);
    assert.equal(await find(ref('db', 'app', true)), undefined);
    assert.equal(await find(ref('db', 'side')), undefined);
  });
});
