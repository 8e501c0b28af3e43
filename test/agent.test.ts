// The node agent end to end: a real API server (in-process), startAgent with the Docker runtime on the local
// engine, and the bootstrap images (busybox:1.36, minik8s/pause:1; `minik8s images bootstrap` builds them).
// Pods share an emptyDir, get their limits in the cgroup, are OOM-killed, crash-loop with the real back-off,
// flip readiness through an exec probe, run init containers first, are deleted gracefully, and survive an
// agent restart without being recreated. Everything this suite starts is removed at the end.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startAgent, type AgentOptions, type RunningAgent } from '../src/agent/agent.js';
import { NODE_NAME_LABEL } from '../src/agent/decide.js';
import { DockerRuntime } from '../src/agent/runtime/docker/index.js';
import type { ContainerStatus } from '../src/agent/runtime/runtime.js';
import type { Container, Pod, PodSpec } from '../src/agent/types.js';
import { isApiError } from '../src/api/errors.js';
import { lookupResource, type ResourceType } from '../src/api/scheme.js';
import { silentLogger } from '../src/util/logger.js';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { until } from './support/until.js';

const PODS = lookupResource('', 'v1', 'pods') as ResourceType;
const EVENTS = lookupResource('', 'v1', 'events') as ResourceType;
const NODE = `e2e-agent-${process.pid}`;
const NS = 'default';
const IMAGE = 'busybox:1.36';


describe('node agent on Docker (end to end)', () => {
  let server: TestServer;
  let runtime: DockerRuntime;
  let rootDir: string;
  let agent: RunningAgent | undefined;
  const t0 = Date.now();

  const options = (): AgentOptions => ({
    client: server.client,
    runtime,
    nodeName: NODE,
    rootDir,
    relistIntervalMs: 500,
    heartbeatIntervalMs: 5000,
    logger: silentLogger,
  });
  const pods = () => server.client.resource<Pod>(PODS);
  const get = (name: string): Promise<Pod> => pods().get(name, { namespace: NS });
  const create = (name: string, spec: Omit<PodSpec, 'nodeName'>): Promise<Pod> =>
    pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { ...spec, nodeName: NODE } });
  const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => ({ name, image: IMAGE, command: ['sh', '-c', script], ...extra });
  const containerOf = async (pod: Pod, name: string): Promise<ContainerStatus | undefined> =>
    (await runtime.listContainers({ podUid: pod.metadata.uid ?? '' })).filter((c) => c.name === name && c.state === 'running')[0];
  const exec = async (id: string, command: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const s = await runtime.exec(id, { command, tty: false, stdout: sink, stderr: sink });
    const code = await s.exited;
    return { code, out };
  };
  const running = (name: string): Promise<Pod> =>
    until(`pod ${name} Running and Ready`, async () => {
      const p = await get(name);
      return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });

  before(async () => {
    runtime = new DockerRuntime({ socketPath: '/var/run/docker.sock' });
    for (const image of [IMAGE, 'minik8s/pause:1']) {
      await runtime.ensureImage(image, 'Never').catch(() => {
        throw new Error(`image ${image} is missing: run ./bin/minik8s images bootstrap`);
      });
    }
    server = await startTestServer();
    rootDir = mkdtempSync(join(tmpdir(), 'minik8s-agent-e2e-'));
    agent = await startAgent(options());
    // Started first: its back-off timing runs while the other tests do.
    await create('crash', { containers: [sh('fail', 'exit 3')] });
  });

  after(async () => {
    await agent?.stop();
    // Remove every engine object this agent made (busybox ignores SIGTERM; a forced removal is immediate).
    const mine = (l: Record<string, string>): boolean => l[NODE_NAME_LABEL] === NODE;
    for (const c of await runtime.listContainers()) if (mine(c.labels)) await runtime.removeContainer(c.id);
    for (const s of await runtime.listSandboxes()) if (mine(s.labels)) await runtime.removeSandbox(s.id);
    await server.stop();
    rmSync(rootDir, { recursive: true, force: true });
    process.stderr.write(`agent e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it('runs a two-container pod sharing an emptyDir: one writes, the other reads', async () => {
    await create('share', {
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [
        sh('writer', 'echo hello-from-writer > /data/msg; exec sleep 3600', { volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
        sh('reader', 'exec sleep 3600', {
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
          readinessProbe: { exec: { command: ['cat', '/data/msg'] }, periodSeconds: 1 },
        }),
      ],
    });
    const pod = await running('share');
    const reader = await containerOf(pod, 'reader');
    assert.ok(reader, 'the reader runs');
    assert.deepEqual(await exec(reader.id, ['cat', '/data/msg']), { code: 0, out: 'hello-from-writer\n' });
    assert.match(pod.status?.podIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(
      pod.status?.containerStatuses?.every((c) => c.ready && c.containerID?.startsWith('docker://')),
      true,
    );
    const events = await server.client.resource(EVENTS).list({ namespace: NS });
    const reasons = new Set(events.items.filter((e) => (e['involvedObject'] as { name?: string }).name === 'share').map((e) => String(e['reason'])));
    for (const r of ['Pulled', 'Created', 'Started']) assert.ok(reasons.has(r), `event ${r} among ${[...reasons].join(',')}`);
  });

  it('puts limits into the cgroup and reports an OOM kill as OOMKilled', async () => {
    await create('limits', {
      restartPolicy: 'Never',
      containers: [
        sh('capped', 'exec sleep 3600', { resources: { limits: { cpu: '500m', memory: '64Mi' } } }),
        sh('hog', 'sleep 1; tail /dev/zero', { resources: { limits: { memory: '16Mi' } } }),
      ],
    });
    const oom = await until('hog OOMKilled', async () => {
      const s = (await get('limits')).status?.containerStatuses?.find((c) => c.name === 'hog');
      return s?.state.terminated ? s : undefined;
    });
    assert.equal(oom.state.terminated?.reason, 'OOMKilled');
    assert.equal(oom.state.terminated?.exitCode, 137);
    const capped = await containerOf(await get('limits'), 'capped');
    assert.ok(capped);
    const mem = await exec(capped.id, ['sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes']);
    assert.equal(mem.out.trim(), String(64 * 1024 * 1024));
    const cpu = await exec(capped.id, ['sh', '-c', 'cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us']);
    assert.match(cpu.out.trim(), /^50000( 100000)?$/);
  });

  it('runs init containers in order before the app container', async () => {
    await create('init', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        sh('first', 'echo one >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        sh('second', 'sleep 1; echo two >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
      ],
      containers: [sh('main', 'echo main >> /work/order; exec sleep 3600', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
    });
    const pod = await running('init');
    assert.deepEqual(
      pod.status?.initContainerStatuses?.map((s) => [s.name, s.state.terminated?.reason]),
      [
        ['first', 'Completed'],
        ['second', 'Completed'],
      ],
    );
    const main = await containerOf(pod, 'main');
    assert.ok(main);
    assert.equal((await exec(main.id, ['cat', '/work/order'])).out, 'one\ntwo\nmain\n');
  });

  it('flips readiness with an exec probe', async () => {
    await create('probe', {
      containers: [
        sh('app', 'exec sleep 3600', { readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }),
      ],
    });
    const readyOf = async (): Promise<string | undefined> => (await get('probe')).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const pod = await until('probe pod Running', async () => ((await get('probe')).status?.phase === 'Running' ? get('probe') : undefined));
    assert.equal(await readyOf(), 'False');
    const app = await containerOf(pod, 'app');
    assert.ok(app);
    await exec(app.id, ['touch', '/tmp/ready']);
    await until('Ready=True', async () => ((await readyOf()) === 'True' ? true : undefined));
    await exec(app.id, ['rm', '/tmp/ready']);
    await until('Ready=False', async () => ((await readyOf()) === 'False' ? true : undefined));
  });

  it('probes over the network from the agent, and restarts a container whose liveness probe fails', async () => {
    await create('web', {
      terminationGracePeriodSeconds: 1,
      containers: [
        sh('httpd', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www', {
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 1 },
          livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        }),
        sh('watched', 'touch /tmp/alive; exec sleep 3600', {
          livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ],
    });
    const pod = await running('web');
    const watched = await containerOf(pod, 'watched');
    assert.ok(watched);
    await exec(watched.id, ['rm', '/tmp/alive']);
    const s = await until('watched restarted', async () => {
      const cs = (await get('web')).status?.containerStatuses?.find((c) => c.name === 'watched');
      return cs && cs.restartCount >= 1 && cs.state.running ? cs : undefined;
    });
    assert.equal(s.restartCount, 1);
    const events = await server.client.resource(EVENTS).list({ namespace: NS });
    const mine = events.items
      .filter((e) => (e['involvedObject'] as { name?: string }).name === 'web')
      .map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
    assert.ok(
      mine.some((e) => e.startsWith('Unhealthy: Liveness probe failed')),
      mine.join('\n'),
    );
    assert.ok(mine.includes('Killing: Container watched failed liveness probe, will be restarted'), mine.join('\n'));
    assert.equal((await get('web')).status?.containerStatuses?.find((c) => c.name === 'httpd')?.restartCount, 0);
  });

  it('restarts a failing container with CrashLoopBackOff timing', async () => {
    const pod = await until(
      'restartCount 2',
      async () => {
        const p = await get('crash');
        const s = p.status?.containerStatuses?.[0];
        return s && s.restartCount >= 2 ? p : undefined;
      },
      40_000,
    );
    const s = pod.status?.containerStatuses?.[0];
    assert.equal(s?.lastState.terminated?.exitCode, 3);
    // The engine's own timestamps: attempt 1 ran at once after attempt 0 failed; attempt 2 waited the 10 s back-off.
    const byAttempt = new Map((await runtime.listContainers({ podUid: pod.metadata.uid ?? '' })).map((c) => [c.attempt, c]));
    const a1 = byAttempt.get(1);
    const a2 = byAttempt.get(2);
    assert.ok(a1?.finishedAt !== undefined && a2?.startedAt !== undefined, `attempts 1 and 2 are kept: ${[...byAttempt.keys()].join(',')}`);
    const gap = a2.startedAt - a1.finishedAt;
    assert.ok(gap >= 9000 && gap < 15_000, `attempt 2 started ${gap} ms after attempt 1 failed; expected the 10 s back-off`);
    const events = await server.client.resource(EVENTS).list({ namespace: NS });
    assert.ok(
      events.items.some((e) => (e['involvedObject'] as { name?: string }).name === 'crash' && e['reason'] === 'BackOff'),
      'a BackOff event',
    );
    // Between restarts the container waits in CrashLoopBackOff.
    const waiting = await until('CrashLoopBackOff', async () => {
      const w = (await get('crash')).status?.containerStatuses?.[0]?.state.waiting;
      return w?.reason === 'CrashLoopBackOff' ? w : undefined;
    });
    assert.match(waiting.message ?? '', /^back-off 20s restarting failed container=fail/);
  });

  it('keeps containers and restart counts across an agent restart', async () => {
    const pod = await get('share');
    const uid = pod.metadata.uid ?? '';
    const before = (await runtime.listContainers({ podUid: uid })).map((c) => `${c.id}:${c.attempt}`).sort();
    const restarts = pod.status?.containerStatuses?.map((c) => c.restartCount);
    await agent?.stop();
    agent = await startAgent(options());
    await new Promise((r) => setTimeout(r, 2000)); // a few relists and syncs
    const afterIds = (await runtime.listContainers({ podUid: uid })).map((c) => `${c.id}:${c.attempt}`).sort();
    assert.deepEqual(afterIds, before, 'the same containers, none recreated');
    const now = await running('share');
    assert.deepEqual(
      now.status?.containerStatuses?.map((c) => c.restartCount),
      restarts,
    );
  });

  it('deletes gracefully: SIGTERM, SIGKILL after the grace period, then the pod object goes', async () => {
    const pod = await get('probe'); // Running, and not ready since the previous test
    assert.equal(pod.status?.phase, 'Running');
    const uid = pod.metadata.uid ?? '';
    const start = Date.now();
    await pods().delete('probe', { namespace: NS, gracePeriodSeconds: 2 });
    await until('probe deleted', async () => {
      try {
        await get('probe');
        return undefined;
      } catch (e) {
        return isApiError(e) && e.reason === 'NotFound' ? true : undefined;
      }
    });
    const took = Date.now() - start;
    // sleep as PID 1 ignores SIGTERM, so the engine waits the whole grace period before SIGKILL.
    assert.ok(took >= 1900 && took < 10_000, `deletion took ${took} ms with a 2 s grace period`);
    assert.deepEqual(await runtime.listContainers({ podUid: uid }), []);
    assert.equal((await runtime.listSandboxes()).filter((s) => s.pod.uid === uid).length, 0);
  });
});
