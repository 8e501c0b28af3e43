// The kubelet API over real HTTPS and WebSockets against the in-memory streams runtime: logs
// (tail, since, timestamps, follow until the container ends, previous, limitBytes), exec over
// v5.channel.k8s.io (stdout, stderr, exit status on channel 3, stdin ended by the CLOSE
// signal, tty resizes), v4 negotiation, and authentication.

import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { KubeletServer, type ContainerRef } from './server.js';
import { FakeStreamsRuntime } from './streams/fake.js';
import { untilTrue as until } from '../../test/support/until.js';

const TOKEN = 'node-token-for-tests';

interface HttpResult {
  code: number;
  body: string;
  contentType: string;
}

function get(port: number, path: string, opts: { token?: string; onChunk?: (s: string) => void } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== '') headers['Authorization'] = `Bearer ${opts.token ?? TOKEN}`;
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
        opts.onChunk?.(c);
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body, contentType: String(res.headers['content-type']) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface ExecResult {
  protocol: string;
  stdout: string;
  stderr: string;
  status: Record<string, unknown> | undefined;
  closeCode: number;
}

/** Opens an exec WebSocket, lets `drive` talk on it, and collects everything until the close. */
function exec(
  port: number,
  query: string,
  opts: { protocols?: string[]; token?: string; drive?: (ws: WebSocket, out: { stdout: string }) => void } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/exec/default/web/${query}`, opts.protocols ?? ['v5.channel.k8s.io'], {
      rejectUnauthorized: false,
      headers: { Authorization: `Bearer ${opts.token ?? TOKEN}` },
    });
    const out: ExecResult & { stdout: string } = { protocol: '', stdout: '', stderr: '', status: undefined, closeCode: 0 };
    ws.on('open', () => {
      out.protocol = ws.protocol;
      opts.drive?.(ws, out);
    });
    ws.on('message', (data: Buffer, isBinary) => {
      assert.ok(isBinary, 'every frame must be binary');
      const payload = data.subarray(1).toString();
      if (data[0] === 1) out.stdout += payload;
      else if (data[0] === 2) out.stderr += payload;
      else if (data[0] === 3) out.status = JSON.parse(payload) as Record<string, unknown>;
      else assert.fail(`unexpected channel ${data[0]}`);
    });
    ws.on('close', (code) => resolve({ ...out, closeCode: code }));
    ws.on('error', reject);
  });
}

function frame(channel: number, payload: string | number[]): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload)]);
}


describe('kubelet API server', () => {
  const runtime = new FakeStreamsRuntime();
  const lookups: ContainerRef[] = [];
  let server: KubeletServer;
  let port: number;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minik8s-kubelet-'));
    runtime.addContainer('c-app', ['one', 'two', 'three']);
    runtime.addContainer('c-app-previous', ['before the restart']);
    server = new KubeletServer({
      port: 0,
      bindAddress: '127.0.0.1',
      tls: { certDir: join(dir, 'tls') },
      token: TOKEN,
      runtime,
      findContainer: (ref) => {
        lookups.push(ref);
        if (ref.namespace !== 'default' || ref.pod !== 'web') return Promise.resolve(undefined);
        if (ref.container === 'app') return Promise.resolve({ id: ref.previous ? 'c-app-previous' : 'c-app' });
        if (ref.container === 'follow') return Promise.resolve({ id: 'c-follow' });
        return Promise.resolve(undefined);
      },
    });
    ({ port } = await server.start());
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes its self-signed serving key once, readable by its owner only', () => {
    assert.equal(statSync(join(dir, 'tls', 'serving.key')).mode & 0o777, 0o600);
    assert.ok(statSync(join(dir, 'tls', 'serving.crt')).isFile());
  });

  it('refuses requests without the node token (401 Status), but serves /healthz', async () => {
    const none = await get(port, '/containerLogs/default/web/app', { token: '' });
    assert.equal(none.code, 401);
    assert.equal((JSON.parse(none.body) as { reason: string }).reason, 'Unauthorized');
    assert.equal((await get(port, '/containerLogs/default/web/app', { token: 'wrong' })).code, 401);
    assert.equal((await get(port, '/healthz', { token: '' })).code, 200);
    await assert.rejects(exec(port, 'app?command=echo&command=hi&stdout=true', { token: 'wrong' }), /Unexpected server response: 401/);
  });

  it('serves a container log, its tail, and timestamps', async () => {
    const all = await get(port, '/containerLogs/default/web/app');
    assert.equal(all.code, 200);
    assert.match(all.contentType, /^text\/plain/);
    assert.equal(all.body, 'one\ntwo\nthree\n');
    assert.equal((await get(port, '/containerLogs/default/web/app?tailLines=2')).body, 'two\nthree\n');
    assert.equal((await get(port, '/containerLogs/default/web/app?tailLines=0')).body, '');
    assert.equal((await get(port, '/containerLogs/default/web/app?limitBytes=6')).body, 'one\ntw');
    const stamped = (await get(port, '/containerLogs/default/web/app?timestamps=true&sinceSeconds=3600')).body.trim().split('\n');
    assert.equal(stamped.length, 3);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (one|two|three)$/);
  });

  it('asks for the previous container with previous=true', async () => {
    assert.equal((await get(port, '/containerLogs/default/web/app?previous=true')).body, 'before the restart\n');
    assert.deepEqual(lookups[lookups.length - 1], { namespace: 'default', pod: 'web', container: 'app', previous: true });
  });

  it('answers 404 for an unknown container and 400 for a bad parameter', async () => {
    const missing = await get(port, '/containerLogs/default/web/nope');
    assert.equal(missing.code, 404);
    assert.match(missing.body, /container \\"nope\\" in pod \\"web\\" not found/);
    assert.equal((await get(port, '/containerLogs/default/web/app?tailLines=-1')).code, 400);
    assert.equal((await get(port, '/containerLogs/default/web')).code, 404);
  });

  it('follows a log: appended lines arrive as they are written, and the response ends when the container ends', async () => {
    runtime.addContainer('c-follow', ['first']);
    let seen = '';
    const done = get(port, '/containerLogs/default/web/follow?follow=true', { onChunk: (c) => (seen += c) });
    await until('the first line', () => seen === 'first\n');
    runtime.log('c-follow', 'second');
    await until('the appended line', () => seen === 'first\nsecond\n');
    runtime.stop('c-follow');
    const res = await done;
    assert.equal(res.code, 200);
    assert.equal(res.body, 'first\nsecond\n');
  });

  it('releases a follower when its client goes away', async () => {
    runtime.addContainer('c-follow', ['x']);
    const req = request({ host: '127.0.0.1', port, path: '/containerLogs/default/web/follow?follow=true', rejectUnauthorized: false, agent: false, headers: { Authorization: `Bearer ${TOKEN}` } });
    req.on('error', () => undefined);
    req.end();
    await until('a follower', () => runtime.followers('c-follow') === 1);
    req.destroy();
    await until('the follower to leave', () => runtime.followers('c-follow') === 0);
  });

  it('execs over v5: stdout, then a Success status on channel 3 and a normal close', async () => {
    const r = await exec(port, 'app?command=echo&command=hi&stdout=true&stderr=true');
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.stderr, '');
    assert.deepEqual(r.status, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    assert.equal(r.closeCode, 1000);
    assert.deepEqual(runtime.execs[runtime.execs.length - 1], { id: 'c-app', command: ['echo', 'hi'], tty: false });
  });

  it('separates stderr and reports a non-zero exit as NonZeroExitCode with an ExitCode cause', async () => {
    const r = await exec(port, `app?command=sh&command=-c&command=${encodeURIComponent('echo out; echo err >&2; exit 3')}&stdout=true&stderr=true`);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.status?.['status'], 'Failure');
    assert.equal(r.status?.['reason'], 'NonZeroExitCode');
    assert.deepEqual(r.status?.['details'], { causes: [{ reason: 'ExitCode', message: '3' }] });
    assert.equal(r.closeCode, 1000);
  });

  it('feeds stdin, and the CLOSE signal [255, 0] ends it', async () => {
    const r = await exec(port, 'app?command=cat&stdin=true&stdout=true&stderr=true', {
      drive: (ws, out) => {
        ws.send(frame(0, 'hello '));
        ws.send(frame(0, 'world\n'));
        // Only once the output came back does the client close stdin: cat must still be running.
        const wait = setInterval(() => {
          if (out.stdout !== 'hello world\n') return;
          clearInterval(wait);
          ws.send(frame(255, [0]));
        }, 5);
      },
    });
    assert.equal(r.stdout, 'hello world\n');
    assert.equal(r.status?.['status'], 'Success');
  });

  it('delivers resize frames to the tty, including the one sent before the process started', async () => {
    const before = runtime.resizes.length;
    const r = await exec(port, 'app?command=sh&stdin=true&stdout=true&tty=true', {
      drive: (ws, out) => {
        ws.send(frame(4, '{"Width":100,"Height":30}\n'));
        const wait = setInterval(() => {
          if (!out.stdout.includes('$ ')) return;
          clearInterval(wait);
          ws.send(frame(4, '{"Width":120,"Height":40}'));
          ws.send(frame(0, 'echo hi\r'));
          ws.send(frame(0, 'exit 4\r'));
        }, 5);
      },
    });
    assert.deepEqual(runtime.resizes.slice(before), [
      { id: 'c-app', cols: 100, rows: 30 },
      { id: 'c-app', cols: 120, rows: 40 },
    ]);
    assert.equal(r.stdout, '$ echo hi\r\nhi\r\n$ exit 4\r\n');
    assert.equal(r.status?.['reason'], 'NonZeroExitCode');
  });

  it('negotiates v4 for clients that offer it, and ignores the v5-only CLOSE signal there', async () => {
    const r = await exec(port, 'app?command=cat&stdin=true&stdout=true', {
      protocols: ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io'],
      drive: (ws, out) => {
        ws.send(frame(0, 'x\n'));
        ws.send(frame(255, [0]));
        setTimeout(() => {
          // Under v4, cat is still reading: it echoes this too. Then the client hangs up.
          ws.send(frame(0, 'y\n'));
          const wait = setInterval(() => {
            if (out.stdout !== 'x\ny\n') return;
            clearInterval(wait);
            ws.close(1000);
          }, 5);
        }, 50);
      },
    });
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    assert.equal(r.stdout, 'x\ny\n');
  });

  it('refuses an upgrade offering none of its protocols (400) and a request without a command', async () => {
    await assert.rejects(exec(port, 'app?command=echo&stdout=true', { protocols: ['channel.k8s.io'] }), /Unexpected server response: 400/);
    await assert.rejects(exec(port, 'app?stdout=true'), /Unexpected server response: 400/);
    await assert.rejects(exec(port, 'app?command=echo'), /Unexpected server response: 400/);
  });

  it('reports an unknown container as a Failure status after the upgrade', async () => {
    const r = await exec(port, 'ghost?command=echo&command=hi&stdout=true');
    assert.equal(r.status?.['status'], 'Failure');
    assert.equal(r.status?.['reason'], 'NotFound');
    assert.match(String(r.status?.['message']), /container "ghost" in pod "web" not found/);
    assert.equal(r.closeCode, 1000);
  });
});
