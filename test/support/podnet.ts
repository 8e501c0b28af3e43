// The pod network for suites that run `minik8s server` (or agents) on the host's own Docker Engine, next to
// other suites doing the same: each cluster needs a cluster CIDR no other one on this machine uses (the
// engine refuses overlapping bridge networks), and several nodes in the host's one network namespace must not
// share a VXLAN device (`--overlay none`). Their pod bridges are removed after a SIGKILL with removePodNetwork.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Second octets for test clusters: 10.64-10.127 less 10.96-10.111, the default service CIDR (10.96.0.0/12). */
const CANDIDATES = Array.from({ length: 64 }, (_, i) => 64 + i).filter((k) => k < 96 || k > 111);

/** A 10.K.0.0/16 (from CANDIDATES) that no route on this machine covers yet, starting from one picked by the PID. */
export async function freeClusterCIDR(): Promise<string> {
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
  const start = process.pid % CANDIDATES.length;
  for (let i = 0; i < CANDIDATES.length; i++) {
    const k = CANDIDATES[(start + i) % CANDIDATES.length] ?? 64;
    if (!routes.includes(` 10.${k}.`) && !routes.includes(`\n10.${k}.`) && !routes.startsWith(`10.${k}.`)) return `10.${k}.0.0/16`;
  }
  throw new Error('no free /16 left for a test cluster in 10.64.0.0/10 outside the service CIDR');
}

/**
 * Flags for a `minik8s server`/`agent` on the host's namespace: its own cluster CIDR, no overlay, and no service
 * proxy unless the suite names an nft table of its own (clusters sharing the namespace must not share
 * `table ip minik8s-proxy`, and a killed server would leave it behind).
 */
export async function hostPodNetworkArgs(opts: { overlay?: boolean; proxyTable?: string } = {}): Promise<string[]> {
  const proxy = opts.proxyTable ? ['--proxy-table', opts.proxyTable] : ['--disable-proxy'];
  return ['--cluster-cidr', await freeClusterCIDR(), ...(opts.overlay ? [] : ['--overlay', 'none']), ...proxy];
}

/** Removes node `nodeName`'s pod bridge network (`minik8s-NODE`) from an engine, detaching what is left. */
export async function removePodNetwork(nodeName: string, dockerHost?: string): Promise<void> {
  const docker = (args: string[]): Promise<{ stdout: string }> => run('docker', [...(dockerHost ? ['-H', dockerHost] : []), ...args]);
  const name = `minik8s-${nodeName}`;
  try {
    const attached = (await docker(['network', 'inspect', name, '--format', '{{range $id, $c := .Containers}}{{$id}} {{end}}'])).stdout.trim();
    for (const id of attached.split(' ').filter(Boolean)) await docker(['network', 'disconnect', '-f', name, id]).catch(() => undefined);
    await docker(['network', 'rm', name]);
  } catch {
    // Not there (the agent cleaned up, or never made it).
  }
}
