// `minik8s apiserver`: the API server over its store, with TLS and tokens from the data dir.

import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiServer } from '../apiserver/server.js';
import { ensureCredentials, writeAdminKubeconfig } from '../apiserver/pki.js';
import { openStore } from '../storage/index.js';
import { consoleLogger } from '../util/logger.js';

export const API_SERVER_FLAGS = {
  'data-dir': { type: 'string', default: '/var/lib/minik8s' },
  port: { type: 'string', default: '6443' },
  'bind-address': { type: 'string', default: '0.0.0.0' },
  store: { type: 'string' },
  'service-cidr': { type: 'string', default: '10.96.0.0/12' },
  'advertise-address': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const API_SERVER_HELP = `Flags:
  --data-dir DIR          state, certificates, tokens and the admin kubeconfig (default /var/lib/minik8s)
  --port N                HTTPS port (default 6443; 0 picks a free one)
  --bind-address ADDR     address to listen on (default 0.0.0.0)
  --store SPEC            sqlite (default: DATA_DIR/state.db), sqlite:///FILE, or etcd://HOST:PORT[,HOST:PORT...]
  --service-cidr CIDR     the range Service cluster IPs come from (default 10.96.0.0/12)
  --advertise-address IP  where nodes and pods reach the API server (default: the first non-loopback IPv4)
`;

export interface RunningApiServer {
  server: ApiServer;
  port: number;
  kubeconfig: string;
  stop: () => Promise<void>;
}

export async function startApiServer(flags: {
  'data-dir': string;
  port: string;
  'bind-address': string;
  store?: string | undefined;
  'service-cidr'?: string | undefined;
  'advertise-address'?: string | undefined;
}): Promise<RunningApiServer> {
  const dataDir = flags['data-dir'];
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${flags.port}: not a port number`);
  const creds = ensureCredentials({ dataDir, bindAddress: flags['bind-address'] });
  const store = await openStore(flags.store, dataDir);
  const server = new ApiServer({
    store,
    port,
    bindAddress: flags['bind-address'],
    tls: { cert: creds.cert, key: creds.key },
    tokens: [creds.adminToken, creds.nodeToken],
    nodeToken: creds.nodeToken,
    logger: consoleLogger,
    ...(flags['service-cidr'] ? { serviceCidr: flags['service-cidr'] } : {}),
    ...(flags['advertise-address'] ? { advertiseAddress: flags['advertise-address'] } : {}),
  });
  const { port: actual } = await server.start();
  const kubeconfig = writeAdminKubeconfig({ dataDir, bindAddress: flags['bind-address'], port: actual, creds });
  return {
    server,
    port: actual,
    kubeconfig,
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}

/** Stops cleanly on SIGINT/SIGTERM. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

export async function runApiServer(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: API_SERVER_FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(`Usage: minik8s apiserver [flags]\n\n${API_SERVER_HELP}`);
    return;
  }
  const running = await startApiServer(values);
  consoleLogger.info('API server listening', { port: running.port, kubeconfig: running.kubeconfig });
  process.stdout.write(`minik8s apiserver: listening on port ${running.port}; admin kubeconfig: ${running.kubeconfig}\n`);
  stopOnSignals(running.stop);
}
