// The ReplicaSet controller on a real single-node cluster (`minik8s server` on the host's Docker), driven by the
// real kubectl: a ReplicaSet of 3 runs 3 ready pods, replaces a deleted pod, recovers from a container killed with
// `docker kill`, scales down (least valuable first) with events that `kubectl describe` and `mkctl describe` show.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { namespaceYaml, replicaSetYaml, startCluster, type TestCluster } from './support/cluster.js';
import { mkctl } from './support/mkctl.js';
import { until } from './support/until.js';

const run = promisify(execFile);

interface PodView {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  containerID: string;
  owner: string;
  deleting: boolean;
}

describe('ReplicaSet controller end-to-end (minik8s server on Docker)', () => {
  const ns = `rs-e2e-${process.pid}`;
  let cluster: TestCluster | undefined;
  after(async () => {
    await cluster?.stop([ns]);
  });

  async function pods(c: TestCluster): Promise<PodView[]> {
    const out = await c.ok(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json']);
    const list = JSON.parse(out) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] };
        status?: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number; containerID?: string }[] };
      }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      phase: p.status?.phase ?? '',
      ready: p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
      restarts: p.status?.containerStatuses?.[0]?.restartCount ?? 0,
      containerID: p.status?.containerStatuses?.[0]?.containerID ?? '',
      owner: p.metadata.ownerReferences?.[0]?.name ?? '',
      deleting: p.metadata.deletionTimestamp !== undefined,
    }));
  }

  async function readyPods(c: TestCluster, n: number, what: string): Promise<PodView[]> {
    let last: PodView[] = [];
    return until(
      () => `${what}: ${n} ready pods; saw ${JSON.stringify(last)}`,
      async () => {
        last = await pods(c);
        const live = last.filter((p) => !p.deleting);
        return live.length === n && live.every((p) => p.ready && p.phase === 'Running') ? live : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
  }

  it('keeps 3 pods ready through a pod deletion and a killed container, and scales down', { timeout: 600_000 }, async () => {
    cluster = await startCluster('rse2e', 'replicaset,garbagecollector,namespace');
    const c = cluster;
    await c.ok(['apply', '-f', '-'], namespaceYaml(ns) + '---\n' + replicaSetYaml({ name: 'web', namespace: ns, replicas: 3 }));
    const first = await readyPods(c, 3, 'the ReplicaSet to come up');
    for (const p of first) {
      assert.match(p.name, /^web-[a-z0-9]{5}$/, 'pods are named from generateName web-');
      assert.equal(p.owner, 'web');
    }
    const status = await until(
      'status.readyReplicas=3',
      async () => {
        const s = await c.ok([
          'get',
          'rs',
          'web',
          '-n',
          ns,
          '-o',
          'jsonpath={.status.replicas} {.status.readyReplicas} {.status.availableReplicas} {.status.fullyLabeledReplicas} {.status.observedGeneration}',
        ]);
        return s === '3 3 3 3 1' ? s : undefined;
      },
      60_000,
    );
    assert.equal(status, '3 3 3 3 1');

    // A deleted pod is replaced.
    const victim = first[0]?.name ?? '';
    await c.ok(['delete', 'pod', victim, '-n', ns, '--wait=false']);
    const afterDelete = await readyPods(c, 3, 'a replacement for the deleted pod');
    assert.ok(!afterDelete.some((p) => p.name === victim), `${victim} should be gone`);
    assert.ok(
      afterDelete.some((p) => !first.some((f) => f.name === p.name)),
      'a new pod was created',
    );

    // A container killed behind the cluster's back: the pod is restarted (or replaced) and 3 are ready again.
    const target = afterDelete[0];
    assert.ok(target && target.containerID.startsWith('docker://'), JSON.stringify(afterDelete));
    await run('docker', ['kill', target.containerID.slice('docker://'.length)]);
    await until(
      'the killed container to be noticed',
      async () => {
        const now = await pods(c);
        const same = now.find((p) => p.name === target.name);
        return !same || same.restarts > 0 || same.containerID !== target.containerID ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const recovered = await readyPods(c, 3, 'recovery after docker kill');
    const again = recovered.find((p) => p.name === target.name);
    assert.ok(!again || again.restarts >= 1, `the killed pod restarted or was replaced: ${JSON.stringify(recovered)}`);

    // Scale down through the scale subresource: 1 pod stays.
    await c.ok(['scale', 'rs', 'web', '-n', ns, '--replicas=1']);
    await readyPods(c, 1, 'scale down to 1');

    const described = await c.ok(['describe', 'rs', 'web', '-n', ns]);
    assert.match(described, /SuccessfulCreate\s+.*replicaset-controller\s+Created pod: web-/);
    assert.match(described, /SuccessfulDelete\s+.*replicaset-controller\s+Deleted pod: web-/);
    assert.match(described, /Replicas:\s+1 current \/ 1 desired/);
    const mk = await mkctl(['describe', 'rs', 'web', '-n', ns], { kubeconfig: c.server.kubeconfig });
    assert.equal(mk.code, 0, mk.stderr);
    assert.match(mk.stdout, /SuccessfulCreate/);
    assert.match(mk.stdout, /Deleted pod: web-/);
  });
});
