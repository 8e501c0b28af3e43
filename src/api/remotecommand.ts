// The remote-command wire protocol (kubectl exec, client-node Exec) as the kubelet speaks it:
// binary WebSocket messages whose first byte is the channel. v4 and v5 frame the same way;
// v5 adds the CLOSE signal ([255, channel]) a client sends when its stdin ends.

import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { Status } from './meta.js';

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
/** In order of preference. */
export const PROTOCOLS = [PROTOCOL_V5, PROTOCOL_V4] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The best protocol among those a client offers (`Sec-WebSocket-Protocol`), if any. */
export function pickProtocol(offered: Iterable<string> | string | undefined): Protocol | undefined {
  const list = typeof offered === 'string' ? offered.split(',').map((p) => p.trim()) : [...(offered ?? [])];
  return PROTOCOLS.find((p) => list.includes(p));
}

export function frame(channel: number, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}

function status(s: Omit<Status, 'kind' | 'apiVersion' | 'metadata'>): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, ...s };
}

/** The channel-3 Status for a process that exited with `code` (what client-go turns into an exit code). */
export function exitStatus(code: number): Status {
  if (code === 0) return status({ status: 'Success' });
  return status({
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

export function failureStatus(message: string, reason = 'InternalError', code = 500): Status {
  return status({ status: 'Failure', message, reason, code });
}

/** Parses a resize message body: `{"Width":120,"Height":40}`; undefined when it is not one. */
export function parseResize(payload: Buffer): { cols: number; rows: number } | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const cols = v.Width;
    const rows = v.Height;
    if (typeof cols !== 'number' || typeof rows !== 'number' || !Number.isInteger(cols) || !Number.isInteger(rows) || cols < 0 || rows < 0) return undefined;
    return { cols, rows };
  } catch {
    return undefined;
  }
}

/** Answers an upgrade request that will not be upgraded with a plain HTTP response carrying a Status. */
export function refuseUpgrade(socket: Duplex, s: Status): void {
  const code = s.code ?? 500;
  const body = JSON.stringify(s);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
