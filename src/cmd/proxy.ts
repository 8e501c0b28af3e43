// `minik8s proxy`: the service proxy alone (as kube-proxy), programming `table ip minik8s-proxy` on this node from
// the cluster's Services and EndpointSlices. Every agent starts the same proxy in-process unless --disable-proxy.
// `minik8s proxy --cleanup` removes the table (and the service route the proxy adds) and exits.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '../client/client.js';
import { SharedInformerFactory } from '../machinery/informer.js';
import { resolveResource } from '../api/scheme.js';
import { hostPacketFilter, deleteTable } from '../proxy/nft.js';
import { startProxier } from '../proxy/proxier.js';
import { removeServiceRoute } from '../proxy/route.js';
import { TABLE } from '../proxy/ruleset.js';
import { realClock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { stopOnSignals } from './apiserver.js';

/** The proxy's flags; `minik8s agent` and `minik8s server` accept them too. */
export const PROXY_FLAGS = {
  'cluster-cidr': { type: 'string', default: '10.244.0.0/16' },
  'service-cidr': { type: 'string', default: '10.96.0.0/12' },
  'proxy-table': { type: 'string', default: TABLE },
  'disable-proxy': { type: 'boolean', default: false },
} as const;

export const PROXY_HELP = `  --cluster-cidr CIDR       pod addresses; cluster-IP traffic from elsewhere is masqueraded (default 10.244.0.0/16)
  --service-cidr CIDR       the Service range, routed to the pod bridge on nodes without a default route (default 10.96.0.0/12)
  --proxy-table NAME        the nftables table the service proxy owns (default ${TABLE})
  --disable-proxy           do not run the service proxy in this process
`;

export interface ProxyFlags {
  'cluster-cidr'?: string | undefined;
  'service-cidr'?: string | undefined;
  'proxy-table'?: string | undefined;
}

export interface ServiceProxy {
  stop(opts?: { cleanup?: boolean }): Promise<void>;
}

/** The proxy over its own informers (an agent does not share the control plane's). */
export function startServiceProxy(flags: ProxyFlags, opts: { client: Client; logger?: Logger; netns?: string }): ServiceProxy {
  const logger = opts.logger ?? consoleLogger;
  const informers = new SharedInformerFactory(
    (resource) => {
      const rt = resolveResource(resource);
      if (!rt) throw new Error(`unknown resource ${resource}`);
      return opts.client.resource(rt).listWatcher();
    },
    { clock: realClock, logger },
  );
  const filter = hostPacketFilter(opts.netns ? { netns: opts.netns } : {});
  const proxier = startProxier({
    informers,
    filter,
    clusterCidr: flags['cluster-cidr'] ?? PROXY_FLAGS['cluster-cidr'].default,
    serviceCidr: flags['service-cidr'] ?? PROXY_FLAGS['service-cidr'].default,
    table: flags['proxy-table'] ?? TABLE,
    logger,
  });
  informers.start();
  return {
    stop: async (o = {}) => {
      await informers.stop();
      await proxier.stop(o);
      await filter.close();
    },
  };
}

const FLAGS = {
  ...PROXY_FLAGS,
  kubeconfig: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean', default: false },
  cleanup: { type: 'boolean', default: false },
  netns: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: minik8s proxy [--kubeconfig PATH | --server URL --token TOKEN] [flags]

Programs this node's nftables (table ip ${TABLE}) so that Service cluster IPs and node ports reach their endpoints.

Flags:
  --kubeconfig PATH         a kubeconfig (default ~/.kube/config)
  --server URL --token T    or the API server and a token (--ca-file PATH, --insecure-skip-tls-verify)
  --cleanup                 remove the proxy's table and service route, then exit
  --netns NAME              program the named network namespace (/run/netns/NAME) instead of this process's own
${PROXY_HELP}`;

export async function runProxy(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.cleanup) {
    const filter = hostPacketFilter(values.netns ? { netns: values.netns } : {});
    await deleteTable(filter, values['proxy-table']);
    await removeServiceRoute(filter, values['service-cidr']);
    await filter.close();
    process.stdout.write(`minik8s proxy: removed table ip ${values['proxy-table']}\n`);
    return;
  }
  const client = values.server
    ? Client.fromConnection({
        server: values.server,
        token: values.token ?? '',
        ...(values['ca-file'] ? { ca: readFileSync(values['ca-file'], 'utf8') } : {}),
        insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
        namespace: 'default',
        context: 'minik8s-proxy',
      })
    : Client.fromKubeconfig(values.kubeconfig ? { path: values.kubeconfig } : {});
  const proxy = startServiceProxy(values, { client, ...(values.netns ? { netns: values.netns } : {}) });
  process.stdout.write(`minik8s proxy: programming table ip ${values['proxy-table']} from ${client.rest.conn.server}\n`);
  stopOnSignals(async () => {
    await proxy.stop();
    client.close();
  });
}
