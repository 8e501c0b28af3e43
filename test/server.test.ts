// `minik8s server` as `npm run up` starts it: one process with the API server, the scheduler
// and a node agent on the real Docker Engine. The real kubectl runs a pod, reads its logs,
// execs into it (exit codes propagate) and deletes it (the agent stops it, then the pod goes).

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { kubectl } from './support/kubectl.js';
import { until } from './support/until.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';

describe('minik8s server (single-node cluster on Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-server-'));
  const node = `srv-${process.pid}`;
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers its node, runs a pod, serves logs and exec, reports image pull failures, and deletes pods', async () => {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())],
    });
    const k = (args: string[]) => kubectl(args, { kubeconfig: server?.kubeconfig ?? '' });
    const nodes = await k(['get', 'nodes', '-o', 'wide']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`${node}\\s+Ready`));
    assert.match(nodes.stdout, /docker:\/\//);

    const run = await k(['run', 'hello', '--image=busybox:1.36', '--image-pull-policy=Never', '--', 'sh', '-c', 'echo hello from minik8s; sleep 1000']);
    assert.equal(run.code, 0, run.stderr);
    await until('the pod to run', async () => {
      const r = await k(['get', 'pod', 'hello', '-o', 'jsonpath={.status.phase} {.spec.nodeName}']);
      return r.stdout === `Running ${node}` ? r.stdout : undefined;
    });
    const logs = await until('logs', async () => {
      const r = await k(['logs', 'hello']);
      return r.stdout.includes('hello from minik8s') ? r.stdout : undefined;
    });
    assert.match(logs, /hello from minik8s/);
    const exec = await k(['exec', 'hello', '--', 'sh', '-c', 'echo inside; exit 4']);
    assert.equal(exec.stdout.trim(), 'inside');
    assert.equal(exec.code, 4, exec.stderr);
    const events = await k(['get', 'events', '--field-selector', 'involvedObject.name=hello', '-o', 'jsonpath={.items[*].reason}']);
    for (const reason of ['Scheduled', 'Created', 'Started']) assert.ok(events.stdout.split(' ').includes(reason), `events: ${events.stdout}`);

    // An image that cannot be had: ErrImagePull, then ImagePullBackOff, with a Failed event.
    const bad = await k(['run', 'noimage', '--image=registry.invalid/nope:1', '--image-pull-policy=IfNotPresent']);
    assert.equal(bad.code, 0, bad.stderr);
    const reason = await until(
      'the pull to fail',
      async () => {
        const r = await k(['get', 'pod', 'noimage', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']);
        return /^(ErrImagePull|ImagePullBackOff)$/.test(r.stdout) ? r.stdout : undefined;
      },
      60000,
    );
    assert.match(reason, /ErrImagePull|ImagePullBackOff/);
    const failed = await k(['get', 'events', '--field-selector', 'involvedObject.name=noimage,reason=Failed', '-o', 'jsonpath={.items[*].message}']);
    assert.match(failed.stdout, /registry\.invalid\/nope:1/);
    assert.equal((await k(['delete', 'pod', 'noimage', '--grace-period=1', '--timeout=60s'])).code, 0);

    const del = await k(['delete', 'pod', 'hello', '--grace-period=1', '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
    const gone = await k(['get', 'pod', 'hello']);
    assert.match(gone.stderr, /NotFound/);
  });
});
