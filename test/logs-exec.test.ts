// pods/log and pods/exec end to end: the real kubectl (and @kubernetes/client-node's Exec)
// against a real API server, which finds the pod's node and relays to a real kubelet API
// server (src/agent/server.ts) backed by the in-memory streams runtime. The Node object points
// at that server (InternalIP + daemonEndpoints.kubeletEndpoint.Port) exactly as the agent
// registers itself; the interactive case runs kubectl on a pseudo-terminal (util-linux script).
// A last suite does the same against a busybox container on the real Docker Engine (DockerRuntime).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { KubeletServer } from '../src/agent/server.js';
import { FakeStreamsRuntime } from '../src/agent/streams/fake.js';
import { findContainerByLabels } from '../src/agent/streams/find.js';
import { DockerRuntime, PAUSE_IMAGE } from '../src/agent/runtime/docker/index.js';
import type { PodRef } from '../src/agent/runtime/runtime.js';
import type { KubeObject } from '../src/api/meta.js';
import { startTestServer, type TestServer } from './support/apiserver.js';
import { findKubectl, kubectl, type KubectlResult } from './support/kubectl.js';
import { untilTrue as until } from './support/until.js';

const NS = 'default';

let server: TestServer | undefined;
let kubelet: KubeletServer | undefined;
const runtime = new FakeStreamsRuntime();
/** namespace/pod/container → fake runtime id. */
const ids = new Map<string, string>();

function srv(): TestServer {
  if (!server) throw new Error('the API server did not start (see the failure of the before hook)');
  return server;
}

function run(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return kubectl(args, { kubeconfig: srv().kubeconfig, ...opts });
}

function expectCode(r: KubectlResult, code: number, args: string[]): void {
  assert.equal(r.code, code, `expected \`kubectl ${args.join(' ')}\` to exit ${code}; it exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

async function ok(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(args, opts);
  expectCode(r, 0, args);
  return r.stdout;
}

/** A raw GET against the API server with the admin token: status code and body. */
function apiGet(path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv().port, path, rejectUnauthorized: false, agent: false, headers: { Authorization: `Bearer ${srv().token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}


/** Creates the Pod object (bound to `nodeName`, default node-1; '' leaves it unbound). */
async function podObject(api: TestServer, name: string, containers: string[], opts: { nodeName?: string; annotations?: Record<string, string> } = {}): Promise<void> {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox:1.36' })), ...(opts.nodeName === '' ? {} : { nodeName: opts.nodeName ?? 'node-1' }) },
  };
  await api.client.forObject(pod).create(pod);
}

/** A pod whose containers live in the fake runtime, each log line prefixed with its container's name. */
async function createPod(name: string, containers: string[], opts: { nodeName?: string; annotations?: Record<string, string>; lines?: string[] } = {}): Promise<void> {
  await podObject(srv(), name, containers, opts);
  for (const c of containers) {
    const id = `${NS}/${name}/${c}`;
    ids.set(id, id);
    runtime.addContainer(id, opts.lines?.map((l) => `${c}: ${l}`) ?? []);
  }
}

/** A Node as the agent registers it: its address and kubelet API port in status. */
async function createNode(api: TestServer, name: string, port: number): Promise<void> {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  };
  await api.client.forObject(node).create(node);
}

describe('logs and exec through the API server', () => {
  before(async () => {
    server = await startTestServer();
    const nodeToken = readFileSync(join(server.dataDir, 'node-token'), 'utf8').trim();
    kubelet = new KubeletServer({
      port: 0,
      bindAddress: '127.0.0.1',
      tls: { certDir: join(server.dataDir, 'kubelet-tls') },
      token: nodeToken,
      runtime,
      findContainer: (ref) => {
        const id = ids.get(`${ref.namespace}/${ref.pod}/${ref.container}`);
        return Promise.resolve(id && !ref.previous ? { id } : undefined);
      },
    });
    const { port } = await kubelet.start();
    await createNode(server, 'node-1', port);
    // A node whose agent is not there: nothing listens on port 1 of the loopback address.
    await createNode(server, 'node-gone', 1);
    await createPod('web', ['app'], { lines: ['one', 'two'] });
    await createPod('multi', ['a', 'b'], { lines: ['hello'] });
    await createPod('annotated', ['a', 'b'], { lines: ['hello'], annotations: { 'kubectl.kubernetes.io/default-container': 'b' } });
    await createPod('unbound', ['app'], { nodeName: '' });
    await createPod('stranded', ['app'], { nodeName: 'node-gone' });
  });

  after(async () => {
    await kubelet?.stop();
    await server?.stop();
  });

  it('lists pods/log and pods/exec in discovery', async () => {
    const list = JSON.parse((await apiGet('/api/v1')).body) as { resources: { name: string; verbs: string[] }[] };
    assert.deepEqual(list.resources.find((r) => r.name === 'pods/log')?.verbs, ['get']);
    assert.deepEqual(list.resources.find((r) => r.name === 'pods/exec')?.verbs, ['create', 'get']);
  });

  it('kubectl logs prints the container log, its tail, and -c picks a container', async () => {
    assert.equal(await ok(['logs', 'web']), 'app: one\napp: two\n');
    assert.equal(await ok(['logs', 'web', '--tail=1']), 'app: two\n');
    assert.equal(await ok(['logs', 'multi', '-c', 'b']), 'b: hello\n');
    assert.match(await ok(['logs', 'web', '--timestamps']), /^\d{4}-\d\d-\d\dT[\d:.]+Z app: one\n/);
  });

  it('kubectl logs -f streams appended lines and exits 0 when the container ends', async () => {
    await createPod('follow', ['app'], { lines: ['start'] });
    const id = `${NS}/follow/app`;
    const done = run(['logs', '-f', 'follow']);
    await until('kubectl to follow the log', () => runtime.followers(id) === 1);
    runtime.log(id, 'app: more');
    runtime.log(id, 'app: last');
    runtime.stop(id);
    const r = await done;
    expectCode(r, 0, ['logs', '-f', 'follow']);
    assert.equal(r.stdout, 'app: start\napp: more\napp: last\n');
  });

  it('pods/log picks the only container or the annotated default, and says which to choose otherwise', async () => {
    assert.equal((await apiGet(`/api/v1/namespaces/${NS}/pods/annotated/log`)).body, 'b: hello\n');
    const multi = await apiGet(`/api/v1/namespaces/${NS}/pods/multi/log`);
    assert.equal(multi.code, 400);
    assert.equal((JSON.parse(multi.body) as { message: string }).message, 'a container name must be specified for pod multi, choose one of: [a b]');
    const unknown = await apiGet(`/api/v1/namespaces/${NS}/pods/web/log?container=nope`);
    assert.equal(unknown.code, 400);
    assert.match(unknown.body, /container nope is not valid for pod web/);
  });

  it('pods/log explains a pod without a node, a missing pod, and an unreachable agent', async () => {
    const unbound = await apiGet(`/api/v1/namespaces/${NS}/pods/unbound/log`);
    assert.equal(unbound.code, 400);
    assert.match(unbound.body, /pod unbound does not have a host assigned/);
    assert.equal((await apiGet(`/api/v1/namespaces/${NS}/pods/absent/log`)).code, 404);
    const stranded = await apiGet(`/api/v1/namespaces/${NS}/pods/stranded/log`);
    assert.equal(stranded.code, 503);
    assert.match(stranded.body, /unable to reach the node agent of node \\"node-gone\\"/);
    const r = await run(['logs', 'unbound']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /does not have a host assigned/);
  });

  it('kubectl exec prints the output, and the exit code propagates', async () => {
    assert.equal(await ok(['exec', 'web', '--', 'echo', 'hi']), 'hi\n');
    const failed = await run(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expectCode(failed, 3, ['exec', 'web', '--', 'sh', '-c', '...; exit 3']);
    assert.equal(failed.stdout, 'out\n');
    assert.match(failed.stderr, /err\n/);
    assert.match(failed.stderr, /command terminated with exit code 3/);
    assert.deepEqual(runtime.execs[runtime.execs.length - 1], { id: `${NS}/web/app`, command: ['sh', '-c', 'echo out; echo err >&2; exit 3'], tty: false });
  });

  it('kubectl exec -i feeds piped stdin and ends it at EOF', async () => {
    assert.equal(await ok(['exec', '-i', 'web', '--', 'cat'], { stdin: 'line 1\nline 2\n' }), 'line 1\nline 2\n');
  });

  it('kubectl exec reports a pod without a node and an unreachable agent', async () => {
    const unbound = await run(['exec', 'unbound', '--', 'echo', 'hi']);
    assert.notEqual(unbound.code, 0);
    assert.match(unbound.stderr, /pod unbound does not have a host assigned/);
    const stranded = await run(['exec', 'stranded', '--', 'echo', 'hi']);
    assert.notEqual(stranded.code, 0);
    assert.match(stranded.stderr, /unable to reach the node agent of node "node-gone"/);
  });

  it('kubectl exec -it runs an interactive shell on a terminal: echo, resize, exit', async () => {
    const before = runtime.resizes.length;
    const kubectlCmd = [findKubectl(), '--kubeconfig', srv().kubeconfig, '--cache-dir', join(srv().dataDir, 'kubectl-cache'), 'exec', '-it', 'web', '--', 'sh'];
    const quoted = kubectlCmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfc', `stty cols 100 rows 40; exec ${quoted}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
    try {
      await until(`the shell's prompt; the terminal shows: ${JSON.stringify(out)}`, () => out.includes('$ '), 15000);
      child.stdin.write('echo hello there\n');
      await until(`the command's output; the terminal shows: ${JSON.stringify(out)}`, () => /hello there\r\n[^]*hello there\r\n/.test(out));
      child.stdin.write('exit\n');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running after 10 s'), 10000)))]);
      clearTimeout(timer);
      assert.equal(code, 0, `expected kubectl exec -it to exit 0 after \`exit\`; the terminal shows: ${JSON.stringify(out)}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    assert.ok(runtime.resizes.slice(before).some((r) => r.cols === 100 && r.rows === 40), `expected a 100x40 resize; got ${JSON.stringify(runtime.resizes.slice(before))}`);
    assert.deepEqual(runtime.execs[runtime.execs.length - 1], { id: `${NS}/web/app`, command: ['sh'], tty: true });
  });

  it('@kubernetes/client-node Exec negotiates v5 and reports the exit status', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(srv().kubeconfig);
    let stdout = '';
    let stderr = '';
    const sink = (add: (s: string) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          add(chunk.toString());
          cb();
        },
      });
    let status: k8s.V1Status | undefined;
    const stdin = new PassThrough();
    const closed = new Promise<void>((resolve) => {
      void new k8s.Exec(kc)
        .exec(NS, 'web', 'app', ['sh', '-c', 'echo out; echo err >&2; exit 2'], sink((s) => (stdout += s)), sink((s) => (stderr += s)), stdin, false, (s) => {
          status = s;
        })
        .then((ws) => {
          assert.equal(ws.protocol, 'v5.channel.k8s.io');
          ws.on('close', () => resolve());
        });
    });
    await closed;
    stdin.end();
    assert.equal(stdout, 'out\n');
    assert.equal(stderr, 'err\n');
    assert.equal(status?.status, 'Failure');
    assert.equal(status?.reason, 'NonZeroExitCode');
    assert.deepEqual(status?.details?.causes, [{ reason: 'ExitCode', message: '2' }]);
  });
});

describe('logs and exec through the API server into a real Docker container', () => {
  const docker = new DockerRuntime();
  // A name no other suite's pod on this engine has: the agent finds containers by these labels.
  const pod: PodRef = { uid: `logs-exec-${process.pid}-${Date.now().toString(36)}`, name: `real-${process.pid}`, namespace: NS };
  let api: TestServer | undefined;
  let agent: KubeletServer | undefined;
  let sandboxId: string | undefined;
  let containerId: string | undefined;

  const kc = (args: string[], opts: { stdin?: string } = {}): Promise<KubectlResult> => {
    if (!api) throw new Error('the API server did not start (see the failure of the before hook)');
    return kubectl(args, { kubeconfig: api.kubeconfig, ...opts });
  };

  before(async () => {
    api = await startTestServer();
    // The images `minik8s images bootstrap` builds; this suite fails (never skips) without them.
    await docker.ensureImage('busybox:1.36', 'Never');
    await docker.ensureImage(PAUSE_IMAGE, 'Never');
    sandboxId = (await docker.createSandbox({ pod, hostname: pod.name, hostNetwork: false })).id;
    containerId = await docker.createContainer(sandboxId, {
      pod,
      name: 'app',
      role: 'container',
      attempt: 0,
      specHash: 'logs-exec',
      image: 'busybox:1.36',
      command: ['sh', '-c', "echo started; trap 'exit 0' TERM; while :; do sleep 1 & wait; done"],
      env: {},
      mounts: [],
      tty: false,
      stdin: false,
    });
    await docker.startContainer(containerId);
    agent = new KubeletServer({
      port: 0,
      bindAddress: '127.0.0.1',
      tls: { certDir: join(api.dataDir, 'kubelet-tls') },
      token: readFileSync(join(api.dataDir, 'node-token'), 'utf8').trim(),
      runtime: docker,
      findContainer: findContainerByLabels(docker),
    });
    await createNode(api, 'node-docker', (await agent.start()).port);
    await podObject(api, pod.name, ['app'], { nodeName: 'node-docker' });
  });

  after(async () => {
    await agent?.stop();
    if (containerId) {
      await docker.stopContainer(containerId, 1);
      await docker.removeContainer(containerId);
    }
    if (sandboxId) await docker.removeSandbox(sandboxId);
    await api?.stop();
  });

  it('kubectl logs, exec with an exit code, and exec -i with stdin', async () => {
    let logs = '';
    for (let i = 0; i < 50 && logs !== 'started\n'; i++) {
      logs = (await kc(['logs', pod.name])).stdout;
      if (logs !== 'started\n') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'started\n');
    const r = await kc(['exec', pod.name, '--', 'sh', '-c', 'echo hi; exit 3']);
    expectCode(r, 3, ['exec', pod.name, '--', 'sh', '-c', 'echo hi; exit 3']);
    assert.equal(r.stdout, 'hi\n');
    assert.match(r.stderr, /command terminated with exit code 3/);
    const cat = await kc(['exec', '-i', pod.name, '--', 'cat'], { stdin: 'through docker\n' });
    expectCode(cat, 0, ['exec', '-i', pod.name, '--', 'cat']);
    assert.equal(cat.stdout, 'through docker\n');
  });
});
