import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { harness, makePod } from './testing.js';
import type { Pod } from './types.js';

function onlyStatus(h: ReturnType<typeof harness>, pod: Pod): NonNullable<Pod['status']> {
  const p = h.api.get(pod.metadata.uid ?? '');
  assert.ok(p?.status, 'pod has a status');
  return p.status;
}

describe('pod sync (FakeRuntime, FakeClock)', () => {
  it('starts a pod, reports it Running and Ready, and writes the status only when it changes', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(
      makePod('web', {
        containers: [
          { name: 'a', image: 'busybox:1.36' },
          { name: 'b', image: 'busybox:1.36' },
        ],
      }),
    );
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    assert.equal(h.runtime.running(uid).length, 2);
    assert.equal(h.runtime.sandboxes.size, 1);
    const s = onlyStatus(h, pod);
    assert.equal(s.phase, 'Running');
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.match(s.podIP ?? '', /^10\.88\./);
    assert.match(s.containerStatuses?.[0]?.containerID ?? '', /^docker:\/\/c/);
    assert.deepEqual(h.recorder.reasons(), ['Pulled', 'Pulled', 'Created', 'Created', 'Started', 'Started']);
    const writes = h.api.statusWrites.length;
    await h.sync(uid);
    await h.sync(uid);
    assert.equal(h.api.statusWrites.length, writes, 'no change, no write');
    assert.equal(h.runtime.calls.filter((c) => c.op === 'createContainer').length, 2, 'nothing is created twice');
  });

  it('passes resources, env, command and mounts to the runtime', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    h.api.configMaps.set('default/cfg', { metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.conf': 'x=1' } });
    const pod = h.api.put(
      makePod('web', {
        volumes: [
          { name: 'shared', emptyDir: {} },
          { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'sub/app.conf' }] } },
        ],
        containers: [
          {
            name: 'a',
            image: 'busybox:1.36',
            command: ['sh', '-c'],
            args: ['echo $(GREETING) > /data/x'],
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } },
            volumeMounts: [
              { name: 'shared', mountPath: '/data' },
              { name: 'conf', mountPath: '/etc/app' },
            ],
          },
          { name: 'b', image: 'busybox:1.36', volumeMounts: [{ name: 'shared', mountPath: '/in', readOnly: true }] },
        ],
      }),
    );
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    const a = h.runtime.containerByName(uid, 'a');
    const b = h.runtime.containerByName(uid, 'b');
    assert.ok(a && b);
    assert.equal(a.config.cpuLimitMillis, 500);
    assert.equal(a.config.cpuShares, 256);
    assert.equal(a.config.memoryLimitBytes, 64 * 1024 * 1024);
    assert.equal(b.config.cpuLimitMillis, undefined);
    assert.deepEqual(a.config.command, ['sh', '-c']);
    assert.deepEqual(a.config.args, ['echo hello > /data/x']);
    assert.equal(a.config.env['GREETING'], 'hello');
    assert.match(a.config.env['IP'] ?? '', /^10\.88\./);
    const shared = a.config.mounts.find((m) => m.containerPath === '/data');
    const sharedB = b.config.mounts.find((m) => m.containerPath === '/in');
    assert.ok(shared && sharedB);
    assert.equal(shared.hostPath, sharedB.hostPath, 'both containers mount the same emptyDir');
    assert.equal(sharedB.readOnly, true);
    assert.equal(statSync(shared.hostPath).mode & 0o777, 0o777);
    const conf = a.config.mounts.find((m) => m.containerPath === '/etc/app');
    assert.ok(conf?.readOnly);
    assert.equal(readFileSync(`${conf.hostPath}/sub/app.conf`, 'utf8'), 'x=1');
    assert.equal(existsSync(`${conf.hostPath}/greeting`), false, 'items select keys');
  });

  it('CrashLoopBackOff: restarts at once, then after 10 s, 20 s; restartCount grows; BackOff events', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('crash'));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    const restartTimes: number[] = [];
    const t0 = h.clock.now();
    for (let i = 0; i < 4; i++) {
      const running = h.runtime.running(uid)[0];
      assert.ok(running, `a container runs before crash ${i}`);
      h.runtime.exit(running.id, 1);
      let r = await h.sync(uid);
      while (h.runtime.running(uid).length === 0) {
        assert.ok(r.requeueAfterMs !== undefined, 'a waiting container asks for a later sync');
        const s = onlyStatus(h, pod).containerStatuses?.[0];
        assert.equal(s?.state.waiting?.reason, 'CrashLoopBackOff');
        assert.equal(s?.lastState.terminated?.exitCode, 1);
        await h.clock.advanceAsync(r.requeueAfterMs);
        r = await h.sync(uid);
      }
      restartTimes.push(h.clock.now() - t0);
    }
    assert.deepEqual(restartTimes, [0, 10_000, 30_000, 70_000]);
    const cs = onlyStatus(h, pod).containerStatuses?.[0];
    assert.equal(cs?.restartCount, 4);
    assert.ok(cs?.state.running);
    assert.ok(h.recorder.reasons().includes('BackOff'));
    assert.equal(h.runtime.containers.size, 2, 'only the newest two attempts are kept');
  });

  it('graceful deletion: stops with the grace period, removes everything, deletes with grace 0', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(
      makePod('bye', {
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [{ name: 'main', image: 'busybox:1.36', volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      }),
    );
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    assert.ok(existsSync(h.ctx.volumes.podDir(uid)));
    h.api.markDeleted(uid, 7, h.clock.now());
    const r = await h.sync(uid);
    assert.equal(r.finished, true);
    const stops = h.runtime.calls.filter((c) => c.op === 'stopContainer');
    assert.deepEqual(
      stops.map((c) => c.detail),
      ['grace=7'],
    );
    assert.equal(h.runtime.containers.size, 0);
    assert.equal(h.runtime.sandboxes.size, 0);
    assert.deepEqual(h.api.deletes, [uid]);
    assert.equal(existsSync(h.ctx.volumes.podDir(uid)), false);
    assert.ok(h.recorder.reasons().includes('Killing'));
  });

  it('after an agent restart, adopts what runs: no container is recreated, restart counts are kept', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('keep'));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    h.runtime.exit(h.runtime.running(uid)[0]?.id ?? '', 1);
    await h.sync(uid); // restart #1
    const before = h.runtime.running(uid)[0];
    assert.equal(before?.attempt, 1);
    const creates = h.runtime.calls.filter((c) => c.op === 'createContainer' || c.op === 'createSandbox').length;
    // A new agent: all in-memory state gone.
    h.states.clear();
    await h.sync(uid);
    await h.sync(uid);
    assert.equal(h.runtime.calls.filter((c) => c.op === 'createContainer' || c.op === 'createSandbox').length, creates);
    assert.equal(h.runtime.running(uid)[0]?.id, before?.id);
    assert.equal(onlyStatus(h, pod).containerStatuses?.[0]?.restartCount, 1);
  });

  it('removes the containers of a pod the API no longer has', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('gone'));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    h.api.pods.delete(uid);
    const r = await h.sync(uid);
    assert.equal(r.finished, true);
    assert.equal(h.runtime.containers.size, 0);
    assert.equal(h.runtime.sandboxes.size, 0);
    assert.deepEqual(h.api.deletes, [], 'no API call for a pod that is gone');
  });

  it('image pull failures: ErrImagePull, then ImagePullBackOff until the retry', async (t) => {
    const h = harness({ images: [] });
    t.after(() => h.dispose());
    h.runtime.images.clear();
    const pod = h.api.put(makePod('img', { containers: [{ name: 'main', image: 'registry.invalid/nope:1' }] }));
    const uid = pod.metadata.uid ?? '';
    const runtime = h.runtime;
    runtime.pullable = () => false;
    const r = await h.sync(uid);
    assert.equal(onlyStatus(h, pod).containerStatuses?.[0]?.state.waiting?.reason, 'ErrImagePull');
    assert.equal(r.requeueAfterMs, 10_000);
    await h.sync(uid);
    assert.equal(onlyStatus(h, pod).containerStatuses?.[0]?.state.waiting?.reason, 'ImagePullBackOff');
    assert.ok(h.recorder.events.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    runtime.pullable = () => true;
    await h.clock.advanceAsync(10_000);
    await h.sync(uid);
    assert.equal(h.runtime.running(uid).length, 1);
    assert.ok(h.recorder.events.some((e) => e.reason === 'Pulling'));
  });

  it('a missing ConfigMap holds the container back with CreateContainerConfigError', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('cfg', { containers: [{ name: 'main', image: 'busybox:1.36', envFrom: [{ configMapRef: { name: 'later' } }] }] }));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    const w = onlyStatus(h, pod).containerStatuses?.[0]?.state.waiting;
    assert.equal(w?.reason, 'CreateContainerConfigError');
    assert.equal(w?.message, 'configmap "later" not found');
    h.api.configMaps.set('default/later', { metadata: { name: 'later' }, data: { K: 'v' } });
    await h.clock.advanceAsync(10_000);
    await h.sync(uid);
    assert.equal(h.runtime.containerByName(uid, 'main')?.config.env['K'], 'v');
  });

  it('liveness failures kill and restart the container; readiness flips the Ready condition', async (t) => {
    let live = true;
    let ready = true;
    const h = harness({
      probeRunner: (probe) => Promise.resolve(probe.exec?.command?.[0] === 'live' ? { ok: live, message: 'dead' } : { ok: ready, message: 'not ready' }),
    });
    const pod = h.api.put(
      makePod('probed', {
        containers: [
          {
            name: 'main',
            image: 'busybox:1.36',
            livenessProbe: { exec: { command: ['live'] }, periodSeconds: 5, failureThreshold: 2 },
            readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 5, failureThreshold: 1 },
          },
        ],
      }),
    );
    t.after(() => h.dispose());
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    assert.equal(onlyStatus(h, pod).conditions?.find((c) => c.type === 'Ready')?.status, 'False', 'not ready before the first readiness success');
    await h.clock.advanceAsync(1);
    await h.sync(uid);
    assert.equal(onlyStatus(h, pod).conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    ready = false;
    await h.clock.advanceAsync(5000);
    await h.sync(uid);
    assert.equal(onlyStatus(h, pod).conditions?.find((c) => c.type === 'Ready')?.status, 'False');

    const first = h.runtime.running(uid)[0];
    live = false;
    await h.clock.advanceAsync(5000);
    assert.deepEqual(h.probes.unhealthy(uid), new Map(), 'one failure is below the threshold');
    await h.clock.advanceAsync(5000);
    assert.equal(h.probes.unhealthy(uid).size, 1);
    await h.sync(uid); // kills
    await h.sync(uid); // restarts (the first restart is immediate)
    const second = h.runtime.running(uid)[0];
    assert.notEqual(second?.id, first?.id);
    assert.equal(second?.attempt, 1);
    assert.ok(h.recorder.events.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed')));
    assert.ok(h.recorder.events.some((e) => e.reason === 'Killing' && e.message === 'Container main failed liveness probe, will be restarted'));
    assert.deepEqual(h.probes.unhealthy(uid), new Map(), 'the new container starts healthy');
  });

  it('OnFailure: a container that succeeded is not restarted and the pod Succeeds', async (t) => {
    const h = harness();
    t.after(() => h.dispose());
    const pod = h.api.put(makePod('job', { restartPolicy: 'OnFailure' }));
    const uid = pod.metadata.uid ?? '';
    await h.sync(uid);
    h.runtime.exit(h.runtime.running(uid)[0]?.id ?? '', 0);
    await h.sync(uid);
    assert.equal(h.runtime.running(uid).length, 0);
    assert.equal(onlyStatus(h, pod).phase, 'Succeeded');
    assert.equal(onlyStatus(h, pod).containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
  });
});
