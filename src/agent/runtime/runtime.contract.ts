// The one contract every Runtime implementation runs (docker/docker.test.ts runs it against a real
// Docker Engine). It speaks only the Runtime interface, so it also says what the agent may rely on.
// Needs two local images: busybox:1.36 (with wget, httpd, dd, stty, timeout) and minik8s/pause:1
// (`minik8s images bootstrap` builds both). Every object it creates carries CONTRACT_LABEL=CONTRACT_RUN
// and is removed by the test that made it; an implementation's test may sweep by that label as well.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { RuntimeError, type ContainerConfig, type ContainerStatus, type PodRef, type Runtime, type Sandbox, type SandboxConfig } from './runtime.js';

export type OpenRuntime = () => Promise<{ runtime: Runtime; cleanup: () => Promise<void> }>;

export const CONTRACT_IMAGE = 'busybox:1.36';
export const CONTRACT_PAUSE_IMAGE = 'minik8s/pause:1';
export const CONTRACT_LABEL = 'io.minik8s.test.contract';
export const CONTRACT_RUN = `${process.pid}-${Date.now().toString(36)}`;
/** A registry that refuses connections: pulls from it fail at once, on any machine. */
export const UNPULLABLE_IMAGE = '127.0.0.1:9/minik8s-contract/absent:1';

/** Runs until SIGTERM, then exits 0 at once (PID 1 needs a trap to notice the signal). */
const SLEEPER = ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1 & wait; done"];
const MiB = 1024 * 1024;
let pods = 0;

/** The pods one test creates, so it can remove all of them, whatever happened. */
class Pods {
  readonly made: PodRef[] = [];
  constructor(private readonly rt: Runtime) {}

  ref(name: string): PodRef {
    const pod = { uid: `contract-${CONTRACT_RUN}-${++pods}`, name, namespace: 'contract' };
    this.made.push(pod);
    return pod;
  }

  async sandbox(name: string, over: Partial<SandboxConfig> = {}): Promise<Sandbox> {
    const pod = this.ref(name);
    return this.rt.createSandbox({ pod, hostname: name, hostNetwork: false, labels: { [CONTRACT_LABEL]: CONTRACT_RUN }, ...over });
  }

  config(sb: Sandbox, name: string, over: Partial<ContainerConfig> = {}): ContainerConfig {
    return {
      pod: sb.pod,
      name,
      role: 'container',
      attempt: 0,
      specHash: `hash-${name}`,
      image: CONTRACT_IMAGE,
      command: SLEEPER,
      env: {},
      mounts: [],
      tty: false,
      stdin: false,
      labels: { [CONTRACT_LABEL]: CONTRACT_RUN },
      ...over,
    };
  }

  /** Creates and starts a container in the sandbox. */
  async run(sb: Sandbox, name: string, over: Partial<ContainerConfig> = {}): Promise<string> {
    const id = await this.rt.createContainer(sb.id, this.config(sb, name, over));
    await this.rt.startContainer(id);
    return id;
  }

  async cleanup(): Promise<void> {
    const uids = new Set(this.made.map((p) => p.uid));
    const containers = (await this.rt.listContainers()).filter((c) => uids.has(c.pod.uid));
    await Promise.all(containers.map((c) => this.rt.removeContainer(c.id)));
    const sandboxes = (await this.rt.listSandboxes()).filter((s) => uids.has(s.pod.uid));
    await Promise.all(sandboxes.map((s) => this.rt.removeSandbox(s.id)));
  }
}

async function waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await get();
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const seen = error instanceof Error ? `error ${error.message}` : JSON.stringify(last);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
}

const exited = (rt: Runtime, id: string): Promise<ContainerStatus> =>
  waitFor(
    `container ${id} to exit`,
    () => rt.inspectContainer(id),
    (s) => s.state === 'exited',
  );

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function readAll(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function exec(rt: Runtime, id: string, command: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const out = collector();
  const err = collector();
  const s = await rt.exec(id, {
    command,
    tty: false,
    stdout: out.stream,
    stderr: err.stream,
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  });
  const code = await s.exited;
  return { code, out: out.text(), err: err.text() };
}

async function logs(rt: Runtime, id: string, opts: { tailLines?: number; sinceSeconds?: number; timestamps?: boolean } = {}): Promise<string> {
  return readAll(await rt.logs(id, { follow: false, timestamps: false, ...opts }));
}

async function rejectsWith(p: Promise<unknown>, reason: RuntimeError['reason']): Promise<RuntimeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RuntimeError, `expected a RuntimeError ${reason}, got ${String(e)}`);
    assert.equal(e.reason, reason, `expected reason ${reason}, got ${e.reason}: ${e.message}`);
    return e;
  }
  assert.fail(`expected a RuntimeError ${reason}, but it succeeded`);
}

export function runRuntimeContract(name: string, open: OpenRuntime): void {
  function check(title: string, fn: (rt: Runtime, pods: Pods) => Promise<void>): void {
    it(title, { timeout: 30_000 }, async () => {
      const { runtime, cleanup } = await open();
      const p = new Pods(runtime);
      try {
        await fn(runtime, p);
      } finally {
        await p.cleanup();
        await cleanup();
      }
    });
  }

  // Tests run side by side: each waits mostly on the engine and on its containers' sleeps.
  describe(`Runtime contract: ${name}`, { concurrency: 4 }, () => {
    check('reports its name and version', async (rt) => {
      const v = await rt.version();
      assert.ok(v.name.length > 0 && v.version.length > 0, `version: ${JSON.stringify(v)}`);
    });

    check('ensureImage honours the pull policies', async (rt) => {
      const here = await rt.ensureImage(CONTRACT_IMAGE, 'IfNotPresent');
      assert.deepEqual({ pulled: here.pulled, hasId: here.imageId.length > 0 }, { pulled: false, hasId: true });
      assert.equal((await rt.ensureImage(CONTRACT_IMAGE, 'Never')).imageId, here.imageId);
      const never = await rejectsWith(rt.ensureImage(UNPULLABLE_IMAGE, 'Never'), 'ImageNotFound');
      assert.match(never.message, /Container image "127\.0\.0\.1:9\/minik8s-contract\/absent:1" is not present with pull policy of Never/);
      const t0 = Date.now();
      const failed = await rejectsWith(rt.ensureImage(UNPULLABLE_IMAGE, 'IfNotPresent'), 'ErrImagePull');
      assert.ok(Date.now() - t0 < 15_000, `a pull from an unreachable registry took ${Date.now() - t0} ms`);
      assert.match(failed.message, /absent:1/, 'the message names the image');
    });

    check('a pod shares a directory, the network, IPC, hostname and DNS settings between its containers', async (rt, p) => {
      const dir = await mkdtemp(join(tmpdir(), 'minik8s-contract-'));
      try {
        const sb = await p.sandbox('web-0', {
          dns: { servers: ['10.96.0.10'], searches: ['contract.svc.cluster.local'], options: ['ndots:5'] },
          hosts: ['10.1.2.3 extra-host other-name'],
        });
        assert.equal(sb.running, true);
        assert.match(sb.ip, /^\d+\.\d+\.\d+\.\d+$/, `sandbox IP: "${sb.ip}"`);
        const serve = "echo shared-ok > /data/hello.txt && httpd -p 8080 -h /data && trap 'exit 0' TERM; while :; do sleep 1 & wait; done";
        const server = await p.run(sb, 'server', { command: ['sh', '-c', serve], mounts: [{ hostPath: dir, containerPath: '/data', readOnly: false }] });
        const reader = await p.run(sb, 'reader', { mounts: [{ hostPath: dir, containerPath: '/data', readOnly: true }] });

        const read = await waitFor(
          'the shared file',
          () => exec(rt, reader, ['cat', '/data/hello.txt']),
          (r) => r.code === 0,
        );
        assert.equal(read.out, 'shared-ok\n');
        const http = await waitFor(
          'httpd on 127.0.0.1',
          () => exec(rt, reader, ['timeout', '5', 'wget', '-qO-', 'http://127.0.0.1:8080/hello.txt']),
          (r) => r.code === 0,
        );
        assert.equal(http.out, 'shared-ok\n', 'the reader reaches the server on localhost: one network namespace');
        assert.notEqual((await exec(rt, reader, ['touch', '/data/nope'])).code, 0, 'a read-only mount refuses writes');

        const ns = async (id: string): Promise<string> => (await exec(rt, id, ['sh', '-c', 'for n in net ipc pid; do readlink /proc/self/ns/$n; done'])).out;
        const [a, b] = [(await ns(server)).split('\n'), (await ns(reader)).split('\n')];
        assert.equal(a[0], b[0], 'network namespace shared');
        assert.equal(a[1], b[1], 'IPC namespace shared');
        assert.notEqual(a[2], b[2], 'PID namespace not shared (Kubernetes default)');

        assert.equal((await exec(rt, reader, ['hostname'])).out, 'web-0\n');
        const resolv = (await exec(rt, reader, ['cat', '/etc/resolv.conf'])).out;
        for (const want of [/nameserver 10\.96\.0\.10/, /search contract\.svc\.cluster\.local/, /options ndots:5/]) assert.match(resolv, want, resolv);
        const hosts = (await exec(rt, server, ['cat', '/etc/hosts'])).out;
        assert.match(hosts, /10\.1\.2\.3\s+extra-host/, hosts);
        assert.match(hosts, /10\.1\.2\.3\s+other-name/, hosts);
        assert.ok(
          (await rt.listSandboxes()).some((s) => s.id === sb.id && s.running && s.ip === sb.ip),
          'listSandboxes shows it running with its IP',
        );
        const onlyThis = await rt.listSandboxes({ podUid: sb.pod.uid });
        assert.deepEqual(
          onlyThis.map((s) => s.id),
          [sb.id],
          'listSandboxes({ podUid }) returns that pod\'s sandbox alone',
        );
        assert.deepEqual(await rt.listSandboxes({ podUid: 'no-such-pod' }), []);
      } finally {
        await p.cleanup();
        await rm(dir, { recursive: true, force: true });
      }
    });

    check('limits are visible in the container cgroup; stats report usage', async (rt, p) => {
      const sb = await p.sandbox('limits');
      const id = await p.run(sb, 'app', { cpuLimitMillis: 250, cpuShares: 256, memoryLimitBytes: 64 * MiB });
      const script =
        'for f in memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares memory.max cpu.max; do [ -f /sys/fs/cgroup/$f ] && echo "$f=$(cat /sys/fs/cgroup/$f)"; done; true';
      const out = (await exec(rt, id, ['sh', '-c', script])).out;
      const v2 = out.includes('memory.max=');
      if (v2) {
        assert.match(out, new RegExp(`^memory\\.max=${64 * MiB}$`, 'm'), out);
        assert.match(out, /^cpu\.max=25000 100000$/m, out);
      } else {
        assert.match(out, new RegExp(`^memory/memory\\.limit_in_bytes=${64 * MiB}$`, 'm'), out);
        assert.match(out, /^cpu\/cpu\.cfs_quota_us=25000$/m, out);
        assert.match(out, /^cpu\/cpu\.cfs_period_us=100000$/m, out);
        assert.match(out, /^cpu\/cpu\.shares=256$/m, out);
      }
      await exec(rt, id, ['sh', '-c', 'seq 1 50000 > /dev/null']);
      const s = await rt.stats(id);
      assert.ok(s.cpuUsageNanos > 0, `cpuUsageNanos ${s.cpuUsageNanos}`);
      assert.ok(s.memoryWorkingSetBytes > 0 && s.memoryWorkingSetBytes < 64 * MiB, `memoryWorkingSetBytes ${s.memoryWorkingSetBytes}`);
      assert.ok(Math.abs(s.at - Date.now()) < 60_000, `stats time ${new Date(s.at).toISOString()}`);
    });

    check('an OOM kill is reported', async (rt, p) => {
      const sb = await p.sandbox('oom');
      const id = await p.run(sb, 'hog', { command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], memoryLimitBytes: 16 * MiB });
      const s = await exited(rt, id);
      assert.deepEqual({ exitCode: s.exitCode, oomKilled: s.oomKilled }, { exitCode: 137, oomKilled: true });
    });

    check('states, exit codes and timestamps', async (rt, p) => {
      const sb = await p.sandbox('exits');
      const t0 = Date.now();
      const id = await rt.createContainer(sb.id, p.config(sb, 'job', { command: ['sh', '-c', 'sleep 0.3; exit 7'], attempt: 2, specHash: 'abc' }));
      const created = await rt.inspectContainer(id);
      assert.equal(created.state, 'created');
      assert.deepEqual([created.startedAt, created.finishedAt, created.exitCode], [undefined, undefined, undefined]);
      assert.ok(Math.abs(created.createdAt - t0) < 5000, `createdAt ${created.createdAt} vs ${t0}`);
      await rt.startContainer(id);
      await rt.startContainer(id); // starting a running container is fine
      assert.equal((await rt.inspectContainer(id)).state, 'running');
      const s = await exited(rt, id);
      assert.equal(s.exitCode, 7);
      assert.equal(s.oomKilled, false);
      assert.ok(s.startedAt !== undefined && s.finishedAt !== undefined, 'both timestamps set');
      assert.ok(s.finishedAt - s.startedAt >= 250, `ran ${s.finishedAt - s.startedAt} ms`);
      assert.ok(s.startedAt >= s.createdAt - 1000, 'started after created');
      assert.deepEqual(
        { id: s.id, pod: s.pod, name: s.name, role: s.role, attempt: s.attempt, specHash: s.specHash, image: s.image },
        { id, pod: sb.pod, name: 'job', role: 'container', attempt: 2, specHash: 'abc', image: CONTRACT_IMAGE },
      );
      assert.ok(s.imageId.length > 0, 'imageId set');
      assert.equal(s.labels[CONTRACT_LABEL], CONTRACT_RUN, 'custom labels kept');
    });

    check('command replaces the entrypoint, args the default arguments; env and workingDir apply', async (rt, p) => {
      const sb = await p.sandbox('cmds');
      const argsOnly = await p.run(sb, 'args', { command: undefined, args: ['echo', 'args-only'] });
      const cmdOnly = await p.run(sb, 'cmd', { image: CONTRACT_PAUSE_IMAGE, command: ['sh', '-c', 'echo entrypoint-replaced'] });
      const both = await p.run(sb, 'both', { command: ['sh', '-c'], args: ['echo "$FOO" "$(pwd)"'], env: { FOO: 'bar baz' }, workingDir: '/tmp' });
      for (const id of [argsOnly, cmdOnly, both]) assert.equal((await exited(rt, id)).exitCode, 0);
      assert.equal(await logs(rt, argsOnly), 'args-only\n');
      assert.equal(await logs(rt, cmdOnly), 'entrypoint-replaced\n');
      assert.equal(await logs(rt, both), 'bar baz /tmp\n');
    });

    check('stop sends SIGTERM, then SIGKILL after the grace period', async (rt, p) => {
      const sb = await p.sandbox('stop');
      const polite = await p.run(sb, 'polite');
      const stubborn = await p.run(sb, 'stubborn', { command: ['sleep', '1000'] }); // PID 1 without a handler ignores SIGTERM
      let t = Date.now();
      await rt.stopContainer(polite, 10);
      assert.ok(Date.now() - t < 3000, `a container that exits on SIGTERM took ${Date.now() - t} ms to stop`);
      assert.equal((await rt.inspectContainer(polite)).exitCode, 0);
      t = Date.now();
      await rt.stopContainer(stubborn, 1);
      const took = Date.now() - t;
      assert.ok(took >= 900 && took < 6000, `a container ignoring SIGTERM stopped after ${took} ms with 1 s of grace`);
      const s = await rt.inspectContainer(stubborn);
      assert.deepEqual({ state: s.state, exitCode: s.exitCode }, { state: 'exited', exitCode: 137 });
      await rt.stopContainer(stubborn, 1); // idempotent
    });

    check('logs: both streams in order, tail, since, timestamps, follow', async (rt, p) => {
      const sb = await p.sandbox('logs');
      const script =
        "echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1; echo err2 >&2; sleep 2; echo late; trap 'exit 0' TERM; while :; do sleep 1 & wait; done";
      const id = await p.run(sb, 'talker', { command: ['sh', '-c', script] });
      const finite = await p.run(sb, 'finite', { command: ['sh', '-c', 'echo first; sleep 1; echo second'] });
      // Follow a container while it still prints: the stream delivers lines as they come and ends when it exits.
      const follow = await rt.logs(finite, { follow: true, timestamps: false });
      let seen = '';
      let firstAlone = false;
      for await (const c of follow) {
        seen += Buffer.from(c as Buffer).toString('utf8');
        if (seen === 'first\n') firstAlone = true;
      }
      assert.equal(seen, 'first\nsecond\n');
      assert.ok(firstAlone, 'the first line arrived before the second was printed');

      const all = await waitFor(
        'the late line',
        () => logs(rt, id),
        (s) => s.includes('late\n'),
      );
      assert.equal(all, 'out1\nerr1\nout2\nerr2\nlate\n');
      const recent = await logs(rt, id, { sinceSeconds: 1 });
      assert.equal(recent, 'late\n', 'sinceSeconds');
      assert.equal(await logs(rt, id, { tailLines: 2 }), 'err2\nlate\n');
      assert.equal(await logs(rt, id, { tailLines: 0 }), '');
      const stamped = (await logs(rt, id, { timestamps: true, tailLines: 2 })).split('\n').filter(Boolean);
      assert.equal(stamped.length, 2);
      for (const [i, line] of stamped.entries()) {
        const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) (.*)$/.exec(line);
        assert.ok(m, `an RFC 3339 timestamp prefix: "${line}"`);
        assert.equal(m[2], ['err2', 'late'][i]);
        assert.ok(Math.abs(Date.parse(m[1] ?? '') - Date.now()) < 60_000, `timestamp ${m[1]}`);
      }

      // Follow a running container from its last line, see new lines, stop by aborting.
      const ticker = await p.run(sb, 'ticker', {
        command: ['sh', '-c', "trap 'exit 0' TERM; i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.2 & wait; done"],
      });
      await waitFor(
        'the first tick',
        () => logs(rt, ticker),
        (s) => s.includes('tick1\n'),
      );
      const ac = new AbortController();
      const stream = await rt.logs(ticker, { follow: true, tailLines: 1, timestamps: false, signal: ac.signal });
      let text = '';
      for await (const c of stream) {
        text += Buffer.from(c as Buffer).toString('utf8');
        if (text.split('\n').length > 4) ac.abort();
      }
      const ticks = text
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(l.replace('tick', '')));
      assert.ok(ticks.length >= 4, `followed lines: ${JSON.stringify(text)}`);
      assert.ok(
        ticks.every((n, i) => i === 0 || n === (ticks[i - 1] ?? 0) + 1),
        `consecutive ticks: ${JSON.stringify(text)}`,
      );
    });

    check('exec: stdin, stdout and stderr apart, exit codes, tty with resize', async (rt, p) => {
      const sb = await p.sandbox('exec');
      const id = await p.run(sb, 'shell');
      const r = await exec(rt, id, ['sh', '-c', 'cat; echo to-err >&2; exit 3'], 'hello\nworld\n');
      assert.deepEqual(r, { code: 3, out: 'hello\nworld\n', err: 'to-err\n' });
      assert.deepEqual(await exec(rt, id, ['echo', 'ok']), { code: 0, out: 'ok\n', err: '' });
      assert.notEqual((await exec(rt, id, ['/no/such/binary'])).code, 0, 'a missing binary fails');

      const stdin = new PassThrough();
      const out = collector();
      const s = await rt.exec(id, { command: ['sh'], tty: true, stdin, stdout: out.stream });
      await s.resize(100, 30);
      stdin.write('stty size; exit 4\n');
      assert.equal(await s.exited, 4);
      stdin.end();
      assert.match(out.text(), /30 100/, `tty output: ${JSON.stringify(out.text())}`);
    });

    check('a fresh runtime finds sandboxes and containers by their labels (adoption)', async (rt, p) => {
      const sb = await p.sandbox('adopt');
      const app = await p.run(sb, 'app', { attempt: 3, specHash: 'h-app' });
      const init = await rt.createContainer(sb.id, p.config(sb, 'setup', { role: 'init', command: ['true'] }));
      const other = await p.sandbox('bystander');
      await p.run(other, 'app');

      const { runtime: fresh, cleanup } = await open();
      try {
        const found = (await fresh.listSandboxes()).filter((s) => s.pod.uid === sb.pod.uid);
        assert.equal(found.length, 1);
        assert.deepEqual({ id: found[0]?.id, pod: found[0]?.pod, label: found[0]?.labels[CONTRACT_LABEL] }, { id: sb.id, pod: sb.pod, label: CONTRACT_RUN });
        const mine = (await fresh.listContainers({ podUid: sb.pod.uid })).sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(
          mine.map((c) => ({ id: c.id, name: c.name, role: c.role, attempt: c.attempt, specHash: c.specHash, pod: c.pod })),
          [
            { id: app, name: 'app', role: 'container', attempt: 3, specHash: 'h-app', pod: sb.pod },
            { id: init, name: 'setup', role: 'init', attempt: 0, specHash: 'hash-setup', pod: sb.pod },
          ],
        );
        const all = await fresh.listContainers();
        assert.ok(all.some((c) => c.id === app) && all.some((c) => c.pod.uid === other.pod.uid), 'an unfiltered list has every pod');
        assert.ok(!all.some((c) => c.id === sb.id || c.id === other.id), 'sandboxes are not containers');
      } finally {
        await cleanup();
      }
    });

    check('removal is idempotent; missing things are NotFound or ImageNotFound', async (rt, p) => {
      const sb = await p.sandbox('gone');
      await rejectsWith(rt.createContainer(sb.id, p.config(sb, 'noimage', { image: UNPULLABLE_IMAGE })), 'ImageNotFound');
      const id = await p.run(sb, 'app');
      await rt.removeContainer(id);
      await rt.removeContainer(id);
      await rt.stopContainer(id, 1);
      await rejectsWith(rt.inspectContainer(id), 'NotFound');
      await rejectsWith(rt.startContainer(id), 'NotFound');
      await rejectsWith(rt.logs(id, { follow: false, timestamps: false }), 'NotFound');
      await rejectsWith(rt.exec(id, { command: ['true'], tty: false }), 'NotFound');
      assert.equal((await rt.listContainers({ podUid: sb.pod.uid })).length, 0);
      await rt.removeSandbox(sb.id);
      await rt.removeSandbox(sb.id);
      assert.ok(!(await rt.listSandboxes()).some((s) => s.id === sb.id), 'the sandbox is gone');
    });
  });
}
