import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SANDBOX_ID_LABEL, type Waiting } from './decide.js';
import { computePodStatus, qosClassOf, type PodStatusInput } from './podstatus.js';
import type { ContainerStatus, Sandbox } from './runtime/runtime.js';
import { makePod } from './testing.js';
import type { Pod, PodStatus } from './types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const sandbox: Sandbox = { id: 'sb1', pod: { uid: 'u', name: 'p', namespace: 'default' }, ip: '10.88.0.7', running: true, createdAt: T0, labels: {} };

function ctr(name: string, over: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: `${name}-${over.attempt ?? 0}`,
    pod: sandbox.pod,
    name,
    role: 'container',
    attempt: 0,
    specHash: 'h',
    image: 'busybox:1.36',
    imageId: 'sha256:abc',
    state: 'running',
    createdAt: T0,
    startedAt: T0 + 1000,
    oomKilled: false,
    labels: { [SANDBOX_ID_LABEL]: 'sb1' },
    ...over,
  };
}

function status(pod: Pod, containers: ContainerStatus[], over: Partial<PodStatusInput> = {}): PodStatus {
  return computePodStatus({
    pod,
    sandbox,
    containers,
    waiting: new Map<string, Waiting>(),
    probes: { ready: new Map(), started: new Map() },
    hostIP: '192.168.1.10',
    runtimeName: 'docker',
    now: T0 + 5000,
    previous: undefined,
    ...over,
  });
}

const cond = (s: PodStatus, type: string): string | undefined => s.conditions?.find((c) => c.type === type)?.status;

describe('pod status', () => {
  it('a pod with nothing created yet is Pending with ContainerCreating', () => {
    const pod = makePod('p');
    const s = status(pod, [], { sandbox: undefined });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(s.containerStatuses?.[0]?.ready, false);
    assert.equal(cond(s, 'Ready'), 'False');
    assert.equal(cond(s, 'PodScheduled'), 'True');
    assert.equal(s.podIP, undefined);
    assert.equal(s.hostIP, '192.168.1.10');
    assert.equal(s.startTime, '2026-01-01T12:00:05Z');
    assert.equal(s.qosClass, 'BestEffort');
  });

  it('running containers without probes are ready; IPs, IDs and times are reported', () => {
    const pod = makePod('p', {
      containers: [
        { name: 'a', image: 'busybox:1.36' },
        { name: 'b', image: 'busybox:1.36' },
      ],
    });
    const s = status(pod, [ctr('a'), ctr('b')]);
    assert.equal(s.phase, 'Running');
    assert.equal(cond(s, 'Ready'), 'True');
    assert.equal(cond(s, 'ContainersReady'), 'True');
    assert.equal(cond(s, 'Initialized'), 'True');
    assert.equal(s.podIP, '10.88.0.7');
    assert.deepEqual(s.podIPs, [{ ip: '10.88.0.7' }]);
    assert.deepEqual(s.hostIPs, [{ ip: '192.168.1.10' }]);
    const a = s.containerStatuses?.[0];
    assert.deepEqual(a, {
      name: 'a',
      state: { running: { startedAt: '2026-01-01T12:00:01Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'busybox:1.36',
      imageID: 'sha256:abc',
      started: true,
      containerID: 'docker://a-0',
    });
  });

  it('readiness and startup probes gate ready and started', () => {
    const pod = makePod('p', {
      containers: [{ name: 'a', image: 'x:1', readinessProbe: { exec: { command: ['true'] } }, startupProbe: { exec: { command: ['true'] } } }],
    });
    const c = ctr('a');
    let s = status(pod, [c]);
    assert.equal(s.containerStatuses?.[0]?.ready, false);
    assert.equal(s.containerStatuses?.[0]?.started, false);
    assert.equal(s.phase, 'Running');
    assert.equal(cond(s, 'Ready'), 'False');
    assert.match(s.conditions?.find((x) => x.type === 'Ready')?.message ?? '', /unready status: \[a\]/);
    s = status(pod, [c], { probes: { ready: new Map([[c.id, true]]), started: new Map([[c.id, true]]) } });
    assert.equal(s.containerStatuses?.[0]?.ready, true);
    assert.equal(s.containerStatuses?.[0]?.started, true);
    assert.equal(cond(s, 'Ready'), 'True');
    s = status(pod, [c], { probes: { ready: new Map([[c.id, true]]), started: new Map([[c.id, false]]) } });
    assert.equal(s.containerStatuses?.[0]?.ready, false, 'not ready before the startup probe passes');
  });

  it('a crash-looping container is waiting with the last run as lastState, and the pod stays Running', () => {
    const pod = makePod('p');
    const prev = ctr('main', { attempt: 2, state: 'exited', exitCode: 1, finishedAt: T0 + 3000 });
    const older = ctr('main', { attempt: 1, state: 'exited', exitCode: 1, finishedAt: T0 + 2000 });
    const s = status(pod, [prev, older], { waiting: new Map([['main', { reason: 'CrashLoopBackOff', message: 'back-off 20s' }]]) });
    const cs = s.containerStatuses?.[0];
    assert.deepEqual(cs?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    assert.deepEqual(cs?.lastState, {
      terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-01-01T12:00:01Z', finishedAt: '2026-01-01T12:00:03Z', containerID: 'docker://main-2' },
    });
    assert.equal(cs?.restartCount, 2);
    assert.equal(s.phase, 'Running');
  });

  it('phases follow restartPolicy: Never → Succeeded/Failed, OnFailure restarts failures', () => {
    const ok = ctr('main', { state: 'exited', exitCode: 0, finishedAt: T0 + 2000 });
    const bad = ctr('main', { state: 'exited', exitCode: 3, finishedAt: T0 + 2000 });
    assert.equal(status(makePod('p', { restartPolicy: 'Never' }), [ok]).phase, 'Succeeded');
    assert.equal(status(makePod('p', { restartPolicy: 'Never' }), [bad]).phase, 'Failed');
    assert.equal(status(makePod('p', { restartPolicy: 'OnFailure' }), [ok]).phase, 'Succeeded');
    assert.equal(status(makePod('p', { restartPolicy: 'OnFailure' }), [bad]).phase, 'Running');
    assert.equal(status(makePod('p', { restartPolicy: 'Always' }), [ok]).phase, 'Running');
    const done = status(makePod('p', { restartPolicy: 'Never' }), [ok]);
    assert.deepEqual(done.containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });

  it('an OOM kill is reported as the terminated reason OOMKilled', () => {
    const s = status(makePod('p', { restartPolicy: 'Never' }), [ctr('main', { state: 'exited', exitCode: 137, oomKilled: true, finishedAt: T0 + 2000 })]);
    assert.equal(s.containerStatuses?.[0]?.state.terminated?.reason, 'OOMKilled');
    assert.equal(s.containerStatuses?.[0]?.state.terminated?.exitCode, 137);
    assert.equal(s.phase, 'Failed');
  });

  it('a terminal phase never changes afterwards', () => {
    const pod = makePod('p', { restartPolicy: 'Never' });
    const s = status(pod, [ctr('main')], { previous: { phase: 'Succeeded' } });
    assert.equal(s.phase, 'Succeeded');
  });

  it('init containers: PodInitializing until all complete; a failed one fails a Never pod', () => {
    const pod = makePod('p', {
      initContainers: [
        { name: 'i1', image: 'x:1' },
        { name: 'i2', image: 'x:1' },
      ],
    });
    let s = status(pod, [ctr('i1', { role: 'init' })]);
    assert.equal(s.phase, 'Pending');
    assert.equal(cond(s, 'Initialized'), 'False');
    assert.match(s.conditions?.find((c) => c.type === 'Initialized')?.message ?? '', /\[i1 i2\]/);
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(s.initContainerStatuses?.[1]?.state, { waiting: { reason: 'PodInitializing' } });
    assert.equal(s.initContainerStatuses?.[0]?.ready, false);

    const i1 = ctr('i1', { role: 'init', state: 'exited', exitCode: 0, finishedAt: T0 + 2000 });
    const i2 = ctr('i2', { role: 'init', state: 'exited', exitCode: 0, finishedAt: T0 + 3000 });
    s = status(pod, [i1, i2]);
    assert.equal(cond(s, 'Initialized'), 'True');
    assert.equal(s.initContainerStatuses?.[0]?.ready, true);
    assert.equal(s.initContainerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(s.phase, 'Pending');

    const never = makePod('p', { restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'x:1' }] });
    s = status(never, [ctr('i1', { role: 'init', state: 'exited', exitCode: 1, finishedAt: T0 + 2000 })]);
    assert.equal(s.phase, 'Failed');
  });

  it('keeps lastTransitionTime and startTime while nothing changes, and moves it on a change', () => {
    const pod = makePod('p');
    const first = status(pod, [ctr('main')], { now: T0 + 5000 });
    const again = status(pod, [ctr('main')], { now: T0 + 60_000, previous: first });
    assert.deepEqual(again, first, 'identical input later gives an identical status');
    const after = status(pod, [ctr('main', { state: 'exited', exitCode: 1, finishedAt: T0 + 61_000 })], {
      now: T0 + 62_000,
      previous: first,
      waiting: new Map([['main', { reason: 'CrashLoopBackOff', message: 'm' }]]),
    });
    const ready = after.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.lastTransitionTime, '2026-01-01T12:01:02Z');
    assert.equal(after.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2026-01-01T12:00:05Z');
    assert.equal(after.startTime, first.startTime);
  });

  it('host-network pods report the host IP as pod IP', () => {
    const s = status(makePod('p', { hostNetwork: true }), [ctr('main')], { sandbox: { ...sandbox, ip: '' } });
    assert.equal(s.podIP, '192.168.1.10');
  });

  it('computes the QoS class', () => {
    const g = makePod('g', { containers: [{ name: 'a', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] });
    const g2 = makePod('g', {
      containers: [{ name: 'a', resources: { limits: { cpu: '0.5', memory: '64Mi' }, requests: { cpu: '500m', memory: '67108864' } } }],
    });
    const b = makePod('b', { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] });
    const b2 = makePod('b', { containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'c' }] });
    const be = makePod('be', { containers: [{ name: 'a' }] });
    assert.equal(qosClassOf(g), 'Guaranteed');
    assert.equal(qosClassOf(g2), 'Guaranteed');
    assert.equal(qosClassOf(b), 'Burstable');
    assert.equal(qosClassOf(b2), 'Burstable');
    assert.equal(qosClassOf(be), 'BestEffort');
  });
});
