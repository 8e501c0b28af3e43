// `mkctl rollout status|history|undo|pause|resume|restart` against a real single-node cluster (`minik8s server`
// on the real Docker Engine) with the Deployment controller: the same rollouts as kubectl's suite, driven by
// mkctl, with a client asking every Ready pod for its version throughout; history is compared byte for byte
// with kubectl's, and the refusals read as kubectl's do.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '../../src/client/client.js';
import { spawnApiServer, type ServerProcess } from '../support/apiserver.js';
import { kubectl } from '../support/kubectl.js';
import { mkctl, type MkctlResult } from '../support/mkctl.js';
import { hostPodNetworkArgs, removePodNetwork } from '../support/podnet.js';
import { DEPLOYMENTS, PODS, startProber, versionRuns, webDeployment, type Prober } from '../support/rollout.js';
import { until } from '../support/until.js';

const NS = 'default';

const envPatch = (version: string): string => JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'VERSION', value: version }] }] } } } });

describe('mkctl rollout (single-node cluster on Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mkctl-rollout-'));
  const node = `mkro-${process.pid}`;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  let prober: Prober | undefined;
  after(async () => {
    await prober?.stop();
    if (client) {
      await client.resource(DEPLOYMENTS).delete('web', { namespace: NS }).catch(() => undefined);
      await until('the pods to be gone', async () => ((await client?.resource(PODS).list({ namespace: NS }))?.items.length === 0 ? true : undefined), 60_000).catch(() => undefined);
      client.close();
    }
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (args: readonly string[]): Promise<MkctlResult> => mkctl(args, { kubeconfig: server?.kubeconfig ?? '', timeoutMs: 330_000 });
  const show = (args: readonly string[], r: MkctlResult): string => `mkctl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  const ok = async (...args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, show(args, r));
    return r.stdout;
  };
  const fails = async (...args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 1, show(args, r));
    return r.stderr;
  };

  it('starts the cluster and a Deployment', async () => {
    server = await spawnApiServer({ command: 'server', dataDir, extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())] });
    client = Client.fromKubeconfig({ path: server.kubeconfig });
    await client.resource(DEPLOYMENTS).create(webDeployment('web'), { namespace: NS });
    assert.match(await ok('rollout', 'status', 'deploy/web', '--timeout', '300s'), /deployment "web" successfully rolled out\n$/);
    prober = startProber(client, NS, 'web');
    await prober.untilOnly('v1', 60_000);
  });

  it('status follows a rollout; history matches kubectl and shows change-cause and a revision template', async () => {
    await ok('patch', 'deploy', 'web', '-p', envPatch('v2'));
    const status = await ok('rollout', 'status', 'deployment', 'web', '--timeout=300s');
    assert.match(status, /^Waiting for deployment "web" rollout to finish: \d+ out of 3 new replicas have been updated\.\.\.\n/);
    assert.match(status, /deployment "web" successfully rolled out\n$/);
    assert.equal(new Set(status.split('\n')).size, status.split('\n').length, 'each progress line printed once');
    await prober?.untilOnly('v2', 60_000);

    await ok('annotate', 'deploy/web', 'kubernetes.io/change-cause=bump to v3');
    await ok('patch', 'deploy', 'web', '-p', envPatch('v3'));
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    await prober?.untilOnly('v3', 60_000);
    const history = await ok('rollout', 'history', 'deploy/web');
    const theirs = await kubectl(['rollout', 'history', 'deploy/web'], { kubeconfig: server?.kubeconfig ?? '' });
    assert.equal(history, theirs.stdout);
    assert.match(history, /^deployment\.apps\/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         bump to v3\n3         bump to v3\n\n$/);
    const rev2 = await ok('rollout', 'history', 'deploy/web', '--revision=2');
    assert.match(rev2, /^deployment\.apps\/web with revision #2\nPod Template:\n/);
    assert.match(rev2, /VERSION:\s+v2/);
    assert.match(await fails('rollout', 'history', 'deploy/web', '--revision=9'), /error: unable to find the specified revision/);
  });

  it('undo goes back to the previous revision or --to-revision, and refuses what kubectl refuses', async () => {
    assert.equal(await ok('rollout', 'undo', 'deploy/web', '--to-revision=1'), 'deployment.apps/web rolled back\n');
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    await prober?.untilOnly('v1', 60_000);
    assert.match(await ok('rollout', 'history', 'deploy/web'), /REVISION  CHANGE-CAUSE\n2 .*\n3 .*\n4         <none>\n/);
    assert.match(await fails('rollout', 'undo', 'deploy/web', '--to-revision=1'), /^error: unable to find specified revision 1 in history\n$/);
    assert.equal(await ok('rollout', 'undo', 'deploy/web', '--to-revision=4'), 'deployment.apps/web skipped rollback (current template already matches revision 4)\n');
    assert.equal(await ok('rollout', 'undo', 'deploy/web'), 'deployment.apps/web rolled back\n');
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    await prober?.untilOnly('v3', 60_000);
  });

  it('pause, resume and restart, with kubectl\'s refusals', async () => {
    assert.equal(await ok('rollout', 'pause', 'deploy/web'), 'deployment.apps/web paused\n');
    assert.equal(await fails('rollout', 'pause', 'deploy/web'), 'error: deployments.apps "web" is already paused\n');
    assert.match(await fails('rollout', 'undo', 'deploy/web'), /^error: you cannot rollback a paused deployment; resume it first/);
    assert.equal(await fails('rollout', 'restart', 'deploy/web'), `error: deployments.apps "web" can't restart paused deployment (run rollout resume first)\n`);
    await ok('patch', 'deploy', 'web', '-p', envPatch('v4'));
    await until('the paused Deployment to be observed', async () => {
      const out = await ok('rollout', 'status', 'deploy/web', '-w=false');
      return /0 out of 3 new replicas have been updated/.test(out) ? out : undefined;
    });
    assert.equal(await ok('rollout', 'resume', 'deploy/web'), 'deployment.apps/web resumed\n');
    assert.equal(await fails('rollout', 'resume', 'deploy/web'), 'error: deployments.apps "web" is not paused\n');
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    await prober?.untilOnly('v4', 60_000);

    const before = new Set((await client?.resource(PODS).list({ namespace: NS, labelSelector: 'app=web' }))?.items.map((p) => p.metadata.name));
    assert.equal(await ok('rollout', 'restart', 'deploy/web'), 'deployment.apps/web restarted\n');
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    await until('only restarted pods', async () => {
      const items = (await client?.resource(PODS).list({ namespace: NS, labelSelector: 'app=web' }))?.items ?? [];
      return items.length === 3 && items.every((p) => !before.has(p.metadata.name)) ? true : undefined;
    }, 60_000);
    const at = await ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}');
    assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('status reports a progress deadline passing, a missing Deployment, and other kinds', async () => {
    await ok('patch', 'deploy', 'web', '-p', '{"spec":{"progressDeadlineSeconds":15}}');
    await ok('patch', 'deploy', 'web', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', image: `minik8s/absent-${process.pid}:1` }] } } } }));
    assert.match(await fails('rollout', 'status', 'deploy/web', '--timeout=120s'), /error: deployment "web" exceeded its progress deadline\n$/);
    assert.equal(await ok('rollout', 'undo', 'deploy/web'), 'deployment.apps/web rolled back\n');
    await ok('rollout', 'status', 'deploy/web', '--timeout=300s');
    assert.equal(await fails('rollout', 'status', 'deploy/nope'), 'Error from server (NotFound): deployments.apps "nope" not found\n');
    assert.match(await fails('rollout', 'status', 'pod/x'), /no rollout support for pod/);

    const rounds = (await prober?.stop()) ?? [];
    prober = undefined;
    assert.deepEqual(versionRuns(rounds), ['v1', 'v2', 'v3', 'v1', 'v3', 'v4']);
    const silent = rounds.filter((r) => r.answers.length === 0).length;
    assert.equal(silent, 0, `${silent} of ${rounds.length} polls got no answer: ${JSON.stringify(rounds.filter((r) => r.answers.length === 0).slice(0, 5))}`);
  });

  it('completes the subcommands and deployment names', async () => {
    assert.deepEqual((await ok('__complete', 'rollout', '')).trim().split('\n'), ['status', 'history', 'undo', 'pause', 'resume', 'restart', ':0']);
    assert.match(await ok('__complete', 'rollout', 'status', 'deploy/'), /^deploy\/web$/m);
  });
});
