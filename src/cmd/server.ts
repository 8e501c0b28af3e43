// `minik8s server`: every control-plane component in one process (k3s style). Components
// talk to the API server only through the client, over the same HTTPS endpoint and admin
// kubeconfig any other client uses, so each can also run alone.

import { parseArgs } from 'node:util';
import { API_SERVER_FLAGS, API_SERVER_HELP, startApiServer, stopOnSignals } from './apiserver.js';
import { startScheduler } from './scheduler.js';
import { CONTROLLER_MANAGER_FLAGS, CONTROLLER_MANAGER_HELP, startControllers } from './controllermanager.js';
import { AGENT_NODE_FLAGS, AGENT_NODE_HELP, startNodeAgent } from './agent.js';
import { DNS_FLAGS, DNS_HELP, startClusterDns } from './dns.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../client/client.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { SharedInformerFactory } from '../machinery/informer.js';
import { resolveResource } from '../api/scheme.js';
import { isPolicyName } from '../scheduler/registry.js';
import { consoleLogger } from '../util/logger.js';
import { realClock } from '../util/clock.js';

const SERVER_FLAGS = {
  ...API_SERVER_FLAGS,
  ...AGENT_NODE_FLAGS,
  ...CONTROLLER_MANAGER_FLAGS,
  ...DNS_FLAGS,
  'disable-dns': { type: 'boolean', default: false },
  'disable-controller-manager': { type: 'boolean', default: false },
  'disable-agent': { type: 'boolean', default: false },
  'scheduler-policy': { type: 'string', default: 'round-robin' },
  'disable-scheduler': { type: 'boolean', default: false },
} as const;

const SERVER_HELP = `${API_SERVER_HELP}  --scheduler-policy P     round-robin (default) or least-allocated
  --disable-scheduler      do not run the scheduler in this process
  --disable-agent          do not run a node agent (pods) in this process
  --disable-controller-manager  do not run the controllers in this process
  --disable-dns            do not run the cluster DNS server in this process
Cluster DNS flags:
${DNS_HELP}Controller flags:
${CONTROLLER_MANAGER_HELP}Node agent flags (the local node):
${AGENT_NODE_HELP}`;

export async function runServer(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: SERVER_FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(`Usage: minik8s server [flags]\n\n${SERVER_HELP}`);
    return;
  }
  const policy = values['scheduler-policy'];
  if (!isPolicyName(policy)) throw new Error(`--scheduler-policy ${policy}: expected round-robin or least-allocated`);
  const api = await startApiServer(values);
  const logger = consoleLogger;
  const client = Client.fromConnection(loadKubeconfig({ path: api.kubeconfig }));
  // One shared informer per kind for every embedded component.
  const informers = new SharedInformerFactory(
    (resource) => {
      const rt = resolveResource(resource);
      if (!rt) throw new Error(`unknown resource ${resource}`);
      return client.resource(rt).listWatcher();
    },
    { clock: realClock, logger },
  );
  const stops: (() => Promise<void>)[] = [];
  if (!values['disable-scheduler']) {
    const scheduler = startScheduler({ client, policy, informers, logger });
    stops.push(() => scheduler.stop());
  }
  if (!values['disable-controller-manager']) {
    const controllers = startControllers(values, { client, informers, logger });
    stops.push(() => controllers.stop());
  }
  if (!values['disable-dns']) {
    const dns = await startClusterDns(values, { client, informers, logger });
    if (dns) stops.push(() => dns.stop());
  }
  informers.start();
  if (!values['disable-agent']) {
    // The local node joins like any other: through the API, with the node token.
    const token = readFileSync(join(values['data-dir'], 'node-token'), 'utf8').trim();
    const agent = await startNodeAgent(values, { client, token, defaultRootDir: join(values['data-dir'], 'agent'), logger });
    stops.push(() => agent.stop());
    logger.info('node agent running', { node: agent.nodeName, kubeletPort: agent.kubeletPort });
  }
  logger.info('server running', { port: api.port, kubeconfig: api.kubeconfig });
  process.stdout.write(`minik8s server: API server on port ${api.port}\nadmin kubeconfig: ${api.kubeconfig}\n`);
  stopOnSignals(async () => {
    for (const stop of stops.reverse()) await stop();
    await informers.stop();
    client.close();
    await api.stop();
  });
}
