// The garbage collector on a real single-node cluster: `kubectl delete rs --cascade=background|foreground|orphan`
// each behaves as Kubernetes does. Background: the ReplicaSet goes at once, its pods after. Foreground: the
// ReplicaSet stays (deletionTimestamp, foregroundDeletion) until its pods are gone, and kubectl waits for that.
// Orphan: the ReplicaSet goes, its pods stay, running, without ownerReferences.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { namespaceYaml, replicaSetYaml, startCluster, type TestCluster } from './support/cluster.js';
import { until } from './support/until.js';

interface PodView {
  name: string;
  ready: boolean;
  owners: string[];
  deleting: boolean;
}

describe('garbage collector end-to-end (minik8s server on Docker)', () => {
  const ns = `gc-e2e-${process.pid}`;
  let cluster: TestCluster | undefined;
  after(async () => {
    await cluster?.stop([ns]);
  });

  async function pods(c: TestCluster, app: string): Promise<PodView[]> {
    const out = await c.ok(['get', 'pods', '-n', ns, '-l', `app=${app}`, '-o', 'json']);
    const list = JSON.parse(out) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] };
        status?: { conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      ready: p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
      owners: (p.metadata.ownerReferences ?? []).map((r) => r.name),
      deleting: p.metadata.deletionTimestamp !== undefined,
    }));
  }

  async function upAndReady(c: TestCluster, app: string, slowStop?: number): Promise<PodView[]> {
    await c.ok(['apply', '-f', '-'], replicaSetYaml({ name: app, namespace: ns, replicas: 2, ...(slowStop ? { slowStop } : {}) }));
    let last: PodView[] = [];
    return until(
      () => `2 ready pods of ${app}; saw ${JSON.stringify(last)}`,
      async () => {
        last = await pods(c, app);
        return last.length === 2 && last.every((p) => p.ready) ? last : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  async function gone(c: TestCluster, app: string, what: string): Promise<void> {
    await until(what, async () => ((await pods(c, app)).length === 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 500 });
  }

  it('cascades background, foreground and orphan deletions of a ReplicaSet as Kubernetes does', { timeout: 600_000 }, async () => {
    cluster = await startCluster('gce2e', 'replicaset,garbagecollector,namespace');
    const c = cluster;
    await c.ok(['apply', '-f', '-'], namespaceYaml(ns));

    // Background (kubectl's default): the owner goes at once; the GC then deletes its pods.
    await upAndReady(c, 'bg');
    await c.ok(['delete', 'rs', 'bg', '-n', ns, '--cascade=background']);
    assert.match((await c.k(['get', 'rs', 'bg', '-n', ns])).stderr, /NotFound/);
    await gone(c, 'bg', "the background-deleted ReplicaSet's pods to go");

    // Foreground: while kubectl waits, the ReplicaSet is still there, marked, and its pods are terminating. The pods
    // ignore SIGTERM for their 8 s grace period, so the marked state lasts long enough to be seen by polling.
    await upAndReady(c, 'fg', 8);
    const waiting = c.k(['delete', 'rs', 'fg', '-n', ns, '--cascade=foreground', '--timeout=180s'], undefined, 200_000);
    const marked = await until(
      'the ReplicaSet to be marked for foreground deletion',
      async () => {
        const r = await c.k(['get', 'rs', 'fg', '-n', ns, '-o', 'jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}']);
        return r.code === 0 && r.stdout.includes('foregroundDeletion') && r.stdout.split(' ')[0] !== '' ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.match(marked, /foregroundDeletion/);
    const del = await waiting;
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await pods(c, 'fg')).length, 0, 'kubectl returned only once the pods were gone');
    assert.match((await c.k(['get', 'rs', 'fg', '-n', ns])).stderr, /NotFound/);

    // Orphan: the owner goes; its pods stay, still running, with no owner references, and nobody replaces them.
    const orphans = await upAndReady(c, 'or');
    await c.ok(['delete', 'rs', 'or', '-n', ns, '--cascade=orphan', '--timeout=120s'], undefined, 130_000);
    assert.match((await c.k(['get', 'rs', 'or', '-n', ns])).stderr, /NotFound/);
    const left = await until(
      'the orphans to lose their owner references',
      async () => {
        const now = await pods(c, 'or');
        return now.length === 2 && now.every((p) => p.owners.length === 0) ? now : undefined;
      },
      60_000,
    );
    assert.deepEqual(left.map((p) => p.name).sort(), orphans.map((p) => p.name).sort());
    await new Promise((r) => setTimeout(r, 3000));
    const later = await pods(c, 'or');
    assert.equal(later.length, 2, 'the GC leaves orphans alone');
    assert.ok(
      later.every((p) => p.ready && !p.deleting && p.owners.length === 0),
      JSON.stringify(later),
    );
    const yaml = await c.ok(['get', 'pod', later[0]?.name ?? '', '-n', ns, '-o', 'yaml']);
    assert.doesNotMatch(yaml, /ownerReferences/);
  });
});
