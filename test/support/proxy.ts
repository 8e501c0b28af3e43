// A TCP proxy a test can cut: while paused it drops every connection, so a client behind it is
// cut off from a server that other clients can still reach.

import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** Listening port on 127.0.0.1. */
  port: number;
  /** Drop open connections and refuse new ones until resume(). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  const server = createServer((client) => {
    if (paused) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr !== 'object') return reject(new Error('proxy has no port'));
      resolve({
        port: addr.port,
        pause() {
          paused = true;
          for (const s of sockets) s.destroy();
        },
        resume() {
          paused = false;
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
