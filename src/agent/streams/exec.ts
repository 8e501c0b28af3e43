// One exec session over an upgraded WebSocket: stdin frames feed the process, its stdout and
// stderr leave as frames, resize frames reach the tty, and the exit code leaves as a Status on
// channel 3 followed by a normal close (client-go waits for the close to finish).

import { PassThrough, Writable, type Readable } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import { ApiError } from '../../api/errors.js';
import type { Status } from '../../api/meta.js';
import type { ExecSession } from '../runtime/runtime.js';
import type { Logger } from '../../util/logger.js';
import { CHANNEL, PROTOCOL_V5, exitStatus, failureStatus, frame, parseResize, type Protocol } from '../../api/remotecommand.js';

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The process's streams, as the runtime's exec takes them. */
export interface ExecIo {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  signal: AbortSignal;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

/** Reads `command=..&command=..&stdin=&stdout=&stderr=&tty=`; a BadRequest ApiError when unusable. */
export function parseExecQuery(q: URLSearchParams): ExecRequest {
  const command = q.getAll('command');
  if (command.length === 0 || command[0] === '') throw new ApiError('BadRequest', 'you must specify a command to execute');
  const req = { command, stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr'), tty: flag(q, 'tty') };
  if (!req.stdin && !req.stdout && !req.stderr) throw new ApiError('BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
  // A tty merges stderr into stdout (kubectl -t does not ask for stderr at all).
  if (req.tty) req.stderr = false;
  return req;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A Writable that sends each chunk as a frame on `channel`; it completes a write once the socket took it. */
function channelWriter(ws: WebSocket, channel: number, logger: Logger | undefined): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) return cb(); // the client is gone; output has nowhere to go
      ws.send(frame(channel, chunk), { binary: true }, () => cb());
    },
  });
  w.on('error', (e) => logger?.debug('exec output dropped', { channel, error: e.message }));
  return w;
}

/** Waits until everything written to `w` has been handed to the socket (ending it if nobody did). */
function drained(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', resolve);
    w.once('close', resolve);
    if (!w.writableEnded) w.end();
  });
}

function sendStatus(ws: WebSocket, s: Status): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve();
    ws.send(frame(CHANNEL.error, JSON.stringify(s)), { binary: true }, () => resolve());
  });
}

/**
 * Runs one exec session on `ws` until the process exits or the client leaves. `open` starts the
 * process with the given streams (it may throw: the error leaves as a Failure Status).
 */
export async function runExecSession(
  ws: WebSocket,
  opts: { protocol: Protocol; request: ExecRequest; open: (io: ExecIo) => Promise<ExecSession>; logger?: Logger | undefined },
): Promise<void> {
  const { request } = opts;
  const abort = new AbortController();
  const stdin = request.stdin ? new PassThrough() : undefined;
  const io: ExecIo = { signal: abort.signal };
  if (stdin) io.stdin = stdin;
  if (request.stdout) io.stdout = channelWriter(ws, CHANNEL.stdout, opts.logger);
  if (request.stderr) io.stderr = channelWriter(ws, CHANNEL.stderr, opts.logger);

  let session: ExecSession | undefined;
  let pendingSize: { cols: number; rows: number } | undefined;
  const resize = (size: { cols: number; rows: number }): void => {
    if (!request.tty || size.cols === 0 || size.rows === 0) return;
    if (!session) {
      pendingSize = size; // kubectl sends the size first thing, before the process exists
      return;
    }
    session.resize(size.cols, size.rows).catch((e: unknown) => opts.logger?.warn('exec resize failed', { error: String(e) }));
  };

  ws.on('message', (data, isBinary) => {
    if (!isBinary) return; // the channel protocols are binary; text frames belong to the base64 variants we do not speak
    const buf = toBuffer(data);
    const payload = buf.subarray(1);
    switch (buf[0]) {
      case CHANNEL.stdin:
        if (stdin && !stdin.writableEnded && payload.length > 0 && !stdin.write(payload)) {
          // The process is not reading: stop reading the socket until it catches up.
          ws.pause();
          stdin.once('drain', () => ws.resume());
        }
        break;
      case CHANNEL.resize: {
        const size = parseResize(payload);
        if (size) resize(size);
        break;
      }
      case CHANNEL.close:
        if (opts.protocol === PROTOCOL_V5 && payload[0] === CHANNEL.stdin) stdin?.end();
        break;
    }
  });
  ws.on('close', () => {
    stdin?.end();
    abort.abort();
  });
  ws.on('error', (e) => opts.logger?.debug('exec websocket error', { error: e.message }));

  let result: Status;
  try {
    session = await opts.open(io);
    if (pendingSize) resize(pendingSize);
    const code = await session.exited;
    // Output the runtime wrote just before reporting the exit may still be queued on our
    // writers; the status must not overtake it.
    await new Promise((r) => setImmediate(r));
    await Promise.all([drained(io.stdout), drained(io.stderr)]);
    result = exitStatus(code);
  } catch (e) {
    result = e instanceof ApiError ? e.toStatus() : failureStatus(e instanceof Error ? e.message : String(e));
  }
  await sendStatus(ws, result);
  // Reading may be paused on stdin nobody consumed; the closing handshake needs it back.
  if (ws.isPaused) ws.resume();
  if (ws.readyState === ws.OPEN) ws.close(1000);
}
