// `minik8s server`: every control-plane component in one process (k3s style). Components
// talk to the API server only through the client, so each can also run alone.

import { parseArgs } from 'node:util';
import { API_SERVER_FLAGS, API_SERVER_HELP, startApiServer, stopOnSignals } from './apiserver.js';
import { consoleLogger } from '../util/logger.js';

export async function runServer(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: API_SERVER_FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(`Usage: minik8s server [flags]\n\n${API_SERVER_HELP}`);
    return;
  }
  const api = await startApiServer(values);
  consoleLogger.info('server running', { port: api.port, kubeconfig: api.kubeconfig });
  process.stdout.write(`minik8s server: API server on port ${api.port}\nadmin kubeconfig: ${api.kubeconfig}\n`);
  stopOnSignals(api.stop);
}
