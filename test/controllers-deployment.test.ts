// The Deployment controller end to end: `minik8s server` (API server, scheduler, controllers, node agent on the
// real Docker Engine) and the real kubectl. busybox httpd pods serve their VERSION; a client asks every Ready pod
// directly (pod IPs on the Docker bridge) while a Deployment rolls forward (`set env`), back (`rollout undo`),
// into a broken image (`set image`: the rollout stalls within maxUnavailable and exceeds its progress deadline),
// pauses, scales while paused, resumes and restarts; a Recreate Deployment never runs old and new pods together.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/meta.js';
import { Client } from '../src/client/client.js';
import { spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { kubectl, type KubectlResult } from './support/kubectl.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';
import { DEPLOYMENTS, PODS, REPLICASETS, startProber, versionRuns, webDeployment, type Prober } from './support/rollout.js';
import { until, untilTrue } from './support/until.js';

const NS = 'default';

describe('Deployment controller with kubectl rollout (single-node cluster on Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-deploy-'));
  const node = `dep-${process.pid}`;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  const probers: Prober[] = [];
  const probe = (app: string): Prober => {
    const p = startProber(api(), NS, app);
    probers.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(probers.map((p) => p.stop()));
    if (client) {
      for (const name of ['web', 'batch']) await client.resource(DEPLOYMENTS).delete(name, { namespace: NS }).catch(() => undefined);
      // The garbage collector removes the ReplicaSets, the ReplicaSet controller's pods go with them, the agent stops the containers.
      await until('the pods to be gone', async () => ((await client?.resource(PODS).list({ namespace: NS }))?.items.length === 0 ? true : undefined), 60_000).catch(() => undefined);
      client.close();
    }
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const k = async (args: string[], stdin?: string): Promise<KubectlResult> =>
    kubectl(args, { kubeconfig: server?.kubeconfig ?? '', timeoutMs: 330_000, ...(stdin ? { stdin } : {}) });
  const ok = async (args: string[], stdin?: string): Promise<string> => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    return r.stdout;
  };
  const api = (): Client => {
    if (!client) throw new Error('no client: the server did not start');
    return client;
  };
  const deploy = (name: string): Promise<KubeObject> => api().resource(DEPLOYMENTS).get(name, { namespace: NS });
  const replicaSets = async (app: string): Promise<KubeObject[]> => (await api().resource(REPLICASETS).list({ namespace: NS, labelSelector: `app=${app}` })).items;

  it('starts the cluster', async () => {
    server = await spawnApiServer({ command: 'server', dataDir, extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())] });
    client = Client.fromKubeconfig({ path: server.kubeconfig });
    await until('the node to be Ready', async () => ((await k(['get', 'nodes'])).stdout.includes(' Ready') ? true : undefined), 30_000);
  });

  it('rolls forward with set env and back with rollout undo while every poll gets answers', async () => {
    assert.match(await ok(['apply', '-f', '-'], JSON.stringify(webDeployment('web'))), /deployment.apps\/web created/);
    assert.match(await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']), /deployment "web" successfully rolled out/);
    const rs1 = await replicaSets('web');
    assert.equal(rs1.length, 1);
    assert.match(rs1[0]?.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs1[0]?.metadata.labels?.['pod-template-hash'], (rs1[0]?.metadata.name ?? '').slice('web-'.length));

    const prober = probe('web');
    await prober.untilOnly('v1', 60_000);
    assert.match(await ok(['set', 'env', 'deploy/web', 'VERSION=v2']), /deployment.apps\/web env updated/);
    const status = await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']);
    assert.match(status, /Waiting for deployment "web" rollout to finish/);
    assert.match(status, /deployment "web" successfully rolled out\n$/);
    await prober.untilOnly('v2', 60_000);
    assert.match(await ok(['rollout', 'history', 'deploy/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

    assert.match(await ok(['rollout', 'undo', 'deploy/web']), /deployment.apps\/web rolled back/);
    await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']);
    await prober.untilOnly('v1', 60_000);
    assert.match(await ok(['rollout', 'history', 'deploy/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    const rounds = await prober.stop();

    assert.deepEqual(versionRuns(rounds), ['v1', 'v2', 'v1'], 'answers went v1 → v2 → v1');
    const silent = rounds.filter((r) => r.answers.length === 0);
    assert.equal(silent.length, 0, `${silent.length} of ${rounds.length} polls got no answer: ${JSON.stringify(silent.slice(0, 5))}`);
    const minReady = Math.min(...rounds.map((r) => r.ready));
    assert.ok(minReady >= 3, `maxUnavailable 0 of 3, yet only ${minReady} Ready pods at one poll`);
    assert.equal((await replicaSets('web')).length, 2, 'the undo reused the first ReplicaSet');

    const described = await ok(['describe', 'deploy', 'web']);
    assert.match(described, /ScalingReplicaSet\s+.*Scaled up replica set web-\w+ to 1\b/);
    assert.match(described, /Scaled down replica set web-\w+ to 2 from 3/);
    assert.match(described, /NewReplicaSet:\s+web-\w+ \(3\/3 replicas created\)/);
  });

  it('stalls a broken set image within maxUnavailable until the progress deadline; undo recovers', async () => {
    const prober = probe('web');
    await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"progressDeadlineSeconds":15}}']);
    // An image that is not there, with imagePullPolicy Never: the new pods never start.
    assert.match(await ok(['set', 'image', 'deploy/web', `app=minik8s/absent-${process.pid}:1`]), /deployment.apps\/web image updated/);
    const stalled = await k(['rollout', 'status', 'deploy/web', '--timeout=180s']);
    assert.equal(stalled.code, 1, stalled.stdout);
    assert.match(stalled.stderr, /deployment "web" exceeded its progress deadline/);
    const d = await deploy('web');
    const progressing = (d.status as { conditions?: { type: string; status: string; reason: string }[] }).conditions?.find((c) => c.type === 'Progressing');
    assert.deepEqual([progressing?.status, progressing?.reason], ['False', 'ProgressDeadlineExceeded']);
    assert.match(await ok(['rollout', 'undo', 'deploy/web']), /rolled back/);
    await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']);
    await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"progressDeadlineSeconds":600}}']);
    const rounds = await prober.stop();
    assert.deepEqual(versionRuns(rounds), ['v1']);
    assert.equal(rounds.filter((r) => r.answers.length === 0).length, 0, 'every poll answered during the broken rollout');
    assert.ok(Math.min(...rounds.map((r) => r.ready)) >= 3, 'the broken rollout took no Ready pod away');
  });

  it('pauses (no rollout, but scaling works), resumes, and restarts every pod', async () => {
    assert.match(await ok(['rollout', 'pause', 'deploy/web']), /deployment.apps\/web paused/);
    const before = (await replicaSets('web')).length;
    await ok(['set', 'env', 'deploy/web', 'VERSION=v3']);
    await untilTrue('the paused spec to be observed', async () => {
      const d = await deploy('web');
      return (d.status as { observedGeneration?: number }).observedGeneration === d.metadata.generation;
    });
    assert.equal((await replicaSets('web')).length, before, 'no new ReplicaSet while paused');
    assert.match(await ok(['scale', 'deploy/web', '--replicas=4']), /scaled/);
    await untilTrue('4 available pods while paused', async () => ((await deploy('web')).status as { availableReplicas?: number } | undefined)?.availableReplicas === 4, 60_000);
    const progressing = await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']);
    assert.equal(progressing, 'DeploymentPaused');

    assert.match(await ok(['rollout', 'resume', 'deploy/web']), /deployment.apps\/web resumed/);
    await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']);
    const prober = probe('web');
    await prober.untilOnly('v3', 60_000);
    const oldPods = new Set((await api().resource(PODS).list({ namespace: NS, labelSelector: 'app=web' })).items.map((p) => p.metadata.name));
    assert.match(await ok(['rollout', 'restart', 'deploy/web']), /deployment.apps\/web restarted/);
    await ok(['rollout', 'status', 'deploy/web', '--timeout=300s']);
    const pods = await until('only restarted pods', async () => {
      const items = (await api().resource(PODS).list({ namespace: NS, labelSelector: 'app=web' })).items;
      return items.length === 4 && items.every((p) => !oldPods.has(p.metadata.name)) ? items : undefined;
    }, 60_000);
    assert.equal(pods.length, 4);
    const rounds = await prober.stop();
    assert.equal(rounds.filter((r) => r.answers.length === 0).length, 0, 'every poll answered during the restart');
  });

  it('Recreate: scales the old pods away before the new ones start', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify(webDeployment('batch', { replicas: 2, strategy: { type: 'Recreate' } })));
    await ok(['rollout', 'status', 'deploy/batch', '--timeout=300s']);
    const seen: string[][] = [];
    let stop = false;
    const watcher = (async () => {
      while (!stop) {
        const items = (await api().resource(PODS).list({ namespace: NS, labelSelector: 'app=batch' })).items;
        seen.push([...new Set(items.map((p) => p.metadata.labels?.['pod-template-hash'] ?? '?'))]);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await ok(['set', 'env', 'deploy/batch', 'VERSION=v2']);
      await ok(['rollout', 'status', 'deploy/batch', '--timeout=300s']);
    } finally {
      stop = true;
      await watcher;
    }
    const mixed = seen.filter((hashes) => hashes.length > 1);
    assert.equal(mixed.length, 0, `old and new pods together in ${mixed.length} of ${seen.length} polls: ${JSON.stringify(mixed.slice(0, 3))}`);
    const runs = seen.filter((h) => h.length === 1).map((h) => h[0]);
    assert.ok(new Set(runs).size === 2 && runs[0] !== runs.at(-1), `polls saw the old pods, then the new ones: ${JSON.stringify(runs)}`);
    const events = await ok(['get', 'events', '--field-selector', 'involvedObject.name=batch,reason=ScalingReplicaSet', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /Scaled down replica set batch-\w+ to 0 from 2/);
  });
});
