// The v5.channel.k8s.io framing of `exec` (kubernetes-api.md §5.2): every WebSocket message is binary,
// its first byte the channel. Pure functions, so the protocol is testable without a socket.
//
//   client → server   0 stdin bytes · 4 resize {"Width":W,"Height":H} · 255 CLOSE [255, channel]
//   server → client   1 stdout · 2 stderr · 3 a metav1.Status, once, then the server closes

import { isObject } from '../../api/meta.js';
import { CHANNEL, PROTOCOL_V5 } from '../../api/remotecommand.js';

export const PROTOCOL = PROTOCOL_V5;

export const STDIN = CHANNEL.stdin;
export const STDOUT = CHANNEL.stdout;
export const STDERR = CHANNEL.stderr;
export const STATUS = CHANNEL.error;
export const RESIZE = CHANNEL.resize;
export const CLOSE = CHANNEL.close;

export function stdinFrame(data: Buffer): Buffer {
  return Buffer.concat([Buffer.of(STDIN), data]);
}

/** Capitalised keys and a trailing newline, as kubectl sends it. */
export function resizeFrame(size: { cols: number; rows: number }): Buffer {
  return Buffer.concat([Buffer.of(RESIZE), Buffer.from(`${JSON.stringify({ Width: size.cols, Height: size.rows })}\n`)]);
}

/** Tells the server a stream ended (stdin at EOF: the remote process sees its stdin close). */
export function closeFrame(channel = STDIN): Buffer {
  return Buffer.of(CLOSE, channel);
}

export interface Frame {
  channel: number;
  payload: Buffer;
}

/** Undefined for an empty message (nothing to route). */
export function decodeFrame(msg: Buffer): Frame | undefined {
  const channel = msg[0];
  return channel === undefined ? undefined : { channel, payload: msg.subarray(1) };
}

/** What the Status on channel 3 means for the command: an exit code, or a failure to show. */
export type Outcome = { exitCode: number } | { error: string };

/** Success (or no status at all: the connection simply closed) is exit code 0. */
export function outcomeOf(status: Buffer | undefined): Outcome {
  if (status === undefined || status.length === 0) return { exitCode: 0 };
  let s: unknown;
  try {
    s = JSON.parse(status.toString('utf8'));
  } catch {
    return { error: `the server sent an exit status that is not JSON: ${status.toString('utf8').slice(0, 200)}` };
  }
  if (!isObject(s)) return { error: 'the server sent an exit status that is not an object' };
  if (s['status'] === 'Success') return { exitCode: 0 };
  if (s['reason'] === 'NonZeroExitCode') {
    const details = s['details'];
    const causes = isObject(details) && Array.isArray(details['causes']) ? (details['causes'] as unknown[]) : [];
    for (const c of causes) {
      if (isObject(c) && c['reason'] === 'ExitCode' && typeof c['message'] === 'string' && /^\d+$/.test(c['message']))
        return { exitCode: Number(c['message']) };
    }
  }
  const message = typeof s['message'] === 'string' && s['message'] !== '' ? s['message'] : 'the command failed on the server (no message)';
  return { error: message };
}
