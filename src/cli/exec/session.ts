// One `exec` session over a WebSocket (v5.channel.k8s.io): local stdin → channel 0 (CLOSE at EOF),
// the terminal size → channel 4, channels 1 and 2 → local stdout and stderr, and the Status on
// channel 3 → the outcome. `ws` is imported here, and this module is imported only by `exec`,
// so no other command pays for loading it.
//
//   mkctl ──GET pods/P/exec?command=…  Upgrade: websocket, Sec-WebSocket-Protocol: v5.channel.k8s.io──▶ API server
//         ◀── 101, then binary frames both ways; the server sends the Status and closes (1000)

import type { Readable, Writable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { ApiError } from '../../api/errors.js';
import type { Connection } from '../../client/kubeconfig.js';
import { errorFromText } from '../../client/rest.js';
import { CliError } from '../context.js';
import { PROTOCOL, STATUS, STDERR, STDOUT, closeFrame, decodeFrame, outcomeOf, resizeFrame, stdinFrame, type Outcome } from './frames.js';
import type { RawTerminal } from './terminal.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string | undefined;
  command: readonly string[];
  /** Ask for a stdin stream (exec -i). */
  stdin: boolean;
  tty: boolean;
}

export interface SessionIO {
  /** Sent on channel 0 when given (exec -i); its end sends CLOSE. */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /** With -t: the size is sent at start and on every change. */
  terminal?: RawTerminal;
}

/** Stop reading stdin while this much is queued on the socket. */
const HIGH_WATER = 1 << 20;

export function execUrl(conn: Connection, req: ExecRequest): string {
  const base = new URL(conn.server);
  const q = new URLSearchParams();
  for (const c of req.command) q.append('command', c);
  if (req.container) q.set('container', req.container);
  // kubectl's set: with a tty, stderr is merged into it and not asked for.
  if (req.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!req.tty) q.set('stderr', 'true');
  if (req.tty) q.set('tty', 'true');
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const prefix = base.pathname.replace(/\/$/, '');
  return `${scheme}//${base.host}${prefix}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/exec?${q.toString()}`;
}

/** Runs the session to its end; rejects only when it could not start or broke off without a status. */
export function runSession(conn: Connection, req: ExecRequest, io: SessionIO): Promise<Outcome> {
  const ws = new WebSocket(execUrl(conn, req), [PROTOCOL], {
    headers: conn.token ? { Authorization: `Bearer ${conn.token}` } : {},
    ...(conn.ca ? { ca: conn.ca } : {}),
    ...(conn.cert ? { cert: conn.cert } : {}),
    ...(conn.key ? { key: conn.key } : {}),
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
    perMessageDeflate: false,
  });
  return new Promise<Outcome>((resolve, reject) => {
    let status: Buffer | undefined;
    let settled = false;
    const stdin = io.stdin;
    const onData = (chunk: Buffer): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(stdinFrame(chunk));
      if (ws.bufferedAmount > HIGH_WATER) {
        stdin?.pause();
        const wait = setInterval(() => {
          if (ws.bufferedAmount <= HIGH_WATER || ws.readyState !== WebSocket.OPEN) {
            clearInterval(wait);
            stdin?.resume();
          }
        }, 10);
      }
    };
    const onEnd = (): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(closeFrame());
    };
    const finish = (err: Error | undefined, outcome?: Outcome): void => {
      if (settled) return;
      settled = true;
      if (stdin) {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      }
      if (err) reject(err);
      else resolve(outcome ?? { exitCode: 0 });
    };

    ws.on('unexpected-response', (_req, res) => {
      // Refused before the upgrade (401, a proxy, an old server): the body is a Status.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += body.length > 65536 ? '' : c));
      res.on('end', () => {
        finish(errorFromText(res.statusCode ?? 500, body));
        ws.terminate();
      });
      res.on('error', (e) => finish(e));
    });
    ws.on('error', (e: NodeJS.ErrnoException) => {
      const err =
        e.code === 'ECONNREFUSED'
          ? new ApiError(
              'ServiceUnavailable',
              `the connection to the server ${conn.server} was refused - did you specify the right host or port?`,
              undefined,
              503,
            )
          : new ApiError('ServiceUnavailable', `unable to reach the server ${conn.server}: ${e.message}`, undefined, 503);
      err.cause = e; // marks "no answer at all" for errorLine
      finish(err);
    });
    ws.on('open', () => {
      if (ws.protocol !== PROTOCOL) {
        finish(new CliError(`the server answered the exec upgrade with subprotocol "${ws.protocol}", not ${PROTOCOL}`));
        ws.terminate();
        return;
      }
      const term = io.terminal;
      if (term) {
        const size = term.size();
        if (size) ws.send(resizeFrame(size));
        term.onResize((s) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(resizeFrame(s));
        });
      }
      if (stdin) {
        stdin.on('data', onData);
        stdin.once('end', onEnd);
        stdin.resume();
      }
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return;
      const frame = decodeFrame(toBuffer(data));
      if (!frame || frame.payload.length === 0) return;
      const out = frame.channel === STDOUT ? io.stdout : frame.channel === STDERR ? io.stderr : undefined;
      if (out) {
        if (!out.write(frame.payload)) {
          ws.pause();
          out.once('drain', () => ws.resume());
        }
      } else if (frame.channel === STATUS) status = Buffer.concat([status ?? Buffer.alloc(0), frame.payload]);
    });
    ws.on('close', (code) => {
      // No status and no clean close: the connection broke, which must not pass for exit code 0.
      if (status === undefined && code !== 1000 && code !== 1005) {
        finish(new CliError(`the exec connection to the server closed unexpectedly (WebSocket code ${code})`));
        return;
      }
      finish(undefined, outcomeOf(status));
    });
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
