// Sandboxes the agent started but never wired. The agent starts a sandbox with no network and then plugs its veth
// in (ip.ts plumbPod); an agent killed in between leaves a running sandbox without eth0, which nothing else would
// notice. The host end of a pod's veth is named after the pod's address (hostInterface), so at start, before this
// agent creates any sandbox, every running sandbox of this node whose interface is missing from the pod bridge is
// removed; its pod's next sync makes a new one.

import { NODE_NAME_LABEL } from '../decide.js';
import { POD_IP_LABEL } from '../runtime/docker/sandbox.js';
import type { Runtime } from '../runtime/runtime.js';
import type { IpRoute } from './ip.js';

/** The host end of the veth of the pod with this address: `vm` and the address in hex (10 characters). */
export function hostInterface(ip: string): string {
  return `vm${ip
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('')}`;
}

/** Removes this node's running, agent-wired sandboxes whose veth is not on the bridge; returns their IDs. */
export async function removeUnwired(o: {
  runtime: Pick<Runtime, 'listSandboxes' | 'removeSandbox'>;
  ip: IpRoute;
  bridge: string;
  nodeName: string;
}): Promise<string[]> {
  const ports = new Set(await o.ip.bridgePorts(o.bridge));
  const removed: string[] = [];
  for (const s of await o.runtime.listSandboxes()) {
    const addr = s.labels[POD_IP_LABEL];
    if (!s.running || !addr || s.labels[NODE_NAME_LABEL] !== o.nodeName || ports.has(hostInterface(addr))) continue;
    await o.runtime.removeSandbox(s.id);
    removed.push(s.id);
  }
  return removed;
}
