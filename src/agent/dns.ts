// A pod's resolv.conf, as the kubelet writes it (Kubernetes "DNS for Services and Pods", pod's DNS
// policy): ClusterFirst points the pod at the cluster DNS (--cluster-dns) with the search list
// `<ns>.svc.<domain> svc.<domain> <domain>` and `ndots:5`, so short names like `web` and
// `web.other` resolve; ClusterFirst on the host network, and Default, keep the node's resolv.conf;
// ClusterFirstWithHostNet uses the cluster DNS even on the host network; None uses only dnsConfig,
// which every policy merges in (nameservers and searches appended, options replaced by name).

import type { SandboxConfig } from './runtime/runtime.js';
import type { Pod } from './types.js';

export interface ClusterDNS {
  /** Nameservers for ClusterFirst pods (the kube-dns Service's IP); empty: ClusterFirst acts as Default. */
  servers: string[];
  /** The cluster domain (cluster.local). */
  domain: string;
}

/** As the kubelet's limits: resolvers read at most 3 nameservers; glibc takes 32 search domains. */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

const uniq = (xs: string[]): string[] => [...new Set(xs)];

/** The sandbox's DNS settings for a pod; undefined: the runtime's default (the node's resolv.conf). */
export function podDNS(pod: Pod, cluster: ClusterDNS | undefined): SandboxConfig['dns'] | undefined {
  const spec = pod.spec ?? {};
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  const hostNetwork = spec.hostNetwork === true;
  const useCluster =
    cluster !== undefined && cluster.servers.length > 0 && ((policy === 'ClusterFirst' && !hostNetwork) || policy === 'ClusterFirstWithHostNet');
  const ns = pod.metadata.namespace ?? 'default';
  let servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (useCluster) {
    const d = cluster.domain.replace(/\.$/, '');
    servers = [...cluster.servers];
    searches = [`${ns}.svc.${d}`, `svc.${d}`, d];
    options = ['ndots:5'];
  }
  const extra = spec.dnsConfig;
  if (!useCluster && policy !== 'None' && !extra) return undefined;
  const optName = (o: string): string => o.split(':')[0] ?? o;
  for (const o of extra?.options ?? []) {
    const rendered = o.value !== undefined ? `${o.name}:${o.value}` : o.name;
    options = [...options.filter((x) => optName(x) !== o.name), rendered];
  }
  return {
    servers: uniq([...servers, ...(extra?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches: uniq([...searches, ...(extra?.searches ?? [])]).slice(0, MAX_SEARCHES),
    options,
  };
}
