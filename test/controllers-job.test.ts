// The Job controller end to end: `minik8s server` on the host's Docker Engine runs four Jobs at once: one to
// 3 completions 2 at a time, one that fails past its backoffLimit, one past its activeDeadlineSeconds, and
// one deleted ttlSecondsAfterFinished after it completes. kubectl shows them as kubectl 1.32 does.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApiServer, type ServerProcess } from './support/apiserver.js';
import { kubectl, parseTable } from './support/kubectl.js';
import { hostPodNetworkArgs, removePodNetwork } from './support/podnet.js';
import { until } from './support/until.js';

const SUITE = `jobs-${process.pid}`;

function job(name: string, command: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { suite: SUITE } },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { suite: SUITE } },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', command] }],
        },
      },
    },
  };
}

interface JobView {
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

describe('Job controller on a real cluster', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'minik8s-jobs-'));
  const node = `jobs-${process.pid}`;
  let server: ServerProcess | undefined;
  let kubeconfig = '';
  const k = (args: string[], stdin?: string) => kubectl(args, { kubeconfig, ...(stdin === undefined ? {} : { stdin }) });
  const getJob = async (name: string): Promise<JobView | undefined> => {
    const r = await k(['get', 'job', name, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as JobView) : undefined;
  };
  const finished = (name: string, type: 'Complete' | 'Failed', timeoutMs: number) =>
    until(
      async () => `job ${name} to be ${type}; it is ${JSON.stringify((await getJob(name))?.status)}`,
      async () => {
        const j = await getJob(name);
        return j?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ? j : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );

  after(async () => {
    if (kubeconfig) {
      await k(['delete', 'jobs', '-l', `suite=${SUITE}`, '--wait=false']).catch(() => undefined);
      await k(['delete', 'pods', '-l', `suite=${SUITE}`, '--grace-period=1', '--wait=true', '--timeout=30s']).catch(() => undefined);
    }
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes, fails at backoffLimit and at activeDeadlineSeconds, and deletes after ttlSecondsAfterFinished', async () => {
    server = await spawnApiServer({
      command: 'server',
      dataDir,
      extraArgs: ['--kubelet-port', '0', '--node-name', node, '--heartbeat-interval', '2s', ...(await hostPodNetworkArgs())],
    });
    kubeconfig = server.kubeconfig;
    const manifests = [
      job('three', 'sleep 1; echo done', { completions: 3, parallelism: 2 }),
      job('failing', 'echo failing; exit 3', { backoffLimit: 1 }),
      job('deadline', "trap 'exit 0' TERM; sleep 1000 & wait", { activeDeadlineSeconds: 4 }),
      job('ttl', 'echo quick', { ttlSecondsAfterFinished: 2 }),
    ];
    const created = await k(['create', '-f', '-'], manifests.map((m) => JSON.stringify(m)).join('\n'));
    assert.equal(created.code, 0, created.stderr);

    // completions 3, parallelism 2: Complete with 3 succeeded pods, never more than 2 at a time.
    let maxActive = 0;
    const three = await until(
      async () => `job three to complete; it is ${JSON.stringify((await getJob('three'))?.status)}`,
      async () => {
        const j = await getJob('three');
        maxActive = Math.max(maxActive, j?.status?.active ?? 0);
        return j?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    assert.equal(three.status?.succeeded, 3);
    assert.ok(three.status?.completionTime && three.status.startTime, 'startTime and completionTime');
    assert.ok(maxActive <= 2, `at most parallelism pods active, saw ${maxActive}`);
    const pods = await k([
      'get',
      'pods',
      '-l',
      'batch.kubernetes.io/job-name=three',
      '-o',
      'jsonpath={range .items[*]}{.status.phase} {.metadata.ownerReferences[0].kind}{"\\n"}{end}',
    ]);
    assert.deepEqual(pods.stdout.trim().split('\n'), ['Succeeded Job', 'Succeeded Job', 'Succeeded Job']);
    const table = parseTable((await k(['get', 'job', 'three'])).stdout);
    assert.deepEqual(table.headers, ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.deepEqual(table.rows[0]?.slice(0, 3), ['three', 'Complete', '3/3']);

    // backoffLimit 1: the second failed pod fails the Job (after the 10 s back-off between them).
    const failing = await finished('failing', 'Failed', 180_000);
    assert.equal(failing.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(failing.status?.failed, 2);
    assert.equal((await getJob('failing'))?.status?.failed, 2, 'no pod after the Job failed');

    // activeDeadlineSeconds 4: DeadlineExceeded and its running pod is deleted.
    const deadline = await finished('deadline', 'Failed', 120_000);
    assert.equal(deadline.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'DeadlineExceeded');
    await until(
      'the deadline job pod to be gone',
      async () => {
        const r = await k(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=deadline', '-o', 'jsonpath={.items[*].metadata.name}']);
        return r.code === 0 && r.stdout.trim() === '' ? true : undefined;
      },
      120_000,
    );
    assert.equal((await k(['get', 'job', 'deadline'])).stdout.includes('Failed'), true);

    // ttlSecondsAfterFinished 2: the Job is deleted once finished.
    await until('the ttl job to be deleted', async () => ((await k(['get', 'job', 'ttl'])).stderr.includes('NotFound') ? true : undefined), 120_000);

    const events = await k(['get', 'events', '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.reason}{"\\n"}{end}']);
    for (const want of ['Job/three SuccessfulCreate', 'Job/three Completed', 'Job/failing BackoffLimitExceeded', 'Job/deadline DeadlineExceeded'])
      assert.ok(events.stdout.split('\n').includes(want), `event ${want} in:\n${events.stdout}`);
  });
});
