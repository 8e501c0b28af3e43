// The lab's network: a fabric namespace holding one bridge (out of the root namespace, where the
// host engine's FORWARD DROP and br_netfilter would drop bridged node traffic), a routed host leg
// at .1, and one namespace per node with `eth0` at .(10+i) and no default route, so nothing
// leaves the machine. The host reaches pods through a route per node podCIDR via that node's IP.
//
//   root ns: mklabK 10.200.K.1 ──veth── fabric ns: host ┐
//                                                       br0 ── nI ──veth── node ns: eth0 10.200.K.(10+i)

import type { LabPlan, NodePlan } from './plan.js';
import { sh, trySh } from './proc.js';

export async function netnsList(): Promise<string[]> {
  const out = (await trySh('ip', ['netns', 'list'])) ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

export async function createFabric(plan: LabPlan): Promise<void> {
  const fab = plan.fabricNetns;
  await sh('ip', ['netns', 'add', fab]);
  await sh('ip', ['-n', fab, 'link', 'set', 'lo', 'up']);
  await sh('ip', ['-n', fab, 'link', 'add', 'br0', 'type', 'bridge']);
  await sh('ip', ['-n', fab, 'link', 'set', 'br0', 'up']);
  await sh('ip', ['link', 'add', plan.hostLink, 'type', 'veth', 'peer', 'name', 'host', 'netns', fab]);
  await sh('ip', ['-n', fab, 'link', 'set', 'host', 'master', 'br0', 'up']);
  await sh('ip', ['addr', 'add', `${plan.hostIP}/24`, 'dev', plan.hostLink]);
  await sh('ip', ['link', 'set', plan.hostLink, 'up']);
}

export async function createNodeNet(plan: LabPlan, node: NodePlan, i: number): Promise<void> {
  const port = `n${i}`;
  await sh('ip', ['netns', 'add', node.netns]);
  await sh('ip', ['-n', plan.fabricNetns, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
  await sh('ip', ['-n', plan.fabricNetns, 'link', 'set', port, 'master', 'br0', 'up']);
  await sh('ip', ['-n', node.netns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
  await sh('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
  await sh('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
  // A new namespace does not forward: pods' traffic to other nodes and to the host passes through it.
  await sh('ip', ['netns', 'exec', node.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
}

/** The host's route to a node's pod subnet (replaced, so a re-run is harmless). */
export async function routePodCIDR(plan: LabPlan, podCIDR: string, nodeIP: string): Promise<void> {
  await sh('ip', ['route', 'replace', podCIDR, 'via', nodeIP, 'dev', plan.hostLink]);
}

/** Removes the namespaces and the host leg (its routes go with it). Missing pieces are fine. */
export async function removeNet(plan: Pick<LabPlan, 'fabricNetns' | 'hostLink' | 'nodes'>): Promise<void> {
  const present = new Set(await netnsList());
  for (const n of plan.nodes) if (present.has(n.netns)) await trySh('ip', ['netns', 'del', n.netns]);
  if (present.has(plan.fabricNetns)) await trySh('ip', ['netns', 'del', plan.fabricNetns]);
  await trySh('ip', ['link', 'del', plan.hostLink]);
}
