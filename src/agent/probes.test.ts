import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { FakeClock } from '../util/clock.js';
import { defaultProbeRunner, initialProbeState, ProbeManager, probeStep, type ProbeKind, type ProbeRunner } from './probes.js';
import { FakeRuntime } from './runtime/fake.js';
import { makePod, RecordingRecorder } from './testing.js';
import type { Probe } from './types.js';

function run(kind: ProbeKind, probe: Probe, results: boolean[]): boolean[] {
  let s = initialProbeState(kind);
  return results.map((ok) => (s = probeStep(s, ok, probe, kind)).verdict);
}

describe('probe counting', () => {
  it('readiness needs successThreshold successes and failureThreshold failures in a row', () => {
    const p: Probe = { successThreshold: 2, failureThreshold: 2 };
    assert.deepEqual(run('readiness', p, [true, true, false, true, false, false, true, true]), [false, true, true, true, true, false, false, true]);
  });

  it('liveness starts alive and dies after failureThreshold failures in a row', () => {
    assert.deepEqual(run('liveness', { failureThreshold: 3 }, [false, false, true, false, false, false]), [true, true, true, true, true, false]);
  });

  it('startup passes on the first success', () => {
    assert.deepEqual(run('startup', { failureThreshold: 5 }, [false, false, true]), [false, false, true]);
  });
});

describe('probe manager (FakeClock)', () => {
  it('waits initialDelaySeconds, probes every periodSeconds, and reports changes', async () => {
    const clock = new FakeClock(0);
    const calls: number[] = [];
    let ok = true;
    const runner: ProbeRunner = () => {
      calls.push(clock.now());
      return Promise.resolve({ ok, message: 'boom' });
    };
    const changes: string[] = [];
    const recorder = new RecordingRecorder();
    const m = new ProbeManager({ clock, runner, recorder, onChange: (uid) => changes.push(uid) });
    const pod = makePod('p');
    const spec = { name: 'main', image: 'x:1', readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 5, periodSeconds: 2, failureThreshold: 1 } };
    m.update(pod, [{ id: 'c1', spec, startedAt: 0 }], '10.0.0.1');
    await clock.advanceAsync(4999);
    assert.deepEqual(calls, []);
    await clock.advanceAsync(1);
    assert.deepEqual(calls, [5000]);
    assert.deepEqual(m.verdicts(pod.metadata.uid ?? '').ready, new Map([['c1', true]]));
    assert.equal(changes.length, 1);
    await clock.advanceAsync(4000);
    assert.deepEqual(calls, [5000, 7000, 9000]);
    assert.equal(changes.length, 1, 'no change, no sync');
    ok = false;
    await clock.advanceAsync(2000);
    assert.deepEqual(m.verdicts(pod.metadata.uid ?? '').ready, new Map([['c1', false]]));
    assert.equal(changes.length, 2);
    assert.deepEqual(
      recorder.events.map((e) => `${e.reason}: ${e.message}`),
      ['Unhealthy: Readiness probe failed: boom'],
    );
    m.update(pod, [], '10.0.0.1');
    await clock.advanceAsync(10_000);
    assert.equal(calls.length, 4, 'a gone container is not probed');
    assert.equal(clock.pending(), 0);
  });

  it('liveness and readiness wait for the startup probe; a failed startup probe marks the container unhealthy', async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    const runner: ProbeRunner = (probe) => {
      const what = probe.exec?.command?.[0] ?? '';
      seen.push(what);
      return Promise.resolve({ ok: what !== 'startup', message: '' });
    };
    const m = new ProbeManager({ clock, runner, onChange: () => undefined });
    const pod = makePod('p');
    const spec = {
      name: 'main',
      startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 3 },
      livenessProbe: { exec: { command: ['liveness'] }, periodSeconds: 1 },
    };
    m.update(pod, [{ id: 'c1', spec, startedAt: 0 }], '');
    await clock.advanceAsync(5000);
    assert.deepEqual(seen, ['startup', 'startup', 'startup']);
    assert.deepEqual(m.unhealthy(pod.metadata.uid ?? ''), new Map([['c1', 'Container main failed startup probe, will be restarted']]));
    m.stop();
  });
});

describe('default probe runner', () => {
  it('httpGet succeeds on 2xx/3xx and fails otherwise; named ports resolve', async (t) => {
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const runner = defaultProbeRunner(new FakeRuntime({ clock: new FakeClock() }));
    const target = { containerId: 'x', podIP: '127.0.0.1', container: { name: 'c', ports: [{ name: 'http', containerPort: port }] } };
    const signal = new AbortController().signal;
    assert.deepEqual(await runner({ httpGet: { path: '/healthz', port: 'http' } }, target, signal), { ok: true, message: '' });
    assert.deepEqual(await runner({ httpGet: { path: '/other', port } }, target, signal), { ok: false, message: 'HTTP probe failed with statuscode: 503' });
  });

  it('tcpSocket succeeds when the port accepts; exec uses the exit code', async (t) => {
    const server = createTcpServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const clock = new FakeClock();
    const rt = new FakeRuntime({ clock, exec: (_id, cmd) => (cmd[0] === 'ok' ? 0 : 1) });
    const runner = defaultProbeRunner(rt);
    const signal = new AbortController().signal;
    assert.equal((await runner({ tcpSocket: { port } }, { containerId: 'x', podIP: '127.0.0.1', container: { name: 'c' } }, signal)).ok, true);
    await assert.rejects(runner({ tcpSocket: { port: 1 } }, { containerId: 'x', podIP: '127.0.0.1', container: { name: 'c' } }, signal));
    const sb = await rt.createSandbox({ pod: { uid: 'u', name: 'p', namespace: 'd' }, hostname: 'p', hostNetwork: false });
    await rt.ensureImage('i:1', 'IfNotPresent');
    const id = await rt.createContainer(sb.id, {
      pod: sb.pod,
      name: 'c',
      role: 'container',
      attempt: 0,
      specHash: 'h',
      image: 'i:1',
      env: {},
      mounts: [],
      tty: false,
      stdin: false,
    });
    await rt.startContainer(id);
    assert.equal((await runner({ exec: { command: ['ok'] } }, { containerId: id, podIP: '', container: { name: 'c' } }, signal)).ok, true);
    assert.equal((await runner({ exec: { command: ['fail'] } }, { containerId: id, podIP: '', container: { name: 'c' } }, signal)).ok, false);
  });
});
