// Byte streams to and from the engine: container logs and exec sessions.
//
// Docker's framing: without a TTY, stdout and stderr travel multiplexed over one connection, each
// frame an 8-byte header [stream (1 stdout, 2 stderr), 0, 0, 0, size (uint32 big-endian)] followed
// by `size` bytes. With a TTY the stream is raw bytes.

import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { abortReason, toError } from '../../../util/abort.js';
import type { ExecOptions, ExecSession, LogOptions } from '../runtime.js';

export interface Frame {
  stream: number;
  data: Buffer;
}

/** Splits a multiplexed byte stream into frames; chunk boundaries may fall anywhere. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      frames.push({ stream: this.buf.readUInt8(0), data: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return frames;
  }
}

/** An engine response as a readable of payload bytes (both streams in order), ending cleanly on abort. */
function payloadStream(res: IncomingMessage, multiplexed: boolean, signal: AbortSignal | undefined): Readable {
  const parser = multiplexed ? new FrameParser() : undefined;
  const out = new Readable({
    read: () => void res.resume(),
    destroy: (err, cb) => {
      res.destroy();
      cb(err);
    },
  });
  const push = (b: Buffer): void => {
    if (b.length > 0 && !out.push(b)) res.pause();
  };
  res.on('data', (chunk: Buffer) => {
    if (!parser) push(chunk);
    else for (const f of parser.push(chunk)) push(f.data);
  });
  res.on('end', () => out.push(null));
  res.on('error', (e) => (signal?.aborted ? out.push(null) : out.destroy(e)));
  signal?.addEventListener(
    'abort',
    () => {
      res.destroy();
      out.push(null);
    },
    { once: true },
  );
  return out;
}

/** Reads an error body and rejects the way dockerode does (statusCode, json.message). */
function httpError(res: IncomingMessage): Promise<never> {
  return new Promise((_, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (s: string) => (body += s));
    res.on('error', reject);
    res.on('end', () => {
      let message = body.trim();
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') message = parsed.message;
      } catch {
        // not JSON: keep the text
      }
      reject(Object.assign(new Error(`(HTTP code ${res.statusCode}) ${message}`), { statusCode: res.statusCode, json: { message } }));
    });
  });
}

/**
 * Container logs as one text stream. Talks HTTP to the engine itself: dockerode buffers a
 * non-follow response and may JSON-parse it, which mangles a TTY container's output.
 * Timestamps are the engine's (RFC3339 with nanoseconds, as kubectl shows them).
 */
export function openLogs(socketPath: string, id: string, opts: LogOptions & { tty: boolean }): Promise<Readable> {
  const q = new URLSearchParams({
    stdout: '1',
    stderr: '1',
    follow: opts.follow ? '1' : '0',
    timestamps: opts.timestamps ? '1' : '0',
    tail: opts.tailLines !== undefined ? String(Math.max(0, Math.floor(opts.tailLines))) : 'all',
  });
  if (opts.sinceSeconds !== undefined) q.set('since', String(Math.floor(Date.now() / 1000 - opts.sinceSeconds)));
  const signal = opts.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const req = request({ socketPath, path: `/containers/${encodeURIComponent(id)}/logs?${q.toString()}`, method: 'GET' });
    const onAbort = (): void => {
      req.destroy();
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', reject);
    req.on('response', (res) => {
      signal?.removeEventListener('abort', onAbort);
      if (res.statusCode !== 200) httpError(res).catch(reject);
      else resolve(payloadStream(res, !opts.tty, signal));
    });
    req.end();
  });
}

/** How long to wait for the engine to record an exec's exit code after its stream closed. */
const EXIT_CODE_WAIT_MS = 5000;

async function exitCode(exec: Dockerode.Exec): Promise<number> {
  const deadline = Date.now() + EXIT_CODE_WAIT_MS;
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (Date.now() > deadline) throw new Error(`exec ${exec.id}: still running after its stream closed`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts a command in a running container over a hijacked connection: stdin piped in (its end
 * half-closes the connection, which closes the process's stdin), stdout/stderr demultiplexed out
 * (one raw stream with a TTY). The caller's writables are written to, never ended. Aborting closes
 * the connection and rejects `exited`; the engine does not kill the process for that (nor does `docker exec`).
 */
export async function startExec(container: Dockerode.Container, opts: ExecOptions): Promise<ExecSession> {
  const stdin = opts.stdin;
  const exec = await container.exec({
    Cmd: opts.command,
    AttachStdin: stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: opts.tty,
  });
  const sock: Duplex = await exec.start({ hijack: true, stdin: stdin !== undefined, Tty: opts.tty, Detach: false });
  const parser = opts.tty ? undefined : new FrameParser();
  const write = (stream: number, data: Buffer): void => {
    const w = stream === 2 ? opts.stderr : opts.stdout;
    if (w && !w.write(data)) {
      sock.pause();
      w.once('drain', () => sock.resume());
    }
  };
  sock.on('data', (chunk: Buffer) => {
    if (!parser) write(1, chunk);
    else for (const f of parser.push(chunk)) if (f.stream !== 0) write(f.stream, f.data);
  });
  if (stdin) {
    stdin.pipe(sock);
    sock.on('close', () => stdin.unpipe(sock));
  }
  const exited = new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      if (opts.signal?.aborted) reject(abortReason(opts.signal));
      else exitCode(exec).then(resolve, (e: unknown) => reject(toError(e)));
    };
    sock.on('close', settle);
    // The engine closed its side: the process is done (close ours too, whatever allowHalfOpen says).
    sock.on('end', () => sock.end());
    // A reset connection still ends the session: its exit code says how the process ended.
    sock.on('error', () => sock.destroy());
    opts.signal?.addEventListener('abort', () => sock.destroy(), { once: true });
    if (opts.signal?.aborted) sock.destroy();
  });
  return {
    resize: async (cols, rows) => {
      await exec.resize({ w: cols, h: rows });
    },
    exited,
  };
}
