import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, type BackoffEntry, type StartFailure } from './backoff.js';
import { decide, SANDBOX_ID_LABEL, type Action, type DecideInput } from './decide.js';
import { containerHash } from './hash.js';
import type { ContainerStatus, Sandbox } from './runtime/runtime.js';
import { makePod } from './testing.js';
import { containersOf, type Pod } from './types.js';

const NOW = 1_000_000;

function sb(id: string, over: Partial<Sandbox> = {}): Sandbox {
  return { id, pod: { uid: 'u', name: 'p', namespace: 'default' }, ip: '10.88.0.2', running: true, createdAt: NOW - 60_000, labels: {}, ...over };
}

function ctr(pod: Pod, name: string, over: Partial<ContainerStatus> = {}): ContainerStatus {
  const spec = [...containersOf(pod.spec?.initContainers), ...containersOf(pod.spec?.containers)].find((c) => c.name === name);
  const attempt = over.attempt ?? 0;
  return {
    id: `${name}-${attempt}`,
    pod: { uid: pod.metadata.uid ?? '', name: pod.metadata.name ?? '', namespace: 'default' },
    name,
    role: containersOf(pod.spec?.initContainers).some((c) => c.name === name) ? 'init' : 'container',
    attempt,
    specHash: spec ? containerHash(spec) : 'x',
    image: spec?.image ?? '',
    imageId: 'sha256:1',
    state: 'running',
    createdAt: NOW - 50_000 + attempt,
    startedAt: NOW - 50_000 + attempt,
    oomKilled: false,
    labels: { [SANDBOX_ID_LABEL]: 'sb1' },
    ...over,
  };
}

function input(pod: Pod | undefined, over: Partial<DecideInput> = {}): DecideInput {
  return {
    uid: pod?.metadata.uid ?? 'u',
    pod,
    sandboxes: [],
    containers: [],
    crashBackoff: new Map(),
    startFailures: new Map(),
    unhealthy: new Map(),
    now: NOW,
    backoff: DEFAULT_BACKOFF,
    ...over,
  };
}

/** Compact action strings: easier to read in failures than objects. */
function show(actions: Action[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'killContainer':
        return `kill ${a.id} grace=${a.graceSeconds} ${a.reason}`;
      case 'removeContainer':
        return `remove ${a.id}`;
      case 'removeSandbox':
        return `removeSandbox ${a.sandboxId}`;
      case 'pullImage':
        return `pull ${a.name} ${a.image} ${a.policy}`;
      case 'startContainer':
        return `start ${a.name}#${a.attempt}${a.backoff ? ` backoff=${a.backoff.delayMs}` : ''}`;
      default:
        return a.type;
    }
  });
}

describe('decide', () => {
  it('a new pod: create the sandbox, pull images, start every container', () => {
    const pod = makePod('p', {
      containers: [
        { name: 'a', image: 'busybox:1.36' },
        { name: 'b', image: 'nginx', imagePullPolicy: 'IfNotPresent' },
      ],
    });
    const d = decide(input(pod));
    assert.deepEqual(show(d.actions), ['createSandbox', 'pull a busybox:1.36 IfNotPresent', 'start a#0', 'pull b nginx IfNotPresent', 'start b#0']);
    assert.equal(d.terminating, false);
  });

  it('adopted containers that run their current spec are left alone', () => {
    const pod = makePod('p', {
      containers: [
        { name: 'a', image: 'busybox:1.36' },
        { name: 'b', image: 'busybox:1.36' },
      ],
    });
    const d = decide(input(pod, { sandboxes: [sb('sb1')], containers: [ctr(pod, 'a', { attempt: 3 }), ctr(pod, 'b')] }));
    assert.deepEqual(show(d.actions), []);
    assert.equal(d.sandboxId, 'sb1');
  });

  it('init containers run one at a time, in order, before app containers', () => {
    const pod = makePod('p', {
      initContainers: [
        { name: 'i1', image: 'busybox:1.36' },
        { name: 'i2', image: 'busybox:1.36' },
      ],
    });
    const s = [sb('sb1')];
    assert.deepEqual(show(decide(input(pod, { sandboxes: s })).actions), ['pull i1 busybox:1.36 IfNotPresent', 'start i1#0']);
    const i1run = ctr(pod, 'i1');
    assert.deepEqual(show(decide(input(pod, { sandboxes: s, containers: [i1run] })).actions), []);
    const i1done = ctr(pod, 'i1', { state: 'exited', exitCode: 0, finishedAt: NOW - 1000 });
    assert.deepEqual(show(decide(input(pod, { sandboxes: s, containers: [i1done] })).actions), ['pull i2 busybox:1.36 IfNotPresent', 'start i2#0']);
    const i2done = ctr(pod, 'i2', { state: 'exited', exitCode: 0, finishedAt: NOW - 500 });
    assert.deepEqual(show(decide(input(pod, { sandboxes: s, containers: [i1done, i2done] })).actions), ['pull main busybox:1.36 IfNotPresent', 'start main#0']);
    // A failed init container is retried (restartPolicy Always) with back-off; app containers wait.
    const i2failed = ctr(pod, 'i2', { state: 'exited', exitCode: 1, finishedAt: NOW - 500 });
    assert.deepEqual(show(decide(input(pod, { sandboxes: s, containers: [i1done, i2failed] })).actions), [
      'pull i2 busybox:1.36 IfNotPresent',
      'start i2#1 backoff=10000',
    ]);
    // ... but not under restartPolicy Never: the pod has failed.
    const never = makePod('p', { restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'busybox:1.36' }] });
    assert.deepEqual(show(decide(input(never, { sandboxes: s, containers: [ctr(never, 'i1', { state: 'exited', exitCode: 1 })] })).actions), []);
  });

  it('restarts a crashed container at once the first time, then after the back-off', () => {
    const pod = makePod('p');
    const s = [sb('sb1')];
    const crashed = ctr(pod, 'main', { state: 'exited', exitCode: 1, finishedAt: NOW - 2000 });
    const first = decide(input(pod, { sandboxes: s, containers: [crashed] }));
    assert.deepEqual(show(first.actions), ['pull main busybox:1.36 IfNotPresent', 'start main#1 backoff=10000']);

    const crashedAgain = ctr(pod, 'main', { attempt: 1, state: 'exited', exitCode: 1, finishedAt: NOW - 2000 });
    const entry: BackoffEntry = { delayMs: 10_000, updatedAt: NOW - 3000 };
    const held = decide(input(pod, { sandboxes: s, containers: [crashedAgain, crashed], crashBackoff: new Map([['main', entry]]) }));
    assert.deepEqual(show(held.actions), []);
    assert.equal(held.waiting.get('main')?.reason, 'CrashLoopBackOff');
    assert.match(held.waiting.get('main')?.message ?? '', /^back-off 10s restarting failed container=main pod=p_default/);
    assert.equal(held.requeueAfterMs, 8000);
    assert.deepEqual(
      held.events.map((e) => e[0]),
      ['BackOff'],
    );

    const later = decide(input(pod, { sandboxes: s, containers: [crashedAgain, crashed], crashBackoff: new Map([['main', entry]]), now: NOW + 8000 }));
    assert.deepEqual(show(later.actions), ['remove main-0', 'pull main busybox:1.36 IfNotPresent', 'start main#2 backoff=20000'], 'the oldest attempt goes');
  });

  it('follows restartPolicy for finished containers', () => {
    const s = [sb('sb1')];
    for (const [policy, code, restarts] of [
      ['Always', 0, true],
      ['Always', 1, true],
      ['OnFailure', 0, false],
      ['OnFailure', 2, true],
      ['Never', 0, false],
      ['Never', 2, false],
    ] as const) {
      const pod = makePod('p', { restartPolicy: policy });
      const d = decide(input(pod, { sandboxes: s, containers: [ctr(pod, 'main', { state: 'exited', exitCode: code })] }));
      assert.equal(
        d.actions.some((a) => a.type === 'startContainer'),
        restarts,
        `${policy} exit ${code}`,
      );
    }
  });

  it('keeps the newest two containers of a name and removes older ones', () => {
    const pod = makePod('p');
    const cs = [0, 1, 2, 3].map((n) => ctr(pod, 'main', { attempt: n, state: n === 3 ? 'running' : 'exited', exitCode: n === 3 ? undefined : 1 }));
    assert.deepEqual(show(decide(input(pod, { sandboxes: [sb('sb1')], containers: cs })).actions), ['remove main-1', 'remove main-0']);
  });

  it('replaces a container whose spec changed', () => {
    const pod = makePod('p');
    const old = ctr(pod, 'main', { specHash: 'stale' });
    assert.deepEqual(show(decide(input(pod, { sandboxes: [sb('sb1')], containers: [old] })).actions), [
      'kill main-0 grace=30 SpecChanged',
      'pull main busybox:1.36 IfNotPresent',
      'start main#1',
    ]);
  });

  it('kills a container a liveness probe gave up on, and syncs again at once', () => {
    const pod = makePod('p');
    const c = ctr(pod, 'main');
    const d = decide(
      input(pod, { sandboxes: [sb('sb1')], containers: [c], unhealthy: new Map([[c.id, 'Container main failed liveness probe, will be restarted']]) }),
    );
    assert.deepEqual(show(d.actions), ['kill main-0 grace=30 Unhealthy']);
    assert.equal(d.requeueAfterMs, 0);
  });

  it('replaces a container that was created but never started, under the same attempt', () => {
    const pod = makePod('p');
    const c = ctr(pod, 'main', { attempt: 2, state: 'created', startedAt: undefined });
    assert.deepEqual(show(decide(input(pod, { sandboxes: [sb('sb1')], containers: [c] })).actions), [
      'remove main-2',
      'pull main busybox:1.36 IfNotPresent',
      'start main#2',
    ]);
  });

  it('stops containers the spec does not name', () => {
    const pod = makePod('p');
    const stray = ctr(pod, 'ghost');
    assert.deepEqual(show(decide(input(pod, { sandboxes: [sb('sb1')], containers: [ctr(pod, 'main'), stray] })).actions), [
      'kill ghost-0 grace=0 Unknown',
      'remove ghost-0',
    ]);
  });

  it('a dead sandbox: stop what runs in it, make a new one, run init containers again', () => {
    const pod = makePod('p', { initContainers: [{ name: 'i1', image: 'busybox:1.36' }] });
    const dead = sb('sb1', { running: false });
    const i1 = ctr(pod, 'i1', { state: 'exited', exitCode: 0 });
    const main = ctr(pod, 'main', { attempt: 1 });
    const d = decide(input(pod, { sandboxes: [dead], containers: [i1, main] }));
    assert.deepEqual(show(d.actions), ['kill main-1 grace=30 SandboxChanged', 'createSandbox', 'pull i1 busybox:1.36 IfNotPresent', 'start i1#1']);
    // Next round (new sandbox sb2 running, init done in it): main restarts in it, the old sandbox stays
    // while its containers are kept as history.
    const i1b = ctr(pod, 'i1', { attempt: 1, state: 'exited', exitCode: 0, labels: { [SANDBOX_ID_LABEL]: 'sb2' } });
    const mainStopped = { ...main, state: 'exited' as const, exitCode: 137, finishedAt: NOW - 10 };
    const d2 = decide(input(pod, { sandboxes: [dead, sb('sb2', { createdAt: NOW })], containers: [i1, i1b, mainStopped] }));
    assert.deepEqual(show(d2.actions), ['pull main busybox:1.36 IfNotPresent', 'start main#2']);
  });

  it('a finished Never pod whose sandbox died is left as it is', () => {
    const pod = makePod('p', { restartPolicy: 'Never' });
    const d = decide(input(pod, { sandboxes: [sb('sb1', { running: false })], containers: [ctr(pod, 'main', { state: 'exited', exitCode: 0 })] }));
    assert.deepEqual(show(d.actions), []);
  });

  it('removes extra sandboxes that no container uses', () => {
    const pod = makePod('p');
    const d = decide(input(pod, { sandboxes: [sb('sb1'), sb('sb9', { createdAt: NOW })], containers: [ctr(pod, 'main')] }));
    assert.deepEqual(show(d.actions), ['removeSandbox sb9']);
    assert.equal(d.sandboxId, 'sb1');
  });

  it('holds back a container whose last start failed until its retry time', () => {
    const pod = makePod('p');
    const f: StartFailure = { reason: 'ErrImagePull', message: 'pull access denied', at: NOW - 4000, delayMs: 10_000 };
    const d = decide(input(pod, { sandboxes: [sb('sb1')], startFailures: new Map([['main', f]]) }));
    assert.deepEqual(show(d.actions), []);
    assert.deepEqual(d.waiting.get('main'), { reason: 'ImagePullBackOff', message: 'pull access denied' });
    assert.equal(d.requeueAfterMs, 6000);
    const retry = decide(input(pod, { sandboxes: [sb('sb1')], startFailures: new Map([['main', f]]), now: NOW + 6000 }));
    assert.deepEqual(show(retry.actions), ['pull main busybox:1.36 IfNotPresent', 'start main#0']);
  });

  it('attempt numbers never go below the restart count the API has seen', () => {
    const pod = makePod('p');
    const d = decide(input(pod, { sandboxes: [sb('sb1')], attemptFloor: new Map([['main', 5]]) }));
    assert.deepEqual(show(d.actions), ['pull main busybox:1.36 IfNotPresent', 'start main#5']);
  });

  it('a deleted pod: stop with its grace, remove everything, then delete the object', () => {
    const pod = makePod('p', {}, { deletionTimestamp: '2026-01-01T00:00:10Z', deletionGracePeriodSeconds: 7 });
    const d = decide(input(pod, { sandboxes: [sb('sb1')], containers: [ctr(pod, 'main'), ctr(pod, 'old', { state: 'exited', exitCode: 0 })] }));
    assert.deepEqual(show(d.actions), ['kill main-0 grace=7 Deleted', 'remove main-0', 'remove old-0', 'removeSandbox sb1', 'cleanupPod', 'deletePod']);
    assert.equal(d.terminating, true);
    assert.deepEqual(show(decide(input(pod)).actions), ['cleanupPod', 'deletePod'], 'nothing left: just delete');
  });

  it('a pod the API forgot: stop with the orphan grace, no API call', () => {
    const pod = makePod('p');
    const d = decide(input(undefined, { uid: pod.metadata.uid ?? '', sandboxes: [sb('sb1')], containers: [ctr(pod, 'main')] }));
    assert.deepEqual(show(d.actions), ['kill main-0 grace=2 Orphaned', 'remove main-0', 'removeSandbox sb1', 'cleanupPod']);
  });
});
