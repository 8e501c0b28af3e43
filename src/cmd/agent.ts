// `minik8s agent`: the node agent alone, joining the cluster at --server with a token (or a kubeconfig) and
// running pods on the local Docker Engine. `minik8s server` embeds the same component: it takes
// AGENT_NODE_FLAGS and calls agentOptionsFromFlags + startAgent. The Docker runtime is imported lazily so
// commands that do not run pods never load dockerode.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_ROOT_DIR, startAgent, type AgentOptions } from '../agent/agent.js';
import { detectInternalIP, parseKeyValues } from '../agent/node.js';
import { PodNetwork } from '../agent/network/podnetwork.js';
import type { Runtime } from '../agent/runtime/runtime.js';
import { Client } from '../client/client.js';
import { consoleLogger, type Logger } from '../util/logger.js';
import { startKubeletServer } from '../agent/server.js';
import { findContainerByLabels } from '../agent/streams/find.js';
import { join } from 'node:path';
import { stopOnSignals } from './apiserver.js';
import { parseDurationMs } from '../api/duration.js';
import { PROXY_FLAGS, PROXY_HELP, startServiceProxy, type ProxyFlags } from './proxy.js';

/** Flags that describe the node; `minik8s server` accepts these too. */
export const AGENT_NODE_FLAGS = {
  'node-name': { type: 'string' },
  'node-labels': { type: 'string' },
  'node-ip': { type: 'string' },
  capacity: { type: 'string' },
  'docker-host': { type: 'string', default: 'unix:///var/run/docker.sock' },
  'root-dir': { type: 'string' },
  'heartbeat-interval': { type: 'string', default: '10s' },
  'kubelet-port': { type: 'string', default: '10250' },
  overlay: { type: 'string', default: 'vxlan' },
  cleanup: { type: 'boolean', default: false },
  'cluster-dns': { type: 'string', default: '10.96.0.10' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  ...PROXY_FLAGS,
} as const;

const FLAGS = {
  ...AGENT_NODE_FLAGS,
  server: { type: 'string' },
  token: { type: 'string' },
  'ca-file': { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean', default: false },
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const AGENT_NODE_HELP = `  --node-name NAME          the Node's name (default: the hostname)
  --node-labels K=V,...     labels for the Node (kept as set through the API afterwards)
  --node-ip IP              the Node's InternalIP (default: the first address of a real interface)
  --capacity K=V,...        override the host's capacity, e.g. cpu=2,memory=4Gi,pods=110
  --docker-host URL         the Docker Engine (default unix:///var/run/docker.sock)
  --root-dir DIR            pod volumes (default /var/lib/minik8s/agent; DATA_DIR/agent inside minik8s server)
  --heartbeat-interval D    Node status heartbeat (default 10s)
  --kubelet-port N          the agent API port published in the Node status (default 10250)
  --overlay vxlan|none      pod traffic between nodes: a VXLAN overlay (minik8s.1, VNI 1, port 8472) or none (default vxlan)
  --cleanup                 on stop, remove the pod bridge network, the VXLAN device, its routes and the nft tables
  --cluster-dns IP,...      nameservers of ClusterFirst pods: the kube-dns Service (default 10.96.0.10; '' for the node's)
  --cluster-domain D        the cluster's DNS domain, for pods' search list (default cluster.local)
${PROXY_HELP}`;

const HELP = `Usage: minik8s agent --server URL --token TOKEN [flags]

Runs pods bound to this node on the local Docker Engine and keeps the Node registered.

Flags:
  --server URL              the API server (https://HOST:6443)
  --token TOKEN             a bearer token (DATA_DIR/node-token on the server)
  --ca-file PATH            the API server's CA (DATA_DIR/tls/ca.crt on the server)
  --insecure-skip-tls-verify  do not verify the server's certificate
  --kubeconfig PATH         instead of --server/--token: a kubeconfig
${AGENT_NODE_HELP}`;

export interface AgentNodeFlags extends ProxyFlags {
  'disable-proxy'?: boolean | undefined;
  'node-name'?: string | undefined;
  'node-labels'?: string | undefined;
  'node-ip'?: string | undefined;
  capacity?: string | undefined;
  'docker-host'?: string | undefined;
  'root-dir'?: string | undefined;
  'heartbeat-interval'?: string | undefined;
  'kubelet-port'?: string | undefined;
  overlay?: string | undefined;
  cleanup?: boolean | undefined;
  'cluster-dns'?: string | undefined;
  'cluster-domain'?: string | undefined;
}

/** The Docker runtime for --docker-host, loaded on demand. */
export async function dockerRuntime(dockerHost: string | undefined): Promise<Runtime> {
  const docker = await import('../agent/runtime/docker/index.js');
  return new docker.DockerRuntime({ socketPath: docker.socketPathFromDockerHost(dockerHost ?? 'unix:///var/run/docker.sock') });
}

/** startAgent options from the node flags (`defaultRootDir`: DATA_DIR/agent when embedded in the server). */
export async function agentOptionsFromFlags(flags: AgentNodeFlags, opts: { client: Client; defaultRootDir?: string }): Promise<AgentOptions> {
  const port = Number(flags['kubelet-port'] ?? '10250');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--kubelet-port ${flags['kubelet-port'] ?? ''}: not a port number`);
  const nodeName = (flags['node-name'] ?? hostname()).toLowerCase();
  const out: AgentOptions = {
    client: opts.client,
    runtime: await dockerRuntime(flags['docker-host']),
    nodeName,
    rootDir: flags['root-dir'] ?? opts.defaultRootDir ?? DEFAULT_ROOT_DIR,
    nodeLabels: parseKeyValues(flags['node-labels'], '--node-labels'),
    capacity: parseKeyValues(flags.capacity, '--capacity'),
    kubeletPort: port,
    heartbeatIntervalMs: parseDurationMs(flags['heartbeat-interval'] ?? '10s'),
  };
  out.nodeIP = flags['node-ip'] ?? detectInternalIP();
  const dnsServers = (flags['cluster-dns'] ?? '10.96.0.10')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  out.clusterDNS = { servers: dnsServers, domain: flags['cluster-domain'] ?? 'cluster.local' };
  out.podNetwork = await podNetworkFromFlags(flags, { client: opts.client, nodeName, nodeIP: out.nodeIP, rootDir: out.rootDir ?? DEFAULT_ROOT_DIR, runtime: out.runtime });
  return out;
}

/** The node's pod network (src/agent/network): a Docker bridge network on --docker-host, IPAM, the overlay. */
async function podNetworkFromFlags(
  flags: AgentNodeFlags,
  o: { client: Client; nodeName: string; nodeIP: string; rootDir: string; runtime: Runtime },
): Promise<PodNetwork> {
  const overlay = flags.overlay ?? 'vxlan';
  if (overlay !== 'vxlan' && overlay !== 'none') throw new Error(`--overlay ${overlay}: expected vxlan or none`);
  const [{ DockerPodBridge }, { socketPathFromDockerHost }] = await Promise.all([
    import('../agent/network/bridge.js'),
    import('../agent/runtime/docker/index.js'),
  ]);
  return new PodNetwork({
    client: o.client,
    nodeName: o.nodeName,
    nodeIP: o.nodeIP,
    ipamDir: join(o.rootDir, 'network', 'ipam'),
    bridge: new DockerPodBridge(socketPathFromDockerHost(flags['docker-host'] ?? 'unix:///var/run/docker.sock')),
    overlay,
    cleanupOnStop: flags.cleanup ?? false,
    runtime: o.runtime,
    ...(flags['cluster-cidr'] ? { clusterCIDR: flags['cluster-cidr'] } : {}),
  });
}

export interface NodeAgent {
  nodeName: string;
  hostIP: string;
  kubeletPort: number;
  stop(): Promise<void>;
}

/**
 * The whole node side: the kubelet API (logs, exec; it accepts only the node token, which the API
 * server presents) and the agent that registers the Node (publishing that API's port) and runs pods.
 */
export async function startNodeAgent(
  flags: AgentNodeFlags,
  opts: { client: Client; token: string; defaultRootDir?: string; signal?: AbortSignal; logger?: Logger },
): Promise<NodeAgent> {
  const options = await agentOptionsFromFlags(flags, { client: opts.client, ...(opts.defaultRootDir ? { defaultRootDir: opts.defaultRootDir } : {}) });
  const kubelet = await startKubeletServer({
    port: options.kubeletPort ?? 10250,
    tls: { certDir: join(options.rootDir ?? DEFAULT_ROOT_DIR, 'kubelet-tls') },
    token: opts.token,
    runtime: options.runtime,
    findContainer: findContainerByLabels(options.runtime),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  try {
    const agent = await startAgent({ ...options, kubeletPort: kubelet.port, ...(opts.signal ? { signal: opts.signal } : {}) });
    // The service proxy (src/proxy) runs beside the pods, as kube-proxy does on every node.
    const proxy = flags['disable-proxy'] ? undefined : startServiceProxy(flags, { client: opts.client, ...(opts.logger ? { logger: opts.logger } : {}) });
    return {
      nodeName: agent.nodeName,
      hostIP: agent.hostIP,
      kubeletPort: kubelet.port,
      stop: async () => {
        await proxy?.stop({ cleanup: flags.cleanup ?? false });
        await agent.stop();
        await kubelet.stop();
      },
    };
  } catch (e) {
    await kubelet.stop();
    throw e;
  }
}

export async function runAgent(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  let client: Client;
  if (values.server) {
    if (!values.token) throw new Error('--server needs --token');
    client = Client.fromConnection({
      server: values.server,
      token: values.token,
      ...(values['ca-file'] ? { ca: readFileSync(values['ca-file'], 'utf8') } : {}),
      insecureSkipTlsVerify: values['insecure-skip-tls-verify'],
      namespace: 'default',
      context: 'minik8s-agent',
    });
  } else {
    client = Client.fromKubeconfig(values.kubeconfig ? { path: values.kubeconfig } : {});
  }
  const stopper = new AbortController();
  const started: { agent?: Promise<NodeAgent> } = {};
  stopOnSignals(async () => {
    stopper.abort();
    // A start still in progress is aborted and undoes itself (the pod network's --cleanup included) before exit.
    const agent = await started.agent?.catch(() => undefined);
    await agent?.stop();
    client.close();
  });
  // The kubelet API accepts the node token only: the one given, else the kubeconfig's.
  const token = values.token ?? client.rest.conn.token;
  if (!token) throw new Error('the agent needs a token (--token, or a kubeconfig with a token) to serve logs and exec');
  started.agent = startNodeAgent(values, { client, token, signal: stopper.signal });
  const agent = await started.agent;
  process.stdout.write(`minik8s agent: node ${agent.nodeName} (${agent.hostIP}) joined ${client.rest.conn.server}\n`);
  consoleLogger.info('agent running', { node: agent.nodeName });
}
