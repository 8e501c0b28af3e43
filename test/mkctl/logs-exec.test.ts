// `mkctl logs` and `mkctl exec` against a real single-node cluster (`minik8s server`: API server,
// scheduler and node agent on the real Docker Engine) with busybox pods: logs, --tail, -f that
// streams and ends with the container, svc/NAME resolution, exit codes, piped stdin, clear errors,
// and an interactive `exec -it` shell on a pseudo-terminal (util-linux `script`), run with mkctl
// and with the real kubectl against the same pod.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isApiError } from '../../src/api/errors.js';
import { isObject, type KubeObject } from '../../src/api/meta.js';
import { Client } from '../../src/client/client.js';
import { spawnApiServer, type ServerProcess } from '../support/apiserver.js';
import { findKubectl } from '../support/kubectl.js';
import { MKCTL, mkctl, mkctlProcess, type MkctlResult } from '../support/mkctl.js';
import { until } from '../support/until.js';
import { hostPodNetworkArgs, removePodNetwork } from '../support/podnet.js';

const NS = 'default';

function show(args: readonly string[], r: MkctlResult): string {
  return `mkctl ${args.join(' ')} exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

function busybox(name: string, script: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', script] }],
    },
  };
}

const shq = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `argv` on a 100x40 pseudo-terminal (`script`), waits for the busybox prompt, types
 * `echo $((6*7))` and `exit`, and returns the exit code and everything the terminal showed.
 */
async function interactiveShell(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | string; screen: string }> {
  const child = spawn('script', ['-qfc', `stty cols 100 rows 40; exec ${argv.map(shq).join(' ')}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (screen += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (screen += c));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  const shows = async (what: string, re: RegExp): Promise<void> => {
    const deadline = Date.now() + 15000;
    while (!re.test(screen)) {
      if (Date.now() > deadline) assert.fail(`expected ${what} within 15 s; the terminal shows: ${JSON.stringify(screen)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await shows("the shell's prompt", /\/ # /);
    child.stdin.write('echo $((6*7))\n');
    await shows("the command's output", /\r?\n42\r+\n/);
    child.stdin.write('exit\n');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running 10 s after exit'), 10000)))]);
    clearTimeout(timer);
    return { code, screen };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('mkctl logs and exec on a single-node cluster (Docker)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mkctl-logs-exec-'));
  const node = `mkctl-le-${process.pid}`;
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  const pods = ['shell', 'follow'];

  const api = (): Client => {
    if (!client) throw new Error('the server did not start (see the before hook)');
    return client;
  };
  const kubeconfig = (): string => {
    if (!server) throw new Error('the server did not start (see the before hook)');
    return server.kubeconfig;
  };
  const run = (args: readonly string[], stdin?: string): Promise<MkctlResult> =>
    mkctl(args, { kubeconfig: kubeconfig(), ...(stdin !== undefined ? { stdin } : {}) });
  const ok = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await run(args, stdin);
    assert.equal(r.code, 0, `expected success: ${show(args, r)}`);
    return r.stdout;
  };
  const phase = async (name: string): Promise<unknown> => {
    const p = await api().forObject({ apiVersion: 'v1', kind: 'Pod' }).get(name, { namespace: NS });
    return isObject(p.status) ? p.status['phase'] : undefined;
  };

  before(async () => {
    server = await spawnApiServer({ command: 'server', dataDir, extraArgs: ['--kubelet-port', '0', '--node-name', node, ...(await hostPodNetworkArgs())] });
    client = Client.fromKubeconfig({ path: server.kubeconfig });
    const podApi = client.forObject({ apiVersion: 'v1', kind: 'Pod' });
    await Promise.all([
      podApi.create(busybox('shell', "echo started; echo second; trap 'exit 0' TERM; while :; do sleep 1 & wait; done")),
      // Prints one line, then waits for the test to say go (a file), so `logs -f` is attached before the rest.
      podApi.create(busybox('follow', 'echo start; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo two; sleep 0.3; echo three')),
      api()
        .forObject({ apiVersion: 'v1', kind: 'Service' })
        .create({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'shell-svc', namespace: NS },
          spec: { selector: { app: 'shell' }, ports: [{ port: 80 }] },
        }),
    ]);
    for (const name of pods) await until(`pod ${name} to run`, async () => ((await phase(name)) === 'Running' ? true : undefined), 45000);
  });

  after(async () => {
    if (client) {
      const podApi = client.forObject({ apiVersion: 'v1', kind: 'Pod' });
      for (const name of pods) await podApi.delete(name, { namespace: NS, gracePeriodSeconds: 1 }).catch(() => undefined);
      // The agent stops the containers before the pods go; wait for that, so no container outlives the test.
      for (const name of pods) {
        await until(
          `pod ${name} to be deleted`,
          () =>
            podApi.get(name, { namespace: NS }).then(
              () => undefined,
              (e: unknown) => (isApiError(e, 'NotFound') ? true : undefined),
            ),
          20000,
        ).catch(() => undefined);
      }
      client.close();
    }
    await server?.kill();
    await removePodNetwork(node);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs prints the log, --tail the last lines, and svc/NAME finds the pod by its selector', async () => {
    assert.equal(
      await until('the log of pod shell', async () => ((await run(['logs', 'shell'])).stdout === 'started\nsecond\n' ? true : undefined), 10000),
      true,
    );
    assert.equal(await ok(['logs', 'shell', '--tail', '1']), 'second\n');
    assert.equal(await ok(['logs', 'pod/shell', '-c', 'app', '--tail=1']), 'second\n');
    assert.equal(await ok(['logs', 'svc/shell-svc', '--since', '1h']), 'started\nsecond\n');
    assert.match(await ok(['logs', 'shell', '--timestamps']), /^\d{4}-\d\d-\d\dT[\d:.]+Z started\n/);
    const missing = await run(['logs', 'nope']);
    assert.equal(missing.code, 1, show(['logs', 'nope'], missing));
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
  });

  it('logs -f prints lines as they come and ends when the container exits', async () => {
    const args = ['logs', '-f', 'follow'];
    const p = mkctlProcess(args, { kubeconfig: kubeconfig() });
    try {
      await p.waitForLine(/^start$/, 10000);
      const early = await Promise.race([p.exited.then(() => 'exited'), new Promise<string>((r) => setTimeout(() => r('following'), 300))]);
      assert.equal(early, 'following', 'expected mkctl logs -f to keep following while the container runs');
      await ok(['exec', 'follow', '--', 'touch', '/tmp/go']);
      await p.waitForLine(/^two$/, 10000);
      await p.waitForLine(/^three$/, 10000);
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([p.exited, new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), 15000)))]);
      clearTimeout(timer);
      assert.ok(r, 'expected mkctl logs -f to end within 15 s of the container exiting');
      assert.equal(r.code, 0, show(args, r));
      assert.equal(r.stdout, 'start\ntwo\nthree\n');
    } finally {
      await p.stop();
    }
  });

  it('exec prints stdout and stderr and exits with the remote exit code', async () => {
    const args = ['exec', 'shell', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3'];
    const r = await run(args);
    assert.equal(r.code, 3, show(args, r));
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.stderr, 'oops\ncommand terminated with exit code 3\n');
    assert.equal(await ok(['exec', 'svc/shell-svc', '--', 'echo', 'via the service']), 'via the service\n');
  });

  it('exec -i pipes stdin to the command and closes it at EOF', async () => {
    assert.equal(await ok(['exec', '-i', 'shell', '--', 'cat'], 'line 1\nline 2\n'), 'line 1\nline 2\n');
    assert.equal(await ok(['exec', '-i', 'shell', '--', 'wc', '-l'], 'a\nb\nc\n'), '3\n');
  });

  it('exec -i ends when the command does, even while stdin stays open', async () => {
    const child = spawn(MKCTL, ['exec', '-i', 'shell', '--', 'head', '-n', '1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfig() },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdin.on('error', () => undefined);
    child.stdin.write('first\nsecond\n'); // and never ended
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      new Promise<number>((r) => child.once('close', (c) => r(c ?? -1))),
      new Promise<string>((r) => (timer = setTimeout(() => r('still running after 10 s'), 10000))),
    ]);
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
    assert.equal(code, 0, `expected mkctl exec -i … head -n 1 to exit 0 with stdin still open; stdout: ${out} stderr: ${err}`);
    assert.equal(out, 'first\n');
  });

  it('exec explains a missing pod, a missing container and a missing command', async () => {
    const pod = await run(['exec', 'nope', '--', 'true']);
    assert.equal(pod.code, 1, show(['exec', 'nope'], pod));
    assert.equal(pod.stderr, 'Error from server (NotFound): pods "nope" not found\n');
    const container = await run(['exec', 'shell', '-c', 'nope', '--', 'true']);
    assert.equal(container.code, 1, show(['exec', 'shell', '-c', 'nope'], container));
    assert.match(container.stderr, /^error: .*container nope is not valid for pod shell/);
    const usage = await run(['exec', 'shell']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /at least one command/);
  });

  it('exec -it runs an interactive shell on a terminal, with mkctl and with kubectl', async () => {
    const env = { ...process.env, KUBECONFIG: kubeconfig() };
    const mine = await interactiveShell([MKCTL, 'exec', '-it', 'shell', '--', 'sh'], env);
    assert.equal(mine.code, 0, `expected mkctl exec -it to exit 0 after \`exit\`; the terminal shows: ${JSON.stringify(mine.screen)}`);
    const cacheDir = join(dataDir, 'kubectl-cache');
    const theirs = await interactiveShell([findKubectl(), '--kubeconfig', kubeconfig(), '--cache-dir', cacheDir, 'exec', '-it', 'shell', '--', 'sh'], env);
    assert.equal(theirs.code, 0, `expected kubectl exec -it to exit 0 after \`exit\`; the terminal shows: ${JSON.stringify(theirs.screen)}`);
  });
});
