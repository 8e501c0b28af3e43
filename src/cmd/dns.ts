// `minik8s dns`: the cluster DNS server (src/dns) alone, reading Services and Endpoints through a
// kubeconfig; `minik8s server` embeds the same component (DNS_FLAGS + startClusterDns). It listens on
// UDP and TCP at --dns-bind-address:--dns-port and points the kube-system/kube-dns Service there.

import { parseArgs } from 'node:util';
import { defaultAdvertiseAddress } from '../apiserver/allocator/kubernetes.js';
import { resolveResource } from '../api/scheme.js';
import type { Endpoints, Service } from '../api/services.js';
import { Client } from '../client/client.js';
import { SharedInformerFactory } from '../machinery/informer.js';
import { DEFAULT_CLUSTER_DNS_IP, ensureDnsService } from '../dns/kubedns.js';
import { DnsServer, parseUpstreams, upstreamsFromResolvConf, type Resolver } from '../dns/server.js';
import { informerView } from '../dns/view.js';
import { Zone } from '../dns/zone.js';
import { realClock } from '../util/clock.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { stopOnSignals } from './apiserver.js';

/** Flags of the DNS component; `minik8s server` accepts them too (--cluster-dns and --cluster-domain are the agent's as well). */
export const DNS_FLAGS = {
  'dns-port': { type: 'string' },
  'dns-bind-address': { type: 'string' },
  'dns-upstream': { type: 'string' },
  'cluster-dns': { type: 'string', default: DEFAULT_CLUSTER_DNS_IP },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
} as const;

export const DNS_HELP = `  --dns-port N              UDP and TCP port of the DNS server (default 53; 0 picks a free one)
  --dns-bind-address IP     where it listens, and the kube-dns Endpoints' address (default: --advertise-address,
                            else the first non-loopback IPv4)
  --dns-upstream H[:P],...  where names outside the cluster domain go (default: /etc/resolv.conf's nameservers)
  --cluster-dns IP          the kube-dns Service's cluster IP, pods' nameserver (default ${DEFAULT_CLUSTER_DNS_IP})
  --cluster-domain D        the cluster's DNS domain (default cluster.local)
`;

export interface DnsFlags {
  'dns-port'?: string | undefined;
  'dns-bind-address'?: string | undefined;
  'dns-upstream'?: string | undefined;
  'cluster-dns'?: string | undefined;
  'cluster-domain'?: string | undefined;
  'advertise-address'?: string | undefined;
}

export interface RunningDns {
  address: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the DNS server over the process's shared informers (asks for 'services' and 'endpoints':
 * call before the factory starts, or start it again after). With the default port, a port already
 * taken is reported and DNS stays off (several servers on one machine); an explicit port must bind.
 * `resolvers` answer names the cluster zone does not (Ingress hosts, say) before anything is forwarded.
 */
export async function startClusterDns(
  flags: DnsFlags,
  opts: { client: Client; informers: SharedInformerFactory; logger?: Logger; resolvers?: Resolver[] },
): Promise<RunningDns | undefined> {
  const logger = opts.logger ?? consoleLogger;
  const explicit = flags['dns-port'] !== undefined;
  const port = Number(flags['dns-port'] ?? '53');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--dns-port ${flags['dns-port'] ?? ''}: not a port number`);
  const address = flags['dns-bind-address'] ?? flags['advertise-address'] ?? defaultAdvertiseAddress();
  const domain = flags['cluster-domain'] ?? 'cluster.local';
  const services = opts.informers.informerFor<Service>('services');
  const endpoints = opts.informers.informerFor<Endpoints>('endpoints');
  const zone = new Zone({ domain });
  const view = informerView(services.store, endpoints.store);
  const upstreams = (flags['dns-upstream'] ? parseUpstreams(flags['dns-upstream']) : upstreamsFromResolvConf()).filter(
    (u) => !(u.host === address && u.port === port),
  );
  const server = new DnsServer({ address, port, upstreams, logger, resolvers: [{ answer: (q) => zone.answer(q, view) }, ...(opts.resolvers ?? [])] });
  try {
    await server.start();
  } catch (e) {
    if (explicit) throw new Error(`DNS server on ${address}:${port}: ${e instanceof Error ? e.message : String(e)}`);
    logger.warn('cluster DNS not started: its port is taken (set --dns-port)', { address, port, error: e instanceof Error ? e.message : String(e) });
    return undefined;
  }
  const clusterIP = (flags['cluster-dns'] ?? DEFAULT_CLUSTER_DNS_IP).split(',')[0]?.trim() || DEFAULT_CLUSTER_DNS_IP;
  try {
    await ensureDnsService(opts.client, { clusterIP, address, port: server.port });
  } catch (e) {
    // The Service is a convenience for pods; the server answers either way.
    logger.warn('could not write the kube-dns Service', { error: e instanceof Error ? e.message : String(e) });
  }
  logger.info('cluster DNS listening', { address, port: server.port, domain, upstreams: upstreams.map((u) => `${u.host}:${u.port}`).join(',') });
  return { address, port: server.port, stop: () => server.stop() };
}

const HELP = `Usage: minik8s dns --kubeconfig PATH [flags]

Serves the cluster's DNS names (<service>.<namespace>.svc.<domain>, headless services' pod IPs, SRV
records for named ports) from Services and Endpoints, and forwards other names upstream.

Flags:
  --kubeconfig PATH         how to reach the API server (default $KUBECONFIG, else /var/lib/minik8s/admin.kubeconfig)
${DNS_HELP}`;

export async function runDns(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...DNS_FLAGS, kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const client = Client.fromKubeconfig(values.kubeconfig ? { path: values.kubeconfig } : {});
  const informers = new SharedInformerFactory(
    (resource) => {
      const rt = resolveResource(resource);
      if (!rt) throw new Error(`unknown resource ${resource}`);
      return client.resource(rt).listWatcher();
    },
    { clock: realClock, logger: consoleLogger },
  );
  const dns = await startClusterDns({ ...values, 'dns-port': values['dns-port'] ?? '53' }, { client, informers });
  informers.start();
  process.stdout.write(`minik8s dns: listening on ${dns?.address ?? ''}:${dns?.port ?? ''}\n`);
  stopOnSignals(async () => {
    await dns?.stop();
    await informers.stop();
    client.close();
  });
}
