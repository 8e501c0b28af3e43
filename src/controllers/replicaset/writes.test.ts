// The client-backed writes of the ReplicaSet controller against a real in-process API server: adopt and release
// through guarded JSON patches, pods from the template with generateName, a uid-guarded delete, and a status write
// that lost to a newer version of the ReplicaSet.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isApiError } from '../../api/errors.js';
import { lookupResource, type ResourceType } from '../../api/scheme.js';
import { startTestServer, type TestServer } from '../../../test/support/apiserver.js';
import type { Pod, ReplicaSet } from '../api.js';
import { clientWrites } from './controller.js';
import { podFromTemplate } from './decide.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const RS = lookupResource('apps', 'v1', 'replicasets') as ResourceType;
const NS = lookupResource('', 'v1', 'namespaces') as ResourceType;

describe('ReplicaSet client writes (in-process API server)', () => {
  let server: TestServer;
  const ns = `rsw-${process.pid}`;
  before(async () => {
    server = await startTestServer();
    await server.client.resource(NS).create({ metadata: { name: ns } });
  });
  after(async () => {
    await server.stop();
  });

  it('creates from the template, adopts, releases, deletes by uid and writes status over a newer object', async () => {
    const rsClient = server.client.resource<ReplicaSet>(RS);
    const pods = server.client.resource<Pod>(PODS);
    const rs = await rsClient.create({
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      },
    });
    const w = clientWrites(server.client);

    const made = await w.createPod(podFromTemplate(rs));
    assert.match(made.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.equal(made.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);

    const orphan = await pods.create({
      metadata: { name: 'orphan', namespace: ns, labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await w.setPodOwners(orphan, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
    ]);
    const adopted = await pods.get('orphan', { namespace: ns });
    assert.equal(adopted.metadata.ownerReferences?.[0]?.name, 'web');
    // The same patch from the stale copy (which had no owners) must not apply twice unnoticed.
    await assert.rejects(w.setPodOwners(adopted, []).then(() => w.setPodOwners(adopted, [])));
    const released = await pods.get('orphan', { namespace: ns });
    assert.equal(released.metadata.ownerReferences, undefined, 'released: the field is gone');

    await assert.rejects(w.deletePod({ ...made, metadata: { ...made.metadata, uid: 'another-uid' } }), (e: unknown) => isApiError(e, 'Conflict'));
    await w.deletePod(made);
    await assert.rejects(pods.get(made.metadata.name ?? '', { namespace: ns }), (e: unknown) => isApiError(e, 'NotFound'));

    // A status computed from an older copy still lands (once), without moving observedGeneration past the spec it saw.
    await rsClient.patch('web', 'merge', { spec: { replicas: 2 } }, { namespace: ns });
    await w.updateStatus(rs, { replicas: 1, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 1, observedGeneration: 1 });
    const now = await rsClient.get('web', { namespace: ns });
    assert.equal(now.status?.replicas, 1);
    assert.equal(now.status?.observedGeneration, 1);
    assert.equal(now.metadata.generation, 2);
  });
});
