// The pod sandbox on Docker: a pause container that sleeps until SIGTERM and owns the pod's network
// (bridge with an optional fixed IP, or the host's) and IPC namespaces; the pod's containers join it.
// DNS settings, extra hosts and the hostname live on it: Docker gives every container that joins its
// network the same /etc/resolv.conf, /etc/hosts and hostname.

import type Dockerode from 'dockerode';
import { LABELS, type Sandbox, type SandboxConfig } from '../runtime.js';
import { podFromLabels, podLabels, safeName } from './labels.js';

export const PAUSE_IMAGE = 'minik8s/pause:1';

export function sandboxName(cfg: SandboxConfig): string {
  return safeName(['k8s', 'POD', cfg.pod.name, cfg.pod.namespace, cfg.pod.uid]);
}

/** The address of a sandbox whose network the agent set up (the engine does not know it). */
export const POD_IP_LABEL = 'io.minik8s.pod.ip';

export function sandboxCreateOptions(cfg: SandboxConfig, image: string): Dockerode.ContainerCreateOptions {
  const ownNetwork = !cfg.hostNetwork && cfg.setUpNetwork !== undefined && cfg.ip !== undefined;
  const network = cfg.hostNetwork ? 'host' : ownNetwork ? 'none' : (cfg.network ?? 'bridge');
  const endpoint: Dockerode.EndpointSettings = cfg.ip ? { IPAMConfig: { IPv4Address: cfg.ip } } : {};
  // On an engine network the engine adds "IP hostname" to /etc/hosts; with the agent's network, the agent does.
  const hosts = ownNetwork ? [...(cfg.hosts ?? []), `${cfg.ip as string} ${cfg.hostname}`] : (cfg.hosts ?? []);
  return {
    name: sandboxName(cfg),
    Image: image,
    // The host network has the node's hostname, as in Kubernetes.
    ...(cfg.hostNetwork ? {} : { Hostname: cfg.hostname }),
    Labels: { ...cfg.labels, ...podLabels(cfg.pod, 'sandbox'), ...(ownNetwork ? { [POD_IP_LABEL]: cfg.ip as string } : {}) },
    HostConfig: {
      NetworkMode: network,
      IpcMode: 'shareable',
      Dns: cfg.dns?.servers ?? [],
      DnsSearch: cfg.dns?.searches ?? [],
      DnsOptions: cfg.dns?.options ?? [],
      ExtraHosts: extraHosts(hosts),
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
    ...(cfg.hostNetwork || ownNetwork ? {} : { NetworkingConfig: { EndpointsConfig: { [network]: endpoint } } }),
  };
}

/**
 * The pod's resolv.conf. Docker points containers on a user-defined network (the agent's pod
 * bridge) at its embedded resolver 127.0.0.11 instead of the given servers; pods must see the
 * cluster DNS itself, so the agent writes the file after the sandbox starts (as dockershim did).
 */
export function renderResolvConf(dns: NonNullable<SandboxConfig['dns']>): string {
  const lines = dns.servers.map((s) => `nameserver ${s}`);
  if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
  if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * /etc/hosts lines ("IP NAME [NAME...]", as hostAliases render) become the engine's "NAME:IP"
 * entries; an entry without whitespace is taken to be in the engine's form already.
 */
export function extraHosts(entries: string[]): string[] {
  return entries.flatMap((e) => {
    const [ip, ...names] = e.trim().split(/\s+/);
    return names.length === 0 || ip === undefined ? [e.trim()] : names.map((n) => `${n}:${ip}`);
  });
}

function firstIp(networks: Record<string, { IPAddress?: string }> | undefined): string {
  for (const n of Object.values(networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return '';
}

export function sandboxFromInspect(info: Dockerode.ContainerInspectInfo): Sandbox {
  const labels = info.Config.Labels ?? {};
  return {
    id: info.Id,
    pod: podFromLabels(labels),
    ip: firstIp(info.NetworkSettings.Networks) || (labels[POD_IP_LABEL] ?? ''),
    running: info.State.Running,
    createdAt: Date.parse(info.Created),
    labels,
  };
}

export function sandboxFromSummary(info: Dockerode.ContainerInfo): Sandbox {
  const labels = info.Labels ?? {};
  return {
    id: info.Id,
    pod: podFromLabels(labels),
    ip: firstIp(info.NetworkSettings?.Networks) || (labels[POD_IP_LABEL] ?? ''),
    running: info.State === 'running',
    createdAt: info.Created * 1000,
    labels,
  };
}

export const SANDBOX_FILTER = { label: [`${LABELS.role}=sandbox`] };
